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
    """Keep a uniformly random n - round(p n) of all prunable weights (the job's seed)."""
    network.set_mask(random_mask(network.size, params["sparsity"], rng))
    logger.info("random: kept %d of %d weights", network.mask.sum(), network.size)
    return network


METHOD = Method(
    name="random",
    prune=random_pruning,
    description="a global random mask at the target sparsity (the sanity baseline)",
    label="random",
    marker="P",
    target_key="sparsity",
    settings={
        "sparsity": sparsity_setting("p, fraction of prunable weights set to zero", 0.5),
        "finetune_epochs": epochs_setting("E_ft, masked training after pruning", 1),
    },
)
