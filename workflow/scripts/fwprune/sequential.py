"""A verdict rule that seeds can only sharpen, judged at a fixed schedule of looks.

A paired comparison (method − other, per-seed accuracy differences d) is placed by where
its interval lies against 0 and ±margin (config `verdicts.equivalence_margin`):

- better / worse: the interval lies wholly above +margin / below −margin: a difference
  larger than the margin is shown;
- negligible: the interval lies inside the margin and excludes 0: a difference is shown,
  and shown smaller than the margin;
- equivalent: the interval lies inside the margin and holds 0;
- ahead / behind: the interval lies above / below 0 but reaches past the margin: a
  difference is shown, its size is not;
- inconclusive: the interval holds 0 and reaches past a margin.

The rule is monotone: an interval inside another gets the same outcome or a sharper one
(inconclusive -> anything; ahead -> better or negligible; equivalent -> negligible), so as
seeds narrow the interval around a fixed true difference the verdict never passes from
better to equivalent or negligible, nor back. Better, worse, equivalent and negligible
are *decided*; ahead, behind and inconclusive are not, and `settle` adds seeds to them.

Seeds come in looks: the sweep's seeds, then `round` more at a time up to `max_seeds`
(a sweep's `settle` entry), a fixed number K of looks known before any data. Each look's
interval has level 1 − alpha/K (Bonferroni over the looks), so the chance that any look
makes a false statement (a difference when there is none, "inside the margin" when the
difference is beyond it) is at most alpha. A comparison's sequential verdict is the first
decided look's; with none decided, "ahead" or "behind" if some look showed it; else
inconclusive. Later seeds never change a decided verdict.

Collapse is its own outcome: a seed below `verdicts.collapsed_below` collapsed. The
collapse rates of the two cells are compared by Fisher's exact test at each look's level
("collapses more" / "collapses less" when it shows a difference, which also decides the
comparison: more seeds would only count more collapses), and accuracy on the seeds where
neither collapsed by the Wilcoxon signed-rank test (no normality assumed) at the three
points −margin, 0, +margin in place of the t-interval. No interval is ever taken over a
collapsed seed.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from fwprune import stats
from fwprune.looks import Looks

BETTER, WORSE, EQUIVALENT, INCONCLUSIVE = (
    stats.BETTER,
    stats.WORSE,
    stats.EQUIVALENT,
    "inconclusive",
)
NEGLIGIBLE, AHEAD, BEHIND = "negligible", "ahead", "behind"
COLLAPSES_MORE, COLLAPSES_LESS = "collapses more", "collapses less"
DECIDED = (BETTER, WORSE, EQUIVALENT, NEGLIGIBLE)
OUTCOMES = (BETTER, WORSE, NEGLIGIBLE, EQUIVALENT, AHEAD, BEHIND, INCONCLUSIVE)
T_TEST, WILCOXON = "t", "Wilcoxon"


def classify(above, below, margin: float):
    """The outcome (see the module docstring) from above(c) / below(c): whether the mean
    difference is shown above / below the point c. Works elementwise on arrays of looks."""
    inside = above(-margin) & below(margin)
    conditions = [
        above(margin),
        below(-margin),
        inside & (above(0.0) | below(0.0)),
        inside,
        above(0.0),
        below(0.0),
    ]
    choices = [BETTER, WORSE, NEGLIGIBLE, EQUIVALENT, AHEAD, BEHIND]
    return np.select(conditions, choices, INCONCLUSIVE)


def classify_interval(low, high, margin: float):
    """The outcome of an interval [low, high] (arrays elementwise): a point below low is
    shown below the mean, one above high shown above it."""
    return classify(lambda c: low > c, lambda c: high < c, margin)


def shown_above(d: np.ndarray, point: float, alpha: float) -> bool:
    """Whether the one-sided Wilcoxon signed-rank test at alpha/2 shows d's centre above
    `point`. A spread of 0 is decided exactly."""
    shifted = d - point
    if len(d) < 2 or not np.any(shifted):
        return False
    if np.ptp(d) == 0:
        return bool(shifted[0] > 0)
    return bool(scipy_stats.wilcoxon(shifted, alternative="greater").pvalue < alpha / 2)


def outcome(d, margin: float, alpha: float, test: str = T_TEST) -> str:
    """The outcome of differences d at level alpha: by the two-sided 1 − alpha t-interval
    of their mean (a point is shown below its lower end), or by one-sided Wilcoxon tests
    at alpha/2 at each of the points −margin, 0 and +margin."""
    d = np.asarray(d, dtype=float)
    if test == T_TEST:
        return str(classify_interval(*interval(d, alpha), margin))
    return str(
        classify(
            lambda c: shown_above(d, c, alpha),
            lambda c: shown_above(-d, -c, alpha),
            margin,
        )
    )


def interval(d, alpha: float) -> tuple[float, float]:
    """The two-sided 1 − alpha t-interval of the mean of d (NaN with fewer than 2)."""
    d = np.asarray(d, dtype=float)
    if len(d) < 2:
        return np.nan, np.nan
    _, low, high = stats.mean_ci(d, level=1 - alpha)  # the one interval of figures and tables
    return low, high


@dataclass(frozen=True)
class Collapse:
    """How many of a cell's seeds collapsed, with the exact 95 % binomial interval."""

    collapsed: int
    seeds: int

    def interval(self) -> tuple[float, float]:
        found = scipy_stats.binomtest(self.collapsed, self.seeds).proportion_ci(method="exact")
        return float(found.low), float(found.high)

    def __str__(self) -> str:
        low, high = self.interval()
        return f"{self.collapsed}/{self.seeds} [{low:.2f}, {high:.2f}]"


