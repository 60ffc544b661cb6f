"""The names of the models in the metrics table's `method` column.

`base` is the unpruned checkpoint, a method's name its pruned and fine-tuned model, and
`dense+E` the compute-matched control: the unpruned checkpoint trained E more epochs.
"""

import re

BASE = "base"
CONTROL_PREFIX = "dense+"
CONTROL = re.compile(r"dense\+(\d+)")


def control(epochs: int) -> str:
    """The name of the checkpoint trained `epochs` more epochs."""
    return f"{CONTROL_PREFIX}{epochs}"


def control_epochs(name: str) -> int | None:
    """E of the control `dense+E`; None for any other name."""
    found = CONTROL.fullmatch(name)
    return int(found[1]) if found else None


def is_method(name: str) -> bool:
    """A pruned model, not the base checkpoint or a control."""
    return name != BASE and not name.startswith(CONTROL_PREFIX)


def extra_epochs(name: str) -> int:
    """Epochs beyond the budget of an unpruned model's checkpoint: 0 for base, E for dense+E."""
    if is_method(name):
        raise ValueError(f"{name!r} is a pruned model, not a checkpoint")
    return control_epochs(name) or 0


def model_pattern(methods) -> str:
    """A regular expression matching exactly the model names of these methods."""
    return "|".join([BASE, *map(re.escape, methods), CONTROL.pattern])
