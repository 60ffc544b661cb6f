"""Which method to use at equal sparsity and equal training: the sweep's verdicts.

    python -m fwprune.verdicts results/sweep/metrics.parquet   (or a .tsv)

prints two markdown tables made from the sparsity sweep (every method at every sparsity,
each trained as many epochs after the checkpoint, at each pre-training budget):

- "Which method": per budget and sparsity, each method's test accuracy (mean [95% CI]
  over seeds, or its seeds when they split), the best one by mean, and the comparison of
  the best with the runner-up.
- "Frank-Wolfe against the baselines": every Frank-Wolfe method (variants included,
  `claims.is_frank_wolfe`) against every other method of the sweep, one row per cell and
  pair: the per-seed accuracy difference, mean [95% CI], its two p-values and the verdict
  (`fwprune.stats`: better / worse / equivalent within ±equivalence_margin /
  inconclusive), then the p-values and the verdict after Benjamini-Hochberg over the table.

Seeds are paired: at one seed and budget every method starts from the same checkpoint; a
comparison uses the seeds both methods have.
"""

import argparse

import pandas as pd

from fwprune import stats
from fwprune.claims import is_frank_wolfe
from fwprune.io import read_table

CELL = ["budget", "target_sparsity"]


def sweep_accuracy(sweep: pd.DataFrame) -> pd.DataFrame:
    """Test accuracy with rows (budget, target_sparsity, seed) and one column per method."""
    return sweep.pivot_table("test_accuracy", [*CELL, "seed"], "method", aggfunc="first")


def cells(accuracy: pd.DataFrame):
    """(budget, sparsity, seeds x methods accuracy) for each cell of the sweep; a method
    absent from a cell has no column, a seed absent for one method is NaN."""
    for (budget, sparsity), table in accuracy.groupby(level=CELL):
        yield budget, sparsity, table.droplevel(CELL).dropna(axis=1, how="all")


def compare_cells(table: pd.DataFrame, method: str, other: str, settings) -> stats.Comparison:
    """`method` - `other` on the seeds both have; inconclusive if either cell splits."""
    a, b = table[method].dropna(), table[other].dropna()
    split = any(stats.is_split(v, settings.collapsed_below) for v in (a, b))
    return stats.compare(
        stats.paired(a, b),
        settings.equivalence_margin,
        settings.alpha,
        note=stats.SPLIT_SEEDS if split else "",
    )


def ranked(table: pd.DataFrame) -> list[str]:
    return list(table.mean().sort_values(ascending=False).index)


def which_method(accuracy: pd.DataFrame, settings=None) -> str:
    settings = stats.Settings.of(settings)
    methods = list(accuracy.columns)
    rows, leads = [], []
    for budget, sparsity, table in cells(accuracy):
        order = ranked(table)
        lead = compare_cells(table, order[0], order[1], settings) if len(order) > 1 else None
        rows.append((budget, sparsity, table, order))
        leads.append(lead)
    adjusted = iter(stats.adjust([lead for lead in leads if lead is not None]))
    lines = [
        "| budget | sparsity | "
        + " | ".join(methods)
        + " | best | runner-up | best − runner-up | verdict | after BH |",
        "|---" * (len(methods) + 7) + "|",
    ]
    for (budget, sparsity, table, order), lead in zip(rows, leads, strict=True):
        values = [
            stats.fmt_cell(table[m], settings.collapsed_below) if m in table else ""
            for m in methods
        ]
        if lead is None:
            tail = [order[0], "", "", "", ""]
        else:
            tail = [order[0], order[1], lead.interval(), lead.verdict, next(adjusted).verdict]
        lines.append(f"| {budget} | {sparsity:g} | " + " | ".join(values + tail) + " |")
    return "\n".join(lines)


def comparisons(accuracy: pd.DataFrame, sweep: pd.DataFrame | None = None):
    """(Frank-Wolfe method, other method) pairs of the sweep: every method present that is
    not a Frank-Wolfe method is a baseline, registered or not."""
    present = list(accuracy.columns)
    frank_wolfe = [m for m in present if is_frank_wolfe(m, sweep)]
    baselines = [m for m in present if m not in frank_wolfe]
    return [(fw, base) for fw in frank_wolfe for base in baselines]


