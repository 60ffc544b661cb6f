"""The pruning methods: one module per method, each declaring itself as `METHOD`.

A method is a function (network, data, params, rng) -> pruned network, where `network`
is a `PrunableNetwork` (all a method may use of it; state of its own it leaves there as a
`MethodState`, saved with the network), `params` its config section (only the keys it
reads: `gamma` is absent unless the step size is constant), `data` the training arrays
and `rng` the job's generator (seeded by the run's seed). Its `Method` declaration says
what the workflow needs to know about it: the config section's keys (a JSON-schema
fragment with defaults), which key holds the target sparsity, the epochs it trains after
the checkpoint, and its label and marker in figures.

Importing this package imports every module in its folder and collects their `METHOD`s in
`REGISTRY`: a new method is one new file here (README, "Adding a method"). The schema,
the wildcard constraints, the sweep, the figures and the claims read the registry. Keep
these modules free of TensorFlow at import time: the workflow imports the registry when it
parses the Snakefile.
"""

import copy
import dataclasses
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import jsonschema
import numpy as np

from fwprune import names, registry
from fwprune.groups import GRANULARITIES, SCOPES, Units
from fwprune.schedules import retraining_epochs
from fwprune.tuning import Range


def sparsity_setting(description: str, default: float) -> dict:
    """A config key holding a sparsity in [0, 1)."""
    bounds = {"type": "number", "minimum": 0, "exclusiveMaximum": 1}
    return {"description": description, **bounds, "default": default}


def epochs_setting(description: str, default: int) -> dict:
    """A config key holding a number of training epochs."""
    bounds = {"type": "integer", "minimum": 0, "maximum": 1000}
    return {"description": description, **bounds, "default": default}


# Every method's section has it: what its units are (docs/filter-pruning.md). A method's
# sparsity is then the fraction of those units removed.
GRANULARITY_SETTING = {
    "description": "units pruned: single weights, or whole Conv2D filters",
    "enum": list(GRANULARITIES),
    "default": "unstructured",
}
# Every method's section has it too: whether its units are ranked all together, or each
# layer's among themselves, each layer losing the same share (docs/filter-pruning.md).
SCOPE_SETTING = {
    "description": "ranking: global over all units, or layer (each layer loses the same share)",
    "enum": list(SCOPES),
    "default": "global",
}

# Every method's section has it too: dense epochs before the method starts, counted in
# the epochs it spends. It equalises dense training in a comparison: `fw` trains its first
# epoch dense (it prunes first at iteration ceil(N/2)), the one-shot and gradual methods
# prune at once (docs/results.md, "Fair comparisons").
DENSE_EPOCHS_SETTING = {
    "description": "epochs of dense training before the method prunes (counted in its epochs)",
    "type": "integer",
    "minimum": 0,
    "maximum": 1000,
    "default": 0,
}

# Every method's section has it too: the learning rate of its retraining and fine-tuning
# (null: the run's `train` rate or schedule). Tuning searches it for every method alike.
LEARNING_RATE_SETTING = {
    "description": "SGD learning rate of the method's retraining and fine-tuning (null: train's)",
    "type": ["number", "null"],
    "exclusiveMinimum": 0,
    "maximum": 10,
    "default": None,
}

# The optimiser's momentum apart from pre-training's, so that one pre-trained network can
# be retrained under plain SGD and under momentum (issue 28's optimiser x convergence 2 x 2).
SGD_MOMENTUM_SETTING = {
    "description": "SGD momentum of the method's retraining and fine-tuning (null: train's)",
    "type": ["number", "null"],
    "minimum": 0,
    "exclusiveMaximum": 1,
    "default": None,
}

# The retraining learning rate every method's search space holds: from a fifth of the
# paper's plain-SGD rate (0.01) to four times the converged runs' rate with momentum (0.05).
LEARNING_RATE_RANGE = Range(0.002, 0.2, log=True)


@runtime_checkable
class MethodState(Protocol):
    """What a method leaves on the network beside its mask, saved with it (e.g. the relaxed
    mask of the FW methods, `fw.FrankWolfeState`)."""

    def arrays(self) -> dict[str, np.ndarray]:
        """The entries it adds to the saved state, each keyed `<method>/<name>` (any first
        part but `model` and `optimizer`, the network's own: `fwprune.checkpoint`)."""
        ...


