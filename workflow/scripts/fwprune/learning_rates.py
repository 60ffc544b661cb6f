"""The SGD learning rate of each epoch: `train.learning_rate_steps`, a step schedule over
the network's absolute epoch, or the constant `train.learning_rate` (METHODS.md's).

Pure Python with no imports: `MaskedNetwork.train` sets each epoch's rate from
`learning_rate_at`, and the Snakefile (`fwprune.experiment`) writes a schedule into the
metrics rows with `describe_learning_rates`.
"""


def learning_rate_at(steps: list[dict] | None, default: float, epoch: int) -> float:
    """The learning rate of absolute epoch `epoch` (1 = the first epoch after
    initialisation, counted along the checkpoint chain: `MaskedNetwork.epochs_trained` + 1).

    `steps` is `train.learning_rate_steps`: [{epochs: n_1, learning_rate: r_1}, ...] gives
    epochs 1..n_1 the rate r_1, the next n_2 epochs r_2, and so on; after the last step its
    rate holds (pruning, retraining and fine-tuning past the schedule continue with it).
    No steps (None or []): `default`, the constant `train.learning_rate`, every epoch.
    """
    if epoch < 1:
        raise ValueError(f"epochs count from 1, got {epoch}")
    if not steps:
        return default
    last = 0
    for step in steps:
        if step["epochs"] < 1:
            raise ValueError(f"a learning-rate step lasts at least 1 epoch: {step}")
        last += step["epochs"]
        if epoch <= last:
            return step["learning_rate"]
    return steps[-1]["learning_rate"]


def describe_learning_rates(steps: list[dict]) -> str:
    """The schedule as the absolute epochs of each rate, for a table's cell:
    6 epochs at 0.05, 3 at 0.01, 3 at 0.002 -> '1-6: 0.05, 7-9: 0.01, 10+: 0.002'."""
    parts, first = [], 1
    for index, step in enumerate(steps):
        last = first + step["epochs"] - 1
        if index == len(steps) - 1:
            span = f"{first}+"
        elif last == first:
            span = f"{first}"
        else:
            span = f"{first}-{last}"
        parts.append(f"{span}: {step['learning_rate']}")
        first = last + 1
    return ", ".join(parts)
