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

A user's network needs no file here: config `network: {builder: PATH.py:FUNCTION}` names a
builder in the user's own file (`user_builder`); the jobs that build it get the file's
meaning digest in their `network` param (`build_param`), so editing it reruns them.
"""

import copy
import dataclasses
import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path

from fwprune import registry
from fwprune.code_digest import meaning_digest


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
    allows (besides a user's builder), the paper's CNN by default."""
    schema = copy.deepcopy(schema)
    schema["properties"]["network"]["then"]["enum"] = list(REGISTRY)
    schema["properties"]["network"]["default"] = DEFAULT
    return schema


def split_builder(reference: str) -> tuple[Path, str]:
    """`PATH.py:FUNCTION` as the file and the function's name."""
    path, _, function = reference.rpartition(":")
    return Path(path), function


def build_param(network) -> str | dict:
    """What a job that builds `network` (config `network`) gets as its `network` param: a
    registered name as it is; a user's builder with the meaning digest of its file
    (`fwprune.code_digest`), so an edit of the file reruns exactly the jobs that build it,
    a comment or a docstring none."""
    if isinstance(network, str):
        return network
    path, _ = split_builder(network["builder"])
    if not path.is_file():
        raise ValueError(f"config network.builder: no file {path}")
    return {"builder": network["builder"], "code": meaning_digest(path.read_text())}


def title(network) -> str:
    """How the metrics table names `network` (config `network` or a job's param): its
    registered name, or a user's `PATH.py:FUNCTION`."""
    return network if isinstance(network, str) else network["builder"]


def builder(network) -> Callable:
    """The builder (input_shape, num_classes) -> keras.Model of `network`: a registered
    name, or a user's `{"builder": "PATH.py:FUNCTION", ...}` (`user_builder`)."""
    if isinstance(network, str):
        return REGISTRY[network].build
    return user_builder(network["builder"])


@functools.cache
def user_builder(reference: str) -> Callable:
    """The function FUNCTION of the user's file PATH.py (`PATH.py:FUNCTION`, relative to
    the working directory), the file run once per process as a module of its own."""
    path, function = split_builder(reference)
    spec = importlib.util.spec_from_file_location(f"fwprune_user_network_{path.stem}", path)
    if not path.is_file() or spec is None:
        raise ValueError(f"network.builder {reference!r}: no Python file {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found = getattr(module, function, None)
    if not callable(found):
        raise ValueError(f"network.builder {reference!r}: {path} defines no function {function}")
    return found
