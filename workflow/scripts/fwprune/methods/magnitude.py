"""Method `magnitude` (paper Algorithm 2): global one-shot magnitude pruning."""

import logging

from fwprune.groups import ranking_layers
from fwprune.masks import magnitude_mask
from fwprune.methods import LEARNING_RATE_RANGE, Method, epochs_setting, sparsity_setting

logger = logging.getLogger("fwprune")


def magnitude(network, data, params: dict, rng):
    """Algorithm 2: one shot, global; keep the n - round(p n) largest |W| (units: weights,
    or filters by the root mean square of their kernel); with scope `layer`, the
    n_l - round(p n_l) largest of each layer l."""
    layers = ranking_layers(network.units, params["scope"])
    network.set_unit_mask(magnitude_mask(network.unit_magnitudes(), params["sparsity"], layers))
    logger.info("magnitude: kept %d of %d units", network.unit_mask.sum(), network.unit_count)
    return network


METHOD = Method(
    name="magnitude",
    prune=magnitude,
    description="paper Algorithm 2: global one-shot magnitude pruning",
    label="magnitude",
    marker="s",
    target_key="sparsity",
    settings={
        "sparsity": sparsity_setting("p, fraction of prunable units removed", 0.5),
        "finetune_epochs": epochs_setting("E_ft, masked training after pruning", 1),
    },
    search_space={"learning_rate": LEARNING_RATE_RANGE},
    paper_algorithm=2,
)
