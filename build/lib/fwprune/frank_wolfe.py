"""Frank-Wolfe over the relaxed masks C_k = {m in [0,1]^n : sum m <= k} (METHODS.md).

Pure numpy. The LMO is a sort, which is why no projection is ever needed. With the ranking
scope `layer` the set is the product of per-layer sets {sum over layer l of m <= k_l}, and
the LMO is a sort per layer (docs/filter-pruning.md, "Ranking scope").
"""

import math

import numpy as np

from fwprune.masks import top_k_mask


def lmo(gradient: np.ndarray, weights: np.ndarray, k, layers=None) -> np.ndarray:
    """argmin_{v in C_k} <gradient, v>: ones at the k most negative entries, only negative ones.

    With `layers` (each entry's layer) and per-layer counts k, C is the product of the
    layers' sets, and the objective a sum over layers: ones at the k[l] most negative
    entries of each layer l. Equal gradients are ranked by |W|, then flat index, like
    every other ranking.
    """
    gradient = np.ravel(gradient)
    vertex = top_k_mask(-gradient, weights, k, layers)
    return (vertex & (gradient < 0)).astype(np.float64)


def step_size(iteration: int, rule: str, gamma: float) -> float:
    """gamma_i = 2 / (i + 2) for the 'harmonic' rule, else the constant `gamma`."""
    if iteration < 1:
        raise ValueError(f"iterations count from 1, got {iteration}")
    if rule == "harmonic":
        return 2.0 / (iteration + 2)
    if rule == "constant":
        return gamma
    raise ValueError(f"unknown step-size rule {rule!r}: use 'harmonic' or 'constant'")


def fw_step(relaxed_mask: np.ndarray, vertex: np.ndarray, gamma: float) -> np.ndarray:
    """m <- (1 - gamma) m + gamma v: a convex combination, so m stays in C_k."""
    return (1.0 - gamma) * relaxed_mask + gamma * vertex


def momentum_update(buffer: np.ndarray, gradient: np.ndarray, rho: float) -> np.ndarray:
    """d_i = rho d_{i-1} + (1 - rho) g_i: the exponential moving average of
    Frank-Wolfe with momentum (paper Algorithm 4)."""
    return rho * buffer + (1.0 - rho) * gradient


def pruning_iterations(iterations: int) -> tuple[int, ...]:
    """Iterations at which `fw` prunes: ceil(N/2) and N (the paper's i mod (N/2) = 0)."""
    return tuple(sorted({math.ceil(iterations / 2), iterations}))
