"""The pruning methods, each as (network, data, params, rng) -> pruned network.

Each reads like its algorithm in the paper, with METHODS.md's corrections; the maths
lives in `masks`, `frank_wolfe` and `schedules`, the training in `training`. `params`
holds only what a method reads: `gamma` is absent unless the step size is constant.
"""

import logging

import numpy as np

from fwprune import frank_wolfe as fwm
from fwprune import schedules
from fwprune.masks import keep_count, magnitude_mask, top_k_mask
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
    """Algorithm 3: FW steps on m; pruning events at ceil(N/2) and N; retrain E each time."""
    keep = keep_count(network.size, params["sparsity"])
    relaxed = magnitude_mask(network.latent_weights(), params["sparsity"]).astype(np.float64)
    events = fwm.pruning_iterations(params["iterations"])
    for i in range(1, params["iterations"] + 1):
        weights = network.latent_weights()
        vertex = fwm.lmo(subsample_gradient(network, data, params, rng), weights, keep)
        relaxed = fwm.fw_step(
            relaxed, vertex, fwm.step_size(i, params["step_size"], params.get("gamma"))
        )
        if i in events:
            network.set_mask(top_k_mask(relaxed, weights, keep))
        log_iteration("fw", i, network, relaxed)
        network.train(*data, params["retrain_epochs"])
    network.frank_wolfe_state = {"relaxed_mask": relaxed}
    return network


def fw_momentum(network: MaskedNetwork, data, params: dict, rng) -> MaskedNetwork:
    """Algorithm 4: FW on the moving average d of g; sparsity rises to s_final by i = N."""
    s_final = params["sparsity_final"]
    keep_final = keep_count(network.size, s_final)
    keeps = schedules.keep_schedule(  # linear: s_i = s_init + i (s_final - s_init) / N
        network.size, params["sparsity_init"], s_final, params["iterations"], power=1
    )
    relaxed = magnitude_mask(network.latent_weights(), s_final).astype(np.float64)
    direction = np.zeros(network.size)
    for i, keep in enumerate(keeps, start=1):
        weights = network.latent_weights()
        gradient = subsample_gradient(network, data, params, rng)
        direction = fwm.momentum_update(direction, gradient, params["momentum"])
        vertex = fwm.lmo(direction, weights, keep_final)
        relaxed = fwm.fw_step(
            relaxed, vertex, fwm.step_size(i, params["step_size"], params.get("gamma"))
        )
        network.set_mask(top_k_mask(relaxed, weights, keep))
        log_iteration("fw_momentum", i, network, relaxed)
        network.train(*data, params["retrain_epochs"])
    network.frank_wolfe_state = {"relaxed_mask": relaxed, "momentum": direction}
    return network


def log_iteration(name: str, i: int, network: MaskedNetwork, relaxed: np.ndarray) -> None:
    logger.info(
        "%s iteration %d: %d of %d weights kept, relaxed mask sum %.1f",
        name,
        i,
        network.mask.sum(),
        network.size,
        relaxed.sum(),
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
