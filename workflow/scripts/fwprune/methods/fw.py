"""Method `fw` (paper Algorithm 3), and the Frank-Wolfe loop it shares with the momentum
variant (paper Algorithm 4).

The loop reads like METHODS.md, "The FW view of pruning"; the maths lives in
`frank_wolfe` and `masks`, the training in `training`.
"""

import dataclasses
import logging

import numpy as np

from fwprune import frank_wolfe as fwm
from fwprune.groups import ranking_layers
from fwprune.masks import keep_counts, largest_magnitudes, top_k_mask
from fwprune.methods import LEARNING_RATE_RANGE, Method, epochs_setting, sparsity_setting
from fwprune.tuning import Choice, Range

logger = logging.getLogger("fwprune")

# The settings both Frank-Wolfe methods read.
FRANK_WOLFE_SETTINGS = {
    "iterations": {
        "description": "N, Frank-Wolfe iterations",
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 4,
    },
    "subsample": {
        "description": "S, training examples per mask-gradient estimate",
        "type": "integer",
        "minimum": 1,
        "default": 1024,
    },
    "gradient_batch_size": {
        "description": "examples per forward/backward pass of the estimate",
        "type": "integer",
        "minimum": 1,
        "default": 256,
    },
    "retrain_epochs": epochs_setting("E, epochs of training after each iteration", 1),
    "step_size": {
        "description": "harmonic (2/(i+2)) or constant (gamma)",
        "enum": ["harmonic", "constant"],
        "default": "harmonic",
    },
    "gamma": {
        "description": "the constant step size",
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 1,
        "default": 0.5,
    },
    "finetune_epochs": epochs_setting("E_ft, masked training after the method", 0),
}


def fw(network, data, params: dict, rng):
    """Algorithm 3: FW steps on m with direction g; pruning events at ceil(N/2) and N."""
    layers = ranking_layers(network.units, params["scope"])
    keep = keep_counts(layers, params["sparsity"])
    events = {i: keep for i in fwm.pruning_iterations(params["iterations"])}
    return frank_wolfe(network, data, params, rng, events, momentum=None, layers=layers)


def subsample_gradient(network, data, params: dict, rng) -> np.ndarray:
    """The unit mask gradient g on a fresh random subsample of S training examples."""
    x, y = data
    chosen = np.sort(rng.choice(len(y), min(params["subsample"], len(y)), replace=False))
    return network.unit_gradient(x[chosen], y[chosen], params["gradient_batch_size"])


@dataclasses.dataclass(frozen=True)
class Iterate:
    """Everything one FW iteration computed, kept so that tests and logs can inspect it."""

    iteration: int
    magnitudes: np.ndarray  # the units' |W| (a filter's kernel RMS) the tie rule used
    gradient: np.ndarray  # g_i on this iteration's subsample
    direction: np.ndarray  # what the LMO minimises: g_i, or d_i with momentum
    vertex: np.ndarray  # v_i = LMO(direction) over C_k, k the final keep count
    relaxed_mask: np.ndarray  # m_i = (1 - gamma_i) m_(i-1) + gamma_i v_i
    hard_mask: np.ndarray  # h after this iteration's pruning event, if any


@dataclasses.dataclass
class FrankWolfeState:
    """What a FW run leaves on the network (`network.method_state`): its last relaxed mask
    m_N, its momentum buffer d_N (with momentum only) and every iterate. The saved state
    holds the first two (`arrays`); the trace is for tests and logs."""

    relaxed_mask: np.ndarray
    momentum: np.ndarray | None = None
    trace: list[Iterate] = dataclasses.field(default_factory=list)

    def arrays(self) -> dict[str, np.ndarray]:
        arrays = {"frank_wolfe/relaxed_mask": self.relaxed_mask}
        if self.momentum is not None:
            arrays["frank_wolfe/momentum"] = self.momentum
        return arrays


def frank_wolfe(network, data, params: dict, rng, events: dict, momentum, layers=None):
    """The FW loop of paper Algorithms 3 and 4 (METHODS.md, "The FW view of pruning"),
    over the network's units (weights, or filters: docs/filter-pruning.md).

    m lives in C_k for the final k = events[N] and starts at its magnitude mask; `events`
    maps an iteration to the units its pruning event keeps, top-k_i(m). The direction is
    g_i, or with `momentum` rho the moving average d_i = rho d_(i-1) + (1 - rho) g_i.
    Each iteration retrains E epochs after its event. The run leaves a `FrankWolfeState`
    as `network.method_state`: the last m and d, and every iterate in its `trace`.

    With `layers` (each unit's layer index, `groups.ranking_layers`) the keep counts of
    `events` are per layer: C_k is the product of the layers' sets, the LMO, m_0 and the
    events' top-k are per layer (docs/filter-pruning.md, "Ranking scope").
    """
    iterations = params["iterations"]
    final_keep = events[iterations]
    relaxed = largest_magnitudes(network.unit_magnitudes(), final_keep, layers).astype(float)
    direction = np.zeros(network.unit_count)
    trace = []
    for i in range(1, iterations + 1):
        magnitudes = network.unit_magnitudes()
        gradient = subsample_gradient(network, data, params, rng)
        direction = (
            gradient if momentum is None else fwm.momentum_update(direction, gradient, momentum)
        )
        vertex = fwm.lmo(direction, magnitudes, final_keep, layers)
        gamma = fwm.step_size(i, params["step_size"], params.get("gamma"))
        relaxed = fwm.fw_step(relaxed, vertex, gamma)
        previous = network.unit_mask
        if i in events:
            network.set_unit_mask(top_k_mask(relaxed, magnitudes, events[i], layers))
        iterate = Iterate(i, magnitudes, gradient, direction, vertex, relaxed, network.unit_mask)
        trace.append(iterate)
        log_iterate(iterate, previous)
        network.train(*data, params["retrain_epochs"])
    buffer = None if momentum is None else direction
    network.method_state = FrankWolfeState(relaxed, buffer, trace)
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


METHOD = Method(
    name="fw",
    prune=fw,
    description="paper Algorithm 3: Frank-Wolfe pruning with two pruning events",
    label="Frank-Wolfe",
    marker="D",
    target_key="sparsity",
    settings={"sparsity": sparsity_setting("s, target sparsity", 0.55), **FRANK_WOLFE_SETTINGS},
    # The step-size rule and its constant (unused under harmonic), the subsample of the
    # gradient estimate (a quarter to four times the paper protocol's 1024).
    search_space={
        "learning_rate": LEARNING_RATE_RANGE,
        "step_size": Choice(("harmonic", "constant")),
        "gamma": Range(0.05, 1.0, log=True),
        "subsample": Range(256, 4096, log=True, integer=True),
    },
    paper_algorithm=3,
)
