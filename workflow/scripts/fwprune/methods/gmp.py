"""Method `gmp`: gradual magnitude pruning (Zhu & Gupta 2017), global, polynomial schedule."""

import logging

import numpy as np

from fwprune import schedules
from fwprune.groups import ranking_layers
from fwprune.masks import top_k_mask
from fwprune.methods import LEARNING_RATE_RANGE, Method, epochs_setting, sparsity_setting
from fwprune.tuning import Range

logger = logging.getLogger("fwprune")


def gmp(network, data, params: dict, rng):
    """Gradual magnitude pruning (Zhu & Gupta 2017), global over all prunable kernels.

    For t = 1..n: keep the k_t largest |W| among the units still kept, s_t rising from
    s_init to s_final on the polynomial (cubic) schedule; retrain E epochs. A pruned weight
    is never revived, so each mask is a subset of the one before. With scope `layer` each
    layer l keeps its k_(l,t) = n_l - round(s_t n_l) largest among its kept units.
    """
    s_init, s_final = params["sparsity_init"], params["sparsity_final"]
    if s_init > s_final:
        raise ValueError(f"gmp: sparsity_init {s_init} exceeds sparsity_final {s_final}")
    steps, power = params["iterations"], params["power"]
    sparsities = schedules.polynomial_decay(s_init, s_final, steps, power)
    layers = ranking_layers(network.units, params["scope"])
    keeps = schedules.layer_keep_schedule(layers, s_init, s_final, steps, power)
    for t, (s_t, keep) in enumerate(zip(sparsities, keeps, strict=True), start=1):
        magnitudes = network.unit_magnitudes()
        network.set_unit_mask(surviving_magnitude_mask(magnitudes, network.unit_mask, keep, layers))
        logger.info(
            "gmp step %d: sparsity %.4f, %d of %d units kept",
            t,
            s_t,
            network.unit_mask.sum(),
            network.unit_count,
        )
        network.train(*data, params["retrain_epochs"])
    return network


def surviving_magnitude_mask(weights: np.ndarray, mask: np.ndarray, keep, layers=None):
    """The `keep` largest |W| among the entries of `mask` (the usual tie rule): a subset of it.
    With `layers`, `keep` holds per-layer counts: the keep[l] largest of layer l's kept."""
    mask = np.asarray(mask, dtype=bool).ravel()
    layers = np.zeros(mask.size, np.int64) if layers is None else np.asarray(layers)
    kept = np.bincount(layers[mask], minlength=np.size(keep))
    for layer, (wanted, left) in enumerate(zip(np.atleast_1d(keep), kept, strict=False)):
        if wanted > left:
            raise ValueError(
                f"cannot keep {wanted} units of layer {layer}: only {left} are still kept"
            )
    magnitudes = np.abs(np.ravel(weights))
    return top_k_mask(np.where(mask, magnitudes, -np.inf), weights, keep, layers)


METHOD = Method(
    name="gmp",
    prune=gmp,
    description="gradual magnitude pruning (Zhu & Gupta 2017), global, polynomial schedule",
    label="gradual magnitude (cubic)",
    marker="v",
    target_key="sparsity_final",
    settings={
        "sparsity_init": sparsity_setting(
            "s_0, sparsity the schedule starts from (tfmot initial_sparsity)", 0.0
        ),
        "sparsity_final": sparsity_setting(
            "s_n, sparsity after the last pruning step (tfmot final_sparsity)", 0.6
        ),
        "iterations": {
            "description": "n, pruning steps; step t prunes to s_t, then retrains",
            "type": "integer",
            "minimum": 1,
            "maximum": 1000,
            "default": 4,
        },
        "power": {
            "description": "exponent of the schedule (3 = Zhu & Gupta's cubic, 1 = linear)",
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 10,
            "default": 3,
        },
        "retrain_epochs": epochs_setting("E, epochs of masked training after each pruning step", 1),
        "finetune_epochs": epochs_setting("E_ft, masked training after the method", 0),
    },
    # The schedule's shape and start (a start above a cell's target is capped at it).
    search_space={
        "learning_rate": LEARNING_RATE_RANGE,
        "power": Range(1, 6),
        "sparsity_init": Range(0.0, 0.8),
    },
)
