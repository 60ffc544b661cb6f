"""The statistics behind every verdict: intervals, paired comparisons, multiplicity.

A comparison of two models is made on the per-seed differences d (seeds are paired: at one
seed both start from the same checkpoint) and has four outcomes:

- better / worse: the two-sided paired t-test gives p < alpha (the 95 % t-interval of the
  mean difference excludes 0) and the interval is not wholly inside [-margin, +margin];
- equivalent: two one-sided tests (TOST) against -margin and +margin, each at alpha / 2,
  both reject, i.e. the 95 % interval lies inside [-margin, +margin]; its p-value is
  reported as 2 * max(p_lower, p_upper), so that the one threshold alpha applies to both
  kinds of p-value;
- inconclusive otherwise ("not shown" is not "no difference": that takes equivalence).

With one seed there is no interval, and the outcome is inconclusive ("1 seed"). A cell
whose seeds split (one collapsed to chance, another not) has no meaningful mean: it is
shown by its seeds, and every comparison involving it is inconclusive ("split seeds").

Many comparisons in one table are adjusted by Benjamini-Hochberg, separately for the
family of difference p-values and the family of equivalence p-values (`adjust`).
Pure numpy and scipy; the tables that use it are built in `claims.py` and `verdicts.py`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import stats as scipy_stats

from fwprune.verdict_settings import Settings as Settings  # the verdicts' settings

BETTER, WORSE, EQUIVALENT, INCONCLUSIVE = "better", "worse", "equivalent", "inconclusive"
ONE_SEED, SPLIT_SEEDS, NO_COMMON_SEED = "1 seed", "split seeds", "no common seed"


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t-interval over seeds (the interval is the mean with 1 seed)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = (
        scipy_stats.t.ppf(0.5 + level / 2, len(values) - 1)
        * values.std(ddof=1)
        / np.sqrt(len(values))
    )
    return mean, mean - half, mean + half


def fmt(values, digits: int = 3) -> str:
    """ "mean [low, high]" over seeds; the bare value with one seed."""
    mean, low, high = mean_ci(values)
    if len(np.atleast_1d(values)) < 2:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def is_split(values, collapsed_below: float) -> bool:
    """Some seeds collapsed (below `collapsed_below`, e.g. chance + 0.1) and some did not."""
    values = np.asarray(values, dtype=float)
    collapsed = values < collapsed_below
    return bool(collapsed.any() and not collapsed.all())


def fmt_cell(values, collapsed_below: float, digits: int = 3) -> str:
    """A cell of one model over seeds: mean [CI], or its seeds when they split."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if not len(values):
        return ""
    if is_split(values, collapsed_below):
        return "split: " + ", ".join(f"{v:.{digits}f}" for v in values)
    return fmt(values, digits)


@dataclass(frozen=True)
class Comparison:
    """A paired comparison: the mean difference, its 95 % interval and the two p-values.

    `p_difference` (paired t-test of mean 0) and `p_equivalence` (TOST against ±margin)
    are NaN when there is no test: one seed, split seeds, or margin 0 for equivalence.
    `adjusted` says whether they are Benjamini-Hochberg adjusted (`adjust`).
    """

    mean: float
    low: float
    high: float
    seeds: int
    p_difference: float
    p_equivalence: float
    margin: float
    alpha: float
    note: str = ""
    adjusted: bool = field(default=False)

    @property
    def outcome(self) -> str:
        if self.note:
            return INCONCLUSIVE
        if self.p_equivalence < self.alpha:
            return EQUIVALENT
        # A difference inside the margin is never "better": after the adjustment its
        # equivalence may no longer be shown, and then it is inconclusive.
        inside = -self.margin <= self.low and self.high <= self.margin
        if self.p_difference < self.alpha and not inside:
            return BETTER if self.mean > 0 else WORSE
        return INCONCLUSIVE

    @property
    def verdict(self) -> str:
        """The outcome, with why it is inconclusive when there was no test."""
        return f"{self.outcome} ({self.note})" if self.note else self.outcome

    def interval(self, digits: int = 3) -> str:
        """ "+0.004 [+0.000, +0.008]" (the bare mean with one seed)."""
        if self.seeds == 0:
            return "–"
        if self.seeds < 2:
            return f"{self.mean:+.{digits}f}"
        return f"{self.mean:+.{digits}f} [{self.low:+.{digits}f}, {self.high:+.{digits}f}]"

    def __str__(self) -> str:
        return f"{self.interval()} {self.verdict}"


