"""The looks of a settled sweep (`snakemake settle_NAME`): how many seeds each look has,
which seeds, and what a look's judge is given. Plain Python (no numpy): Snakemake reads it
when it parses the workflow. The rule judging each look is `fwprune.sequential`'s."""

import dataclasses
import itertools
from dataclasses import dataclass

from fwprune.experiment import Sweep

Cell = tuple[int, int, str, float]  # seed, budget, method, sparsity (paths.CELL's order)


@dataclass(frozen=True)
class Looks:
    """The schedule of looks: `first` seeds, then `round` more at a time up to `cap`."""

    first: int
    round: int
    cap: int

    def sizes(self) -> list[int]:
        """Seeds at each look, e.g. first 3, round 3, cap 20: 3, 6, 9, 12, 15, 18, 20."""
        if self.first >= self.cap:
            return [self.first]
        return [*range(self.first, self.cap, self.round), self.cap]

    def alpha(self, alpha: float) -> float:
        """The level each look is judged at: alpha shared by the looks (Bonferroni)."""
        return alpha / len(self.sizes())

    def seeds(self, initial, avoid=()) -> list[int]:
        """Every seed a cell may get, in order: the sweep's, then the next unused integers
        above them (none of `avoid`, e.g. the tuning seed, which no reported seed may be)."""
        found = sorted(initial)
        candidate = max(found) + 1
        while len(found) < max(self.cap, len(initial)):
            if candidate not in avoid:
                found.append(candidate)
            candidate += 1
        return found


def schedule(sweep: Sweep, entry: dict) -> Looks:
    """A sweep's looks from its `settle` entry: its seeds, then `round` more up to `max_seeds`."""
    return Looks(len(sweep.seeds), entry["round"], entry["max_seeds"])


def seeds(sweep: Sweep, entry: dict) -> list[int]:
    """Every seed a settled cell may get: the sweep's, then the next integers but the
    tuning seed (no reported seed is tuned on)."""
    avoid = {sweep.tune["seed"]} if sweep.tune["trials"] else set()
    return schedule(sweep, entry).seeds(sweep.seeds, avoid)


def first_cells(sweep: Sweep) -> list[Cell]:
    """Look 0: every cell of the sweep's grid at the sweep's seeds (not `more_seeds`)."""
    grid = (sweep.seeds, sweep.budgets, sweep.methods, sweep.sparsities)
    return list(itertools.product(*grid))


def job_params(sweep: Sweep, entry: dict) -> dict:
    """What a look's judge reads of the `settle` entry: the schedule, every seed a cell may
    get, in order, and the comparisons (None: each FW method against each baseline)."""
    return {
        "schedule": dataclasses.asdict(schedule(sweep, entry)),
        "seeds": seeds(sweep, entry),
        "comparisons": entry["comparisons"],
    }
