"""The networks: one module per network, each declaring itself as `NETWORK`.

A network is a builder (input_shape, num_classes) -> an untrained Keras model. Pruning acts
on the kernels of its Conv2D and Dense layers (`fwprune.model.prunable_layers`), and the
metrics name their per-layer columns by layer name, so give those layers names that read
well in a table. The builder must create the same model, weights included, for the same
Keras seed: training seeds Keras, then builds.

Importing this package imports every module in its folder and collects their `NETWORK`s in
`REGISTRY`: a new network is one new file here (README, "Adding a network or a data
set"). The schema reads the registry for the names `network` allows. Keep these modules
free of TensorFlow and Keras at import time (import them inside the builder): the workflow
imports the registry when it parses the Snakefile.
"""

import copy
import dataclasses
from collections.abc import Callable

from fwprune import registry


@dataclasses.dataclass(frozen=True)
class Network:
    """What the workflow knows about a network."""

    name: str  # its name in the config's `network`
    description: str  # one line: what it is
    build: Callable  # (input_shape, num_classes) -> keras.Model

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"network name {self.name!r}: not an identifier")


REGISTRY: dict[str, Network] = registry.discover(__name__, __path__, "NETWORK")
DEFAULT = "cnn"  # the paper's


def config_schema(schema: dict) -> dict:
    """The workflow's config `schema` with the registered names as the values `network`
    allows, the paper's CNN by default."""
    schema = copy.deepcopy(schema)
    schema["properties"]["network"] |= {"enum": list(REGISTRY), "default": DEFAULT}
    return schema
