"""Filter pruning compared at equal kept parameters, not at an equal fraction of filters.

At one fraction of filters removed, methods keep different shares of the parameters
(global gmp at half the filters keeps 25.7 % of them, FW 34.9 %: docs/results.md §6), so
a comparison by fraction of filters compares methods and sizes at once. Here each
Frank-Wolfe cell (one seed) is compared with the other method at the FW model's own kept
fraction (`nonzero_fraction`): the other's accuracy at that seed is interpolated linearly
in the kept fraction between its two sweep cells that bracket it. Nothing is extrapolated:
where the other method's cells do not reach the FW model's kept fraction, or one of the
two cells around it collapsed (below `verdicts.collapsed_below`: a line from chance to a
working model is no accuracy of either), the comparison is "not matched". The paired
differences are then judged as every comparison (`fwprune.stats`, Benjamini-Hochberg over
the table).
"""

import numpy as np
import pandas as pd

from fwprune import stats

KEPT = "nonzero_fraction"
NOT_MATCHED = "not matched"


def interpolated(runs: pd.DataFrame, kept: float, collapsed_below: float) -> float:
    """A method's accuracy at one seed and budget at kept fraction `kept`, linear between
    its two cells around it (NaN outside its cells' range or next to a collapsed cell)."""
    points = runs.sort_values(KEPT)
    fractions, accuracy = points[KEPT].to_numpy(), points["test_accuracy"].to_numpy()
    if len(points) < 2 or not fractions[0] <= kept <= fractions[-1]:
        return np.nan
    upper = min(int(np.searchsorted(fractions, kept)), len(points) - 1)
    around = accuracy[max(upper - 1, 0) : upper + 1]
    if (around < collapsed_below).any():
        return np.nan
    return float(np.interp(kept, fractions, accuracy))


def matched_differences(frame, method: str, other: str, budget, sparsity, collapsed_below):
    """Per seed: `method`'s kept fraction and its accuracy minus `other`'s interpolated at
    that kept fraction (NaN where `other` does not reach it)."""
    cell = frame[
        (frame.method == method) & (frame.budget == budget) & (frame.target_sparsity == sparsity)
    ]
    others = frame[(frame.method == other) & (frame.budget == budget)]
    kept, differences = [], []
    for _, row in cell.sort_values("seed").iterrows():
        runs = others[others.seed == row.seed]
        kept.append(row[KEPT])
        level = interpolated(runs, row[KEPT], collapsed_below)
        differences.append(row.test_accuracy - level)
    return np.array(kept), np.array(differences)


def kept_range(frame: pd.DataFrame, method: str, budget) -> str:
    """The kept fractions a method's cells span at a budget (means over seeds)."""
    means = frame[(frame.method == method) & (frame.budget == budget)].groupby("target_sparsity")[
        KEPT
    ]
    values = means.mean()
    return f"{values.min():.3f}–{values.max():.3f}"


def matched_table(frame: pd.DataFrame, pairs, settings=None) -> str:
    """Each (method, other) of `pairs` at each of `method`'s cells: its kept fraction, the
    other's range, and method − other at equal kept parameters, judged (after BH)."""
    settings = stats.Settings.of(settings)
    rows = []
    for method, other in pairs:
        cells = frame[frame.method == method][["budget", "target_sparsity"]].drop_duplicates()
        for budget, sparsity in cells.sort_values(["budget", "target_sparsity"]).itertuples(
            index=False
        ):
            kept, d = matched_differences(
                frame, method, other, budget, sparsity, settings.collapsed_below
            )
            comparison = (
                None
                if np.isnan(d).any()
                else stats.compare(d, settings.equivalence_margin, settings.alpha)
            )
            rows.append((budget, sparsity, method, other, kept.mean(), comparison))
    adjusted = iter(stats.adjust([c for *_, c in rows if c is not None]))
    lines = [
        "| budget | filters removed | comparison | kept: method | kept: other's cells "
        "| difference at equal kept parameters | after BH |",
        "|---" * 7 + "|",
    ]
    for budget, sparsity, method, other, kept, comparison in rows:
        cells = [str(budget), f"{sparsity:g}", f"{method} − {other}", f"{kept:.3f}"]
        cells += [kept_range(frame, other, budget)]
        if comparison is None:
            cells += ["–", NOT_MATCHED]
        else:
            cells += [comparison.interval(), f"**{next(adjusted).verdict}**"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
