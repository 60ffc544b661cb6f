"""Method `random`: a global random mask at the target sparsity, then fine-tuning.

The sanity baseline of every pruning comparison (ShrinkBench reports it): a method that
does not beat random pruning at equal sparsity and training has shown nothing.
"""

import logging

import numpy as np

from fwprune.masks import keep_count
from fwprune.methods import Method, epochs_setting, sparsity_setting

logger = logging.getLogger("fwprune")


def random_mask(size: int, sparsity: float, rng: np.random.Generator) -> np.ndarray:
    """Exactly n - round(p n) of `size` entries kept, chosen uniformly by `rng`."""
    mask = np.zeros(size, dtype=bool)
    mask[rng.choice(size, keep_count(size, sparsity), replace=False)] = True
    return mask


def random_pruning(network, data, params: dict, rng):
    """Keep a uniformly random n - round(p n) of all prunable units (the job's seed)."""
    network.set_unit_mask(random_mask(network.unit_count, params["sparsity"], rng))
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
)