def judged_pairs(accuracy: pd.DataFrame, pairs, settings) -> list[tuple]:
    """(budget, sparsity, method, other, comparison, comparison after Benjamini-Hochberg over
    all of them) for each cell and each (method, other) of `pairs` both present in it."""
    found = [
        (budget, sparsity, method, other, compare_cells(table, method, other, settings))
        for budget, sparsity, table in cells(accuracy)
        for method, other in pairs
        if method in table and other in table
    ]
    adjusted = stats.adjust([c for *_, c in found])
    return [(*judged, a) for judged, a in zip(found, adjusted, strict=True)]


def pair_verdicts(accuracy: pd.DataFrame, pairs, settings=None) -> str:
    """For each cell and each (method, other) of `pairs` both present in it: method − other,
    paired on common seeds, its verdict, and its verdict after Benjamini-Hochberg over the
    table's comparisons."""
    settings = stats.Settings.of(settings)
    lines = [
        "| budget | sparsity | comparison | seeds | difference | p | p (equiv.) | verdict "
        "| p (BH) | p (equiv., BH) | after BH |",
        "|---" * 11 + "|",
    ]
    for budget, sparsity, method, other, c, a in judged_pairs(accuracy, pairs, settings):
        cells_ = [
            str(budget),
            f"{sparsity:g}",
            f"{method} − {other}",
            str(c.seeds),
            c.interval(),
            stats.fmt_p(c.p_difference),
            stats.fmt_p(c.p_equivalence),
            c.verdict,
            stats.fmt_p(a.p_difference),
            stats.fmt_p(a.p_equivalence),
            f"**{a.verdict}**",
        ]
        lines.append("| " + " | ".join(cells_) + " |")
    return "\n".join(lines)


def verdict_changes(before: pd.DataFrame, after: pd.DataFrame, pairs, settings=None) -> str:
    """The verdicts (after Benjamini-Hochberg, each table over its own comparisons) of
    `pairs` in every cell of two sweeps' accuracy tables, e.g. untuned and tuned, side by
    side, and whether the verdict changed."""
    settings = stats.Settings.of(settings)
    judged = {
        name: {tuple(row[:4]): row for row in judged_pairs(table, pairs, settings)}
        for name, table in (("before", before), ("after", after))
    }
    lines = [
        "| budget | sparsity | comparison | before: difference | before | after: difference "
        "| after | changed |",
        "|---" * 8 + "|",
    ]
    for key in sorted(judged["before"].keys() & judged["after"].keys()):
        budget, sparsity, method, other = key
        first, second = judged["before"][key][5], judged["after"][key][5]
        # The outcome, not its note: "inconclusive (split seeds)" is still inconclusive.
        outcomes = [c.verdict.split(" (")[0] for c in (first, second)]
        changed = "yes" if outcomes[0] != outcomes[1] else "no"
        cells_ = [str(budget), f"{sparsity:g}", f"{method} − {other}"]
        cells_ += [first.interval(), first.verdict, second.interval(), f"**{second.verdict}**"]
        lines.append("| " + " | ".join([*cells_, changed]) + " |")
    return "\n".join(lines)


def fw_against_baselines(accuracy: pd.DataFrame, settings=None, sweep=None) -> str:
    return pair_verdicts(accuracy, comparisons(accuracy, sweep), settings)


def seed_counts(accuracy: pd.DataFrame) -> str:
    counts = accuracy.notna().groupby(level=CELL).sum()
    low, high = int(counts.min().min()), int(counts.max().max())
    return f"{low}" if low == high else f"{low}–{high}"


def report(sweep: pd.DataFrame, settings=None) -> str:
    """Both tables, judged with the config's `verdicts` section (None: its defaults)."""
    settings = stats.Settings.of(settings)
    accuracy = sweep_accuracy(sweep)
    margin = settings.equivalence_margin
    return (
        f"### Which method (test accuracy, mean [95% CI] over {seed_counts(accuracy)} seeds; "
        f"'split': seeds on both sides of {settings.collapsed_below:g})\n\n"
        f"{which_method(accuracy, settings)}\n\n"
        "### Frank-Wolfe against the baselines (accuracy difference, mean [95% CI], paired "
        f"on common seeds; equivalent: within ±{margin:g}; alpha {settings.alpha:g}; "
        "BH: Benjamini-Hochberg over the table)\n\n"
        f"{fw_against_baselines(accuracy, settings, sweep)}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", help="results/sweep/metrics.parquet or .tsv")
    print(report(read_table(parser.parse_args().sweep)), end="")


if __name__ == "__main__":
    main()
