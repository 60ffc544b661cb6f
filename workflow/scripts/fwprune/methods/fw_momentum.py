"""Method `fw_momentum` (paper Algorithm 4): Frank-Wolfe on a moving-average direction."""

from fwprune import schedules
from fwprune.groups import ranking_layers
from fwprune.methods import LEARNING_RATE_RANGE, Method, sparsity_setting
from fwprune.methods.fw import FRANK_WOLFE_SETTINGS, frank_wolfe
from fwprune.tuning import Range


def fw_momentum(network, data, params: dict, rng):
    """Algorithm 4: FW on the moving average d of g; a pruning event every iteration, the
    sparsity rising linearly to s_final: s_i = s_init + i (s_final - s_init) / N; with
    scope `layer`, each layer l keeps k_(l,i) = n_l - round(s_i n_l) at event i."""
    layers = ranking_layers(network.units, params["scope"])
    keeps = schedules.layer_keep_schedule(
        layers,
        params["sparsity_init"],
        params["sparsity_final"],
        params["iterations"],
        power=1,
    )
    events = dict(enumerate(keeps, start=1))
    momentum = params["momentum"]
    return frank_wolfe(network, data, params, rng, events, momentum=momentum, layers=layers)


METHOD = Method(
    name="fw_momentum",
    prune=fw_momentum,
    description="paper Algorithm 4: Frank-Wolfe on a momentum direction, sparsity rising",
    label="Frank-Wolfe + momentum",
    marker="^",
    target_key="sparsity_final",
    settings={
        "sparsity_init": sparsity_setting("s_0, sparsity the schedule starts from", 0.3),
        "sparsity_final": sparsity_setting("s_N, sparsity after the last iteration", 0.6),
        "momentum": {
            "description": "rho of the moving-average direction",
            "type": "number",
            "minimum": 0,
            "exclusiveMaximum": 1,
            "default": 0.9,
        },
        **FRANK_WOLFE_SETTINGS,
    },
    # rho and where the rising schedule starts (capped at a cell's target).
    search_space={
        "learning_rate": LEARNING_RATE_RANGE,
        "momentum": Range(0.5, 0.99),
        "sparsity_init": Range(0.0, 0.8),
    },
    paper_algorithm=4,
)
