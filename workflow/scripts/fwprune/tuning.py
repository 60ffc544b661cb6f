"""Tuning: a method's search space, the K settings drawn from it, and the winner of a cell.

A method declares its space beside its settings (`Method.search_space`, in its own file);
`draw` takes K points of it with SciPy's seeded Latin hypercube (`scipy.stats.qmc`), the
same K for every method; each point is trained on the training split and scored on the
validation split; `winners` keeps the best point of each cell by validation accuracy alone.
The test split is only reported: nothing here reads it.
"""

import dataclasses
import math
from pathlib import Path

import numpy as np
import yaml

# What a trial is judged by; test accuracy never chooses.
SELECTION_COLUMN = "validation_accuracy"


@dataclasses.dataclass(frozen=True)
class Range:
    """A number from `low` to `high`, uniform or (with `log`) log-uniform; rounded to an
    integer with `integer`."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __post_init__(self):
        if not self.low < self.high or (self.log and self.low <= 0):
            raise ValueError(f"range [{self.low}, {self.high}]: need low < high (and > 0 on log)")

    def value(self, unit: float):
        """The point at `unit` in [0, 1) of the range."""
        if self.log:
            low, high = math.log(self.low), math.log(self.high)
            number = math.exp(low + unit * (high - low))
        else:
            number = self.low + unit * (self.high - self.low)
        if self.integer:
            return min(max(int(round(number)), int(self.low)), int(self.high))
        # Four significant digits: readable in tables and params; the bounds clamp what
        # rounding (and exp(log(x))) may push just outside them.
        return min(max(float(f"{number:.4g}"), self.low), self.high)

    def ends(self) -> list:
        return [self.value(0.0), self.value(1.0)]


@dataclasses.dataclass(frozen=True)
class Choice:
    """One of `options`, each an equal share of [0, 1)."""

    options: tuple

    def value(self, unit: float):
        return self.options[min(int(unit * len(self.options)), len(self.options) - 1)]

    def ends(self) -> list:
        return list(self.options)


def draw(space: dict, trials: int, seed: int) -> list[dict]:
    """`trials` settings from `space` (key -> Range or Choice), a Latin hypercube in the
    unit cube mapped through each key's scale: every key's range is covered evenly, and the
    same space, count and seed give the same settings."""
    if not space:
        raise ValueError("an empty search space has nothing to tune")
    if trials < 1:
        raise ValueError(f"trials must be at least 1, not {trials}")
    # Imported here: the method registry, which the Snakefile loads, imports this module.
    from scipy.stats import qmc

    points = qmc.LatinHypercube(d=len(space), rng=np.random.default_rng(seed)).random(trials)
    keys = sorted(space)
    return [
        {key: space[key].value(u) for key, u in zip(keys, point, strict=True)} for point in points
    ]


def winners(trials: list[dict], cell_keys: tuple[str, ...]) -> list[dict]:
    """Per cell (the values of `cell_keys`), the trial with the highest validation accuracy;
    a tie goes to the lowest trial number, so the choice is deterministic."""
    best: dict[tuple, dict] = {}
    for trial in sorted(trials, key=lambda t: t["trial"]):
        cell = tuple(trial[key] for key in cell_keys)
        if cell not in best or trial[SELECTION_COLUMN] > best[cell][SELECTION_COLUMN]:
            best[cell] = trial
    return [best[cell] for cell in sorted(best)]


# A winner's identity: the cell it won, and the trial it was.
CELL_KEYS = ("budget", "method", "target_sparsity")


def write_winners(winning: list[dict], searched: dict[str, list[str]], path) -> None:
    """The winners as YAML, one entry per cell: the cell, the trial, its validation
    accuracy and the settings it searched (`searched`: method -> its space's keys), the
    table a sweep's `tuned` reads."""
    # Imported here: fwprune.io imports pandas, which the Snakefile (reading winners) avoids.
    from fwprune.io import atomic_output

    entries = [
        {key: trial[key] for key in (*CELL_KEYS, "trial", SELECTION_COLUMN)}
        # A setting the trial did not use is not in its row (gamma under harmonic steps).
        | {
            "settings": {
                k: trial[f"param_{k}"] for k in searched[trial["method"]] if f"param_{k}" in trial
            }
        }
        for trial in winning
    ]
    with atomic_output(path) as temporary:
        Path(temporary).write_text(yaml.safe_dump(entries, sort_keys=False))


def read_winner_entries(path) -> list[dict]:
    """A winners table (`write_winners`) as its entries."""
    return yaml.safe_load(Path(path).read_text())


def read_winners(path) -> dict[tuple, dict]:
    """A winners table: (budget, method, target sparsity) -> the settings."""
    entries = read_winner_entries(path)
    return {tuple(entry[key] for key in CELL_KEYS): entry["settings"] for entry in entries}