def compare(differences, margin: float, alpha: float, note: str = "") -> Comparison:
    """The four-outcome comparison of per-seed differences (see the module docstring).

    `note` marks a comparison that is inconclusive whatever its numbers ("split seeds").
    Zero-variance differences are decided exactly: the interval is the point, p = 0 for the
    difference unless the mean is 0 (then 1), and equivalence when |mean| < margin.
    """
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if margin < 0:
        raise ValueError(f"margin must be >= 0, not {margin}")
    n = len(d)
    if n == 0:
        return Comparison(np.nan, np.nan, np.nan, 0, np.nan, np.nan, margin, alpha, NO_COMMON_SEED)
    mean, low, high = mean_ci(d, 1 - alpha)
    if n == 1:
        return Comparison(mean, low, high, 1, np.nan, np.nan, margin, alpha, note or ONE_SEED)
    if note:
        return Comparison(mean, low, high, n, np.nan, np.nan, margin, alpha, note)
    se = d.std(ddof=1) / np.sqrt(n)
    if se == 0:
        p_difference = 0.0 if mean != 0 else 1.0
        p_equivalence = 0.0 if abs(mean) < margin else 1.0
    else:
        df = n - 1
        p_difference = float(2 * scipy_stats.t.sf(abs(mean) / se, df))
        p_lower = scipy_stats.t.sf((mean + margin) / se, df)  # H0: mean <= -margin
        p_upper = scipy_stats.t.cdf((mean - margin) / se, df)  # H0: mean >= +margin
        p_equivalence = float(min(1.0, 2 * max(p_lower, p_upper)))
    if margin == 0:
        p_equivalence = np.nan  # no band: equivalence cannot be shown, and is not tested
    return Comparison(mean, low, high, n, p_difference, p_equivalence, margin, alpha)


def paired(a: Mapping, b: Mapping) -> np.ndarray:
    """a - b on the seeds both have (each a mapping seed -> value, e.g. a pandas Series);
    NaN values count as absent."""
    seeds = sorted(
        s for s in set(a.keys()) & set(b.keys()) if not (np.isnan(a[s]) or np.isnan(b[s]))
    )
    return np.array([a[s] - b[s] for s in seeds], dtype=float)


def bh_adjust(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1), in input
    order; NaN entries are not tests, and stay NaN without counting in the family."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return adjusted
    order = tested[np.argsort(p[tested], kind="stable")]  # ascending p
    scaled = p[order] * m / np.arange(1, m + 1)  # p_(i) * m / i
    # Step-up: the adjusted p of rank i is the smallest scaled p of rank >= i.
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return adjusted


def adjust(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """The comparisons of one table with Benjamini-Hochberg adjusted p-values (the
    difference family and the equivalence family each adjusted over the table), in order;
    their outcomes then follow the adjusted p-values."""
    p_difference = bh_adjust([c.p_difference for c in comparisons])
    p_equivalence = bh_adjust([c.p_equivalence for c in comparisons])
    return [
        replace(c, p_difference=float(pd_), p_equivalence=float(pe), adjusted=True)
        for c, pd_, pe in zip(comparisons, p_difference, p_equivalence, strict=True)
    ]


def fmt_p(p: float) -> str:
    """A p-value for a table: "–" when there was no test."""
    if np.isnan(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"
