"""Method `random`: a global random mask at the target sparsity, then fine-tuning.

The sanity baseline of every pruning comparison (ShrinkBench reports it): a method that
does not beat random pruning at equal sparsity and training has shown nothing.
"""

import logging

import numpy as np

from fwprune.groups import ranking_layers
from fwprune.masks import keep_counts
from fwprune.methods import LEARNING_RATE_RANGE, Method, epochs_setting, sparsity_setting

logger = logging.getLogger("fwprune")


def random_mask(size: int, sparsity: float, rng: np.random.Generator, layers=None) -> np.ndarray:
    """Exactly n - round(p n) of `size` entries kept, chosen uniformly by `rng`; with
    `layers` (each entry's layer index), n_l - round(p n_l) of each layer l, layer by layer."""
    layers = np.zeros(size, np.int64) if layers is None else np.asarray(layers)
    mask = np.zeros(size, dtype=bool)
    for layer, keep in enumerate(keep_counts(layers, sparsity)):
        mask[rng.choice(np.flatnonzero(layers == layer), keep, replace=False)] = True
    return mask


def random_pruning(network, data, params: dict, rng):
    """Keep a uniformly random n - round(p n) of all prunable units (the job's seed); with
    scope `layer`, n_l - round(p n_l) of each layer's."""
    layers = ranking_layers(network.units, params["scope"])
    network.set_unit_mask(random_mask(network.unit_count, params["sparsity"], rng, layers))
    logger.info("random: kept %d of %d units", network.unit_mask.sum(), network.unit_count)
    return network


METHOD = Method(
    name="random",
    prune=random_pruning,
    description="a global random mask at the target sparsity (the sanity baseline)",
    label="random",
    marker="P",
    target_key="sparsity",
    settings={
        "sparsity": sparsity_setting("p, fraction of prunable units removed", 0.5),
        "finetune_epochs": epochs_setting("E_ft, masked training after pruning", 1),
    },
    search_space={"learning_rate": LEARNING_RATE_RANGE},
)