@runtime_checkable
class PrunableNetwork(Protocol):
    """Everything a method may use of the network it prunes (`fwprune.training.MaskedNetwork`,
    and the numpy softmax model of tests/test_fw_reference.py).

    A method sees units (`fwprune.groups`: weights, or filters) only: it scores them, sets
    the unit mask (the weight mask follows from it), estimates the mask gradient, trains,
    and may leave a `method_state` to be saved with the network.
    """

    units: Units
    method_state: MethodState | None

    @property
    def unit_count(self) -> int: ...

    @property
    def unit_mask(self) -> np.ndarray:
        """The kept units, boolean, `unit_count` entries (read-only)."""
        ...

    def unit_magnitudes(self) -> np.ndarray:
        """Each unit's score for magnitude pruning and ties (|W| for a weight)."""
        ...

    def set_unit_mask(self, unit_mask: np.ndarray) -> None:
        """A pruning event: keep exactly the units `unit_mask` keeps."""
        ...

    def unit_gradient(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> np.ndarray:
        """∂L(W ⊙ h(u))/∂u at the current unit mask, L the mean loss over (x, y)."""
        ...

    def train(self, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
        """Masked training for `epochs` epochs."""
        ...


@dataclasses.dataclass(frozen=True)
class Method:
    """What the workflow knows about a pruning method."""

    name: str  # its name in `methods`, its config section and its results folder
    # (network, data, params, rng) -> pruned network; it uses only `PrunableNetwork`
    prune: Callable
    description: str  # one line: what it is (the schema's description of its section)
    label: str  # legend text in figures
    marker: str  # matplotlib marker in figures
    target_key: str  # the key of its section holding the final sparsity (the sweep sets it)
    # JSON schema of each key of its section, with defaults; `finetune_epochs` (the common
    # fine-tune stage's epochs) is always one of them.
    settings: dict
    # Epochs it trains after the checkpoint, fine-tuning included, from its section.
    epochs: Callable[[dict], int] = retraining_epochs
    paper_algorithm: int | None = None  # the paper's algorithm it implements, if any
    # What tuning searches (`fwprune.tuning`): setting -> Range or Choice, each inside the
    # setting's schema. Empty: the method cannot be tuned. No key may change the epochs it
    # spends, so that every trial trains as long.
    search_space: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if not self.name.isidentifier() or not names.is_method(self.name):
            raise ValueError(f"method name {self.name!r}: not an identifier, or a model name")
        for key in (self.target_key, "finetune_epochs"):
            if key not in self.settings:
                raise ValueError(f"method {self.name}: its settings have no {key!r}")
        self._check_search_space()

    def _check_search_space(self) -> None:
        """Every searched key is a setting of its section that leaves the epochs it spends
        alone, and both ends of its range (every option of a choice) are values its schema
        allows."""
        properties, defaults = self.schema()["properties"], self.defaults()
        for key, dimension in self.search_space.items():
            if key not in properties or key == self.target_key:
                raise ValueError(f"method {self.name}: search space key {key!r} is no setting")
            for value in dimension.ends():
                if self.epochs(defaults | {key: value}) != self.epochs(defaults):
                    raise ValueError(
                        f"method {self.name}: search space key {key!r} changes the epochs "
                        "it spends: trials would not train equally long"
                    )
                try:
                    jsonschema.validate(value, properties[key])
                except jsonschema.ValidationError as error:
                    raise ValueError(
                        f"method {self.name}: search space {key} = {value!r}: {error.message}"
                    ) from None

    def defaults(self) -> dict:
        """Its section's settings as the schema fills them in: every key's default."""
        return {key: value["default"] for key, value in self.schema()["properties"].items()}

    def schema(self) -> dict:
        """The JSON schema of its config section (a fresh copy: validation fills defaults)."""
        return {
            "description": self.description,
            "type": "object",
            "additionalProperties": False,
            "default": {},
            "properties": copy.deepcopy(
                self.settings
                | {
                    "granularity": GRANULARITY_SETTING,
                    "scope": SCOPE_SETTING,
                    "dense_epochs": DENSE_EPOCHS_SETTING,
                    "learning_rate": LEARNING_RATE_SETTING,
                    "sgd_momentum": SGD_MOMENTUM_SETTING,
                }
            ),
        }


def discover() -> dict[str, Method]:
    """Every module's `METHOD` in this folder, the paper's algorithms first, in their order."""
    found = registry.discover(__name__, __path__, "METHOD")
    order = sorted(found.values(), key=lambda m: (m.paper_algorithm or 1000, m.name))
    return {method.name: method for method in order}


REGISTRY = discover()


def with_defaults(method: Method) -> Callable:
    """`method`'s prune, its params' missing keys taken from its declared defaults (what a
    validated config section holds): a method reads every key it uses, never defaulting it."""
    defaults = method.defaults()
    return lambda network, data, params, rng: method.prune(network, data, defaults | params, rng)


PRUNERS = {name: with_defaults(method) for name, method in REGISTRY.items()}


def prune(method: str, network, data, params: dict, rng):
    """Run the registered `method` with `params` (its section as the job uses it): first
    `dense_epochs` epochs of dense training, then the method itself."""
    if params["dense_epochs"]:
        network.train(*data, params["dense_epochs"])
    return PRUNERS[method](network, data, params, rng)


def config_schema(schema: dict) -> dict:
    """The workflow's config `schema` with a section per registered method; `methods`
    defaults to the paper's. The names a method list allows (registered methods and the
    config's variants) are checked by `fwprune.experiment.check`."""
    schema = copy.deepcopy(schema)
    properties = schema["properties"]
    for name, method in REGISTRY.items():
        if name in properties:
            raise ValueError(f"method {name!r} has the name of the config section {name!r}")
        properties[name] = method.schema()
    properties["methods"]["default"] = [m for m in REGISTRY if REGISTRY[m].paper_algorithm]
    return schema