def collapse_p(first: Collapse, second: Collapse) -> float:
    """Fisher's exact test (two-sided) of equal collapse rates in two cells."""
    table = [
        [first.collapsed, first.seeds - first.collapsed],
        [second.collapsed, second.seeds - second.collapsed],
    ]
    return float(scipy_stats.fisher_exact(table).pvalue)


def fmt_cell(values, collapsed_below: float, digits: int = 3) -> str:
    """A cell over its seeds: mean [95% t-interval] when no seed collapsed; else the seeds
    that worked by median (lowest–highest), and the collapse count with its interval."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    working = values[values >= collapsed_below]
    if len(working) == len(values):
        return stats.fmt(values, digits)
    collapse = Collapse(len(values) - len(working), len(values))
    if not len(working):
        return f"collapsed {collapse}"
    spread = (
        f"{np.median(working):.{digits}f} ({working.min():.{digits}f}–{working.max():.{digits}f})"
    )
    return f"{spread}, collapsed {collapse}"


@dataclass(frozen=True)
class Look:
    """One look at a comparison: its seeds, mean difference on the seeds where neither
    cell collapsed, the test used, and the outcome at the look's level."""

    seeds: int
    mean: float
    low: float
    high: float
    test: str
    outcome: str
    collapsed: tuple[Collapse, Collapse]
    collapse_p: float
    alpha: float

    @property
    def collapse_outcome(self) -> str:
        """Whether the method's cell collapses more or less often than the other's, when
        Fisher's test shows the rates differ at the look's level ("" when not shown)."""
        if not self.collapse_p < self.alpha:
            return ""
        first, second = (c.collapsed / c.seeds for c in self.collapsed)
        return COLLAPSES_MORE if first > second else COLLAPSES_LESS

    @property
    def decides(self) -> bool:
        """The look decides the comparison: its accuracy outcome, or a collapse difference."""
        return self.outcome in DECIDED or bool(self.collapse_outcome)


def look(a: np.ndarray, b: np.ndarray, margin: float, alpha: float, collapsed_below: float) -> Look:
    """a − b at one look (a, b per-seed accuracy on the same seeds), judged at `alpha`."""
    collapsed_a, collapsed_b = a < collapsed_below, b < collapsed_below
    kept = ~(collapsed_a | collapsed_b)
    d = (a - b)[kept]
    test = T_TEST if kept.all() else WILCOXON
    low, high = interval(d, alpha) if test == T_TEST else (np.nan, np.nan)
    collapses = (Collapse(int(collapsed_a.sum()), len(a)), Collapse(int(collapsed_b.sum()), len(b)))
    return Look(
        seeds=len(a),
        mean=float(d.mean()) if len(d) else np.nan,
        low=low,
        high=high,
        test=test,
        outcome=outcome(d, margin, alpha, test),
        collapsed=collapses,
        collapse_p=collapse_p(*collapses),
        alpha=alpha,
    )


@dataclass(frozen=True)
class Settled:
    """A comparison's sequential verdict over its looks so far."""

    looks: tuple[Look, ...]  # up to the look that decided it: later seeds are not read
    verdict: str  # of accuracy on the seeds where neither cell collapsed
    decided_at: int | None  # seeds at the look that decided it (None: undecided)

    @property
    def collapse_verdict(self) -> str:
        """The collapse outcome of the last look read ("not shown" when rates do not differ)."""
        return (self.looks and self.last.collapse_outcome) or "not shown"

    @property
    def decided(self) -> bool:
        return self.decided_at is not None

    @property
    def last(self) -> Look:
        return self.looks[-1]


def sequential_verdicts(outcomes) -> np.ndarray:
    """The verdict of each row of looks' outcomes (last axis: the looks in order): the
    first decided look's outcome; else ahead / behind if some look showed it and none the
    other; else inconclusive."""
    outcomes = np.asarray(outcomes, dtype=object)
    decided = np.isin(outcomes, DECIDED)
    first = np.take_along_axis(outcomes, decided.argmax(axis=-1)[..., None], axis=-1)[..., 0]
    ahead, behind = (outcomes == AHEAD).any(axis=-1), (outcomes == BEHIND).any(axis=-1)
    undecided = np.select([ahead & ~behind, behind & ~ahead], [AHEAD, BEHIND], INCONCLUSIVE)
    return np.where(decided.any(axis=-1), first, undecided)


def sequential_verdict(looks: list[Look]) -> Settled:
    """A comparison's looks up to the first that decides it (by accuracy or by collapse),
    its accuracy verdict over them (`sequential_verdicts`), and that look's seeds."""
    deciding = [i for i, seen in enumerate(looks) if seen.decides]
    read = looks[: deciding[0] + 1] if deciding else looks
    verdict = str(sequential_verdicts([seen.outcome for seen in read])) if read else INCONCLUSIVE
    return Settled(tuple(read), verdict, read[-1].seeds if deciding else None)


def settle(a: Mapping, b: Mapping, schedule: Looks, settings) -> Settled:
    """method − other at every look of `schedule` their common seeds reach (the first n
    seeds in seed order at the look of n seeds); a and b map seed -> accuracy."""
    settings = stats.Settings.of(settings)
    common = sorted(
        s for s in set(a.keys()) & set(b.keys()) if not (np.isnan(a[s]) or np.isnan(b[s]))
    )
    alpha = schedule.alpha(settings.alpha)
    looks = [
        look(
            np.array([a[s] for s in common[:n]], dtype=float),
            np.array([b[s] for s in common[:n]], dtype=float),
            settings.equivalence_margin,
            alpha,
            settings.collapsed_below,
        )
        for n in schedule.sizes()
        if n <= len(common)
    ]
    return sequential_verdict(looks)
