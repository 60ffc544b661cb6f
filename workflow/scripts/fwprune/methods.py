"""The pruning methods, each as (network, data, params, rng) -> pruned network.

Each reads like its algorithm in the paper, with METHODS.md's corrections; the maths
lives in `masks`, `frank_wolfe` and `schedules`, the training in `training`. `params`
holds only what a method reads: `gamma` is absent unless the step size is constant.
"""

import dataclasses
import logging

import numpy as np

from fwprune import frank_wolfe as fwm
from fwprune import schedules
from fwprune.masks import keep_count, largest_magnitudes, magnitude_mask, top_k_mask
from fwprune.training import MaskedNetwork

logger = logging.getLogger("fwprune")


def magnitude(network: MaskedNetwork, data, params: dict, rng) -> MaskedNetwork:
    """Algorithm 2: one shot, global; keep the n - round(p n) largest |W|."""
    network.set_mask(magnitude_mask(network.latent_weights(), params["sparsity"]))
    logger.info("magnitude: kept %d of %d weights", network.mask.sum(), network.size)
    return network


def subsample_gradient(network: MaskedNetwork, data, params: dict, rng) -> np.ndarray:
    """The mask gradient g on a fresh random subsample of S training examples."""
    x, y = data
    chosen = np.sort(rng.choice(len(y), min(params["subsample"], len(y)), replace=False))
    return network.mask_gradient(x[chosen], y[chosen], params["gradient_batch_size"])


def fw(network: MaskedNetwork, data, params: dict, rng) -> MaskedNetwork:
    """Algorithm 3: FW steps on m with direction g; pruning events at ceil(N/2) and N."""
    keep = keep_count(network.size, params["sparsity"])
    events = {i: keep for i in fwm.pruning_iterations(params["iterations"])}
    return frank_wolfe(network, data, params, rng, events, momentum=None)


def fw_momentum(network: MaskedNetwork, data, params: dict, rng) -> MaskedNetwork:
    """Algorithm 4: FW on the moving average d of g; a pruning event every iteration, the
    sparsity rising linearly to s_final: s_i = s_init + i (s_final - s_init) / N."""
    keeps = schedules.keep_schedule(
        network.size,
        params["sparsity_init"],
        params["sparsity_final"],
        params["iterations"],
        power=1,
    )
    events = dict(enumerate(keeps, start=1))
    return frank_wolfe(network, data, params, rng, events, momentum=params["momentum"])


@dataclasses.dataclass(frozen=True)
class Iterate:
    """Everything one FW iteration computed, kept so that tests and logs can inspect it."""

    iteration: int
    weights: np.ndarray  # latent W the gradient and the tie rule used
    gradient: np.ndarray  # g_i on this iteration's subsample
    direction: np.ndarray  # what the LMO minimises: g_i, or d_i with momentum
    vertex: np.ndarray  # v_i = LMO(direction) over C_k, k the final keep count
    relaxed_mask: np.ndarray  # m_i = (1 - gamma_i) m_(i-1) + gamma_i v_i
    hard_mask: np.ndarray  # h after this iteration's pruning event, if any


def frank_wolfe(
    network: MaskedNetwork, data, params: dict, rng, events: dict[int, int], momentum
) -> MaskedNetwork:
    """The FW loop shared by `fw` and `fw_momentum` (METHODS.md, "The FW view of pruning").

    m lives in C_k for the final k = events[N] and starts at its magnitude mask; `events`
    maps an iteration to the weights its pruning event keeps, top-k_i(m). The direction is
    g_i, or with `momentum` rho the moving average d_i = rho d_(i-1) + (1 - rho) g_i.
    Each iteration retrains E epochs after its event. `network.frank_wolfe_trace` holds
    every iterate.
    """
    iterations = params["iterations"]
    final_keep = events[iterations]
    relaxed = largest_magnitudes(network.latent_weights(), final_keep).astype(np.float64)
    direction = np.zeros(network.size)
    network.frank_wolfe_trace = []
    for i in range(1, iterations + 1):
        weights = network.latent_weights()
        gradient = subsample_gradient(network, data, params, rng)
        direction = (
            gradient if momentum is None else fwm.momentum_update(direction, gradient, momentum)
        )
        vertex = fwm.lmo(direction, weights, final_keep)
        gamma = fwm.step_size(i, params["step_size"], params.get("gamma"))
        relaxed = fwm.fw_step(relaxed, vertex, gamma)
        previous = network.mask
        if i in events:
            network.set_mask(top_k_mask(relaxed, weights, events[i]))
        iterate = Iterate(i, weights, gradient, direction, vertex, relaxed, network.mask)
        network.frank_wolfe_trace.append(iterate)
        log_iterate(iterate, previous)
        network.train(*data, params["retrain_epochs"])
    network.frank_wolfe_state = {"relaxed_mask": relaxed}
    if momentum is not None:
        network.frank_wolfe_state["momentum"] = direction
    return network


def log_iterate(iterate: Iterate, previous_mask: np.ndarray) -> None:
    """One line per iteration: what the event swapped and where the relaxed mask's mass is."""
    mask = iterate.hard_mask
    logger.info(
        "FW iteration %d: kept %d of %d (revived %d, pruned %d); LMO vertex %d ones; "
        "relaxed mask sum %.1f, %d entries above 0.5",
        iterate.iteration,
        mask.sum(),
        mask.size,
        np.count_nonzero(mask & ~previous_mask),
        np.count_nonzero(previous_mask & ~mask),
        np.count_nonzero(iterate.vertex),
        iterate.relaxed_mask.sum(),
        np.count_nonzero(iterate.relaxed_mask > 0.5),
    )


def gmp(network: MaskedNetwork, data, params: dict, rng) -> MaskedNetwork:
    """Gradual magnitude pruning (Zhu & Gupta 2017), global over all prunable kernels.

    For t = 1..n: keep the k_t largest |W| among the weights still kept, s_t rising from
    s_init to s_final on the polynomial (cubic) schedule; retrain E epochs. A pruned weight
    is never revived, so each mask is a subset of the one before.
    """
    s_init, s_final = params.get("sparsity_init", 0.0), params["sparsity_final"]
    if s_init > s_final:
        raise ValueError(f"gmp: sparsity_init {s_init} exceeds sparsity_final {s_final}")
    steps, power = params["iterations"], params.get("power", 3)
    sparsities = schedules.polynomial_decay(s_init, s_final, steps, power)
    keeps = schedules.keep_schedule(network.size, s_init, s_final, steps, power)
    for t, (s_t, keep) in enumerate(zip(sparsities, keeps, strict=True), start=1):
        network.set_mask(surviving_magnitude_mask(network.latent_weights(), network.mask, keep))
        logger.info(
            "gmp step %d: sparsity %.4f, %d of %d weights kept",
            t,
            s_t,
            network.mask.sum(),
            network.size,
        )
        network.train(*data, params["retrain_epochs"])
    return network


def surviving_magnitude_mask(weights: np.ndarray, mask: np.ndarray, keep: int) -> np.ndarray:
    """The `keep` largest |W| among the entries of `mask` (the usual tie rule): a subset of it."""
    mask = np.asarray(mask, dtype=bool).ravel()
    if keep > mask.sum():
        raise ValueError(f"cannot keep {keep} weights: only {mask.sum()} are still kept")
    magnitudes = np.abs(np.ravel(weights))
    return top_k_mask(np.where(mask, magnitudes, -np.inf), weights, keep)


PRUNERS = {"magnitude": magnitude, "fw": fw, "fw_momentum": fw_momentum, "gmp": gmp}
