"""A network's saved state (`.npz`), every entry under a key that names what it holds.

    model/<layer>/<variable>     a model variable: `model/conv1/kernel`,
                                 `model/dropout/seed_generator_state`
    optimizer/<variable>         an optimizer variable: `optimizer/iteration`,
                                 `optimizer/cnn_conv1_kernel_momentum`
    unit_mask, mask, latent      the kept units, the weight mask they give, the latent W
    meta                         JSON: `epochs_trained` (`fwprune.io.epochs_trained`)
    <method>/<name>              what the pruning method left (`fwprune.methods.MethodState`),
                                 e.g. `frank_wolfe/relaxed_mask`

The keys come from the networks' explicit layer names and the variables' own names, never
from Keras' per-process name counters (a second model built in a process has an optimizer
`sgd_1` and a `seed_generator_1`): a state loads into any build of the same network.
Loading matches entries by key and fails naming the keys missing and unexpected, except
SGD's momentum entries: a network retrained under another optimiser than the one that
wrote the state (a method's own `sgd_momentum`) starts its velocities at zero, as a fresh
optimiser does, or drops the saved ones (plain SGD has none).
"""

import json

import numpy as np

from fwprune.io import atomic_output

MODEL, OPTIMIZER = "model", "optimizer"
PLAIN_KEYS = ("unit_mask", "mask", "latent", "meta")


class StateMismatch(ValueError):
    """A saved state whose keys are not those of the network loading it."""


def model_variables(model) -> dict:
    """{key: variable} of a model's variables, keyed `model/<layer name>/<variable name>`."""
    found = {
        f"{MODEL}/{layer.name}/{variable.name}": variable
        for layer in model.layers
        for variable in layer.variables
    }
    return _complete(found, model.variables, "model")


def optimizer_variables(optimizer) -> dict:
    """{key: variable} of an optimizer's variables, keyed `optimizer/<variable name>` (an
    optimizer names its own variables uniquely; its name, `sgd_1`..., is left out)."""
    found = {f"{OPTIMIZER}/{variable.name}": variable for variable in optimizer.variables}
    return _complete(found, optimizer.variables, "optimizer")


def _complete(found: dict, variables: list, owner: str) -> dict:
    if len(found) != len(variables) or {id(v) for v in found.values()} != set(map(id, variables)):
        raise StateMismatch(f"the {owner}'s variables have no unique keys: {sorted(found)}")
    return found


def is_momentum_key(key: str) -> bool:
    """An SGD momentum (velocity) entry, `optimizer/<model variable>_momentum`: present
    only when the optimiser that wrote the state had momentum."""
    return key.startswith(f"{OPTIMIZER}/") and key.endswith("_momentum")


def is_method_key(key: str) -> bool:
    """An entry a pruning method left: `<method>/<name>`, outside the network's own."""
    return "/" in key and key.split("/", 1)[0] not in (MODEL, OPTIMIZER)


def save(path, variables: dict, arrays: dict[str, np.ndarray], epochs_trained: int) -> None:
    """Write `variables` ({key: variable}) and `arrays` ({key: array}) with the meta entry,
    atomically."""
    entries = {key: variable.numpy() for key, variable in variables.items()} | arrays
    entries["meta"] = np.array(json.dumps({"epochs_trained": epochs_trained}))
    with atomic_output(path) as temporary:
        np.savez(temporary, **entries)


def load(path, variables: dict) -> dict[str, np.ndarray]:
    """Assign every variable of `variables` ({key: variable}) its saved value; return the
    plain entries and the methods' (`PLAIN_KEYS`, `is_method_key`). The saved keys must be
    exactly those, but for momentum entries when the state was written under the other
    optimiser (all of them saved and none expected, or the reverse; `is_momentum_key`):
    otherwise fails naming the missing and the unexpected ones."""
    with np.load(path) as archive:
        saved = set(archive.files)
        if any(key.startswith("variable/") for key in saved):
            raise StateMismatch(
                f"{path}: a state keyed by variable position (written before states were "
                "keyed by name); rerun the job that wrote it"
            )
        expected = set(variables) | set(PLAIN_KEYS)
        if not any(map(is_momentum_key, expected)) or not any(map(is_momentum_key, saved)):
            saved = {key for key in saved if not is_momentum_key(key)}
            expected = {key for key in expected if not is_momentum_key(key)}
        missing = sorted(expected - saved)
        unexpected = sorted(key for key in saved - expected if not is_method_key(key))
        if missing or unexpected:
            raise StateMismatch(
                f"{path} does not fit this network: missing {missing}, unexpected {unexpected}"
            )
        for key, variable in variables.items():
            if key in saved:  # a velocity not saved keeps its zero start
                variable.assign(archive[key])
        return {key: archive[key] for key in saved - set(variables)}
