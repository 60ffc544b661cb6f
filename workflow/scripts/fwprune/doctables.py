"""Tables in the docs made by code from committed data, and checked against it.

A generated table sits between two markers in a markdown file:

    <!-- table: GENERATOR FILE [FILE ...] -->
    ...the generator's markdown...
    <!-- end table -->

GENERATOR names a function of `GENERATORS` (`claims`: the claims table of a metrics
table; `verdicts`: a sweep's two verdict tables; `best`: only the first of them, the best
method of each cell against the runner-up (for a sweep of many methods); `pairs:A:B,C:D`:
the verdicts of method A against B and C against D in every cell; `changes:A:B,...`: the
same pairs' verdicts in two sweep tables (untuned, then tuned) side by side; `trials`: a
tuning's trials and winners (its trials.tsv and winners.yaml); `matched:A:B,...`: the same pairs
of a filter sweep at equal kept parameters (`fwprune.matched`); `settled:3,3,20[;A:B,...]`: a
settled sweep's verdicts (`snakemake settle_NAME`'s metrics.tsv; its looks: the first, the
round and the cap, then the comparisons if chosen); `budgets`: a run's mean
test accuracy per budget and model; `latency`: a timed sweep's latency ratios, pruned ÷
dense and the dense copy's control, at both batch sizes; `latency_ranges`: the same
ratios' lowest and highest per method over a run's timing jobs; `rounds:N`: the timing rounds
each of those ratios needs, for a run that timed N rounds per job; `quote`: a committed
report as it is, such as a run's `cost.md`, which tests/test_cost.py recomputes from the
run's records), FILE the data it reads,
relative to the repository root (e.g. `docs/runs/mnist-grid/metrics.tsv`); several sweep
tables are read as one (their cells paired by seed). Verdicts use the defaults of
config.yaml's `verdicts` section (`fwprune.stats.Settings`).

    python -m fwprune.doctables docs/results.md --write   regenerate the tables in place
    python -m fwprune.doctables docs/results.md --check   exit 1 naming each table that differs,
                                                          and each line of "In short" that
                                                          types a verdict outside a table
"""

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from fwprune import claims, matched, settle, stats, timing, tuning, verdicts
from fwprune.io import read_table


def claims_table(metrics, sweep=None) -> str:
    return claims.report(read_table(metrics), read_table(sweep) if sweep else None)


def read_sweeps(files) -> pd.DataFrame:
    """Several sweeps' tables as one: a method's cells may come from any of them."""
    return pd.concat([read_table(path) for path in files], ignore_index=True)


def verdicts_table(*sweeps) -> str:
    return verdicts.report(read_sweeps(sweeps)).rstrip("\n")


def best_table(*sweeps) -> str:
    return verdicts.which_method(verdicts.sweep_accuracy(read_sweeps(sweeps)))


def pairs_table(pairs: str, *sweeps) -> str:
    """`pairs` as "A:B,C:D": A − B and C − D in every cell that has both."""
    chosen = [tuple(pair.split(":")) for pair in pairs.split(",")]
    return verdicts.pair_verdicts(verdicts.sweep_accuracy(read_sweeps(sweeps)), chosen)


def matched_table(pairs: str, *sweeps) -> str:
    """`pairs` as for `pairs_table`, compared at equal kept parameters (`fwprune.matched`)."""
    chosen = [tuple(pair.split(":")) for pair in pairs.split(",")]
    return matched.matched_table(read_sweeps(sweeps), chosen)


def changes_table(pairs: str, before, after) -> str:
    """`pairs` as for `pairs_table`: their verdicts in sweep table `before` and in `after`
    (e.g. untuned and tuned), side by side."""
    chosen = [tuple(pair.split(":")) for pair in pairs.split(",")]
    accuracy = [verdicts.sweep_accuracy(read_table(path)) for path in (before, after)]
    return verdicts.verdict_changes(*accuracy, chosen)


def settled_table(spec: str, sweep) -> str:
    """A settled sweep's verdicts (`fwprune.settle.report`) from its metrics table; `spec`
    is "FIRST,ROUND,CAP" (its looks), then optionally ";A:B,C:D" (its comparisons)."""
    schedule, _, pairs = spec.partition(";")
    first, round_, cap = (int(n) for n in schedule.split(","))
    params = {
        "schedule": {"first": first, "round": round_, "cap": cap},
        "comparisons": pairs.split(",") if pairs else None,
    }
    return settle.report(read_table(sweep), params, stats.Settings()).rstrip("\n")


def grouped(rows) -> str:
    """Markdown lines, one per verdict: the rows that have it, in table order."""
    found = {}
    for verdict, row in rows:
        found.setdefault(verdict.strip("*"), []).append(row)
    return "\n".join(f"- **{verdict}**: {'; '.join(named)}" for verdict, named in found.items())


def claims_summary(metrics, sweep=None) -> str:
    """The claims table's verdicts, each with its rows (number and claim)."""
    judged = claims.check_claims(read_table(metrics), read_table(sweep) if sweep else None)
    return grouped((c.holds, f"row {i} ({c.text})") for i, c in enumerate(judged, 1))


def pairs_summary(pairs: str, *sweeps) -> str:
    """The verdicts (after BH) of `pairs` ("A:B,C:D") in a sweep table, each with its rows:
    the comparison at each budget and sparsity, in the `pairs` table's row order."""
    accuracy = verdicts.sweep_accuracy(read_sweeps(sweeps))
    chosen = [tuple(pair.split(":")) for pair in pairs.split(",")]
    return verdict_rows(verdicts.judged_pairs(accuracy, chosen, stats.Settings()))


def summary(*sweeps) -> str:
    """As `pairs_summary` for each Frank-Wolfe method against each baseline (the
    `verdicts` table's second table)."""
    frame = read_sweeps(sweeps)
    accuracy = verdicts.sweep_accuracy(frame)
    judged = verdicts.judged_pairs(
        accuracy, verdicts.comparisons(accuracy, frame), stats.Settings()
    )
    return verdict_rows(judged)


def verdict_rows(judged) -> str:
    return grouped(
        (adjusted.verdict, f"{method} − {other} at budget {budget}, {sparsity:g}")
        for budget, sparsity, method, other, _, adjusted in judged
    )


def trials_table(trials, winners) -> str:
    """Per cell and method of a tuning: the K trials' validation accuracy (lowest, median,
    highest) and the winner's trial, validation and test accuracy and settings."""
    table = read_table(trials)
    chosen = {tuple(w[k] for k in tuning.CELL_KEYS): w for w in tuning.read_winner_entries(winners)}
    lines = [
        "| budget | sparsity | method | trials | validation: lowest | median | highest "
        "| winner | its test accuracy | its settings |",
        "|---" * 10 + "|",
    ]
    for cell, rows in table.groupby(list(tuning.CELL_KEYS)):
        budget, method, sparsity = cell
        winner = chosen[cell]
        test = rows.loc[rows["trial"] == winner["trial"], "test_accuracy"].item()
        accuracy = rows[tuning.SELECTION_COLUMN]
        settings = ", ".join(
            f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
            for k, v in winner["settings"].items()
        )
        cells_ = [str(budget), f"{sparsity:g}", method, str(len(rows))]
        cells_ += [f"{accuracy.min():.4f}", f"{accuracy.median():.4f}", f"{accuracy.max():.4f}"]
        cells_ += [str(winner["trial"]), f"{test:.4f}", settings]
        lines.append("| " + " | ".join(cells_) + " |")
    return "\n".join(lines)


def budgets_table(metrics) -> str:
    """Test accuracy per budget and model of a run's metrics table, the mean over seeds."""
    frame = read_table(metrics)
    means = frame.pivot_table("test_accuracy", "budget", "method", aggfunc="mean")
    models = [m for m in frame["method"].drop_duplicates() if m in means]
    lines = ["| budget | " + " | ".join(models) + " |", "|---" * (len(models) + 1) + "|"]
    for budget, row in means[models].iterrows():
        lines.append(f"| {budget} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    return "\n".join(lines)


LATENCY_COLUMNS = {
    "batch 1: pruned ÷ dense": "inference_time_ratio",
    "control": "inference_time_control_ratio",
    "large batch: pruned ÷ dense": "inference_time_ratio_large_batch",
    "control ": "inference_time_control_ratio_large_batch",
}


def latency_table(sweep) -> str:
    """Per cell and method: each latency ratio's mean [95% CI] over seeds (each seed's
    value the median of its timing job's interleaved rounds)."""
    frame = read_table(sweep)
    keys = ["budget", "target_sparsity", "method"]
    lines = [
        f"| budget | sparsity | method | seeds | {' | '.join(LATENCY_COLUMNS)} |",
        "|---" * (len(LATENCY_COLUMNS) + 4) + "|",
    ]
    for (budget, sparsity, method), rows in frame.groupby(keys, sort=True):
        cells = [stats.fmt(rows[column]) for column in LATENCY_COLUMNS.values()]
        lines.append(f"| {budget} | {sparsity:g} | {method} | {len(rows)} | {' | '.join(cells)} |")
    return runtime_note(frame) + "\n".join(lines)


def runtime_note(frame: pd.DataFrame) -> str:
    """The runtime(s) the timing columns of a table were measured in, as a line above it."""
    return f"Runtime: {', '.join(sorted(frame['runtime'].dropna().unique()))}.\n\n"


def latency_ranges_table(metrics) -> str:
    """Per method of a run's timed rows: how many, and the lowest and highest of each
    latency ratio (each row a timing job's median), e.g. over every budget of a grid."""
    frame = read_table(metrics).dropna(subset=["inference_time_ratio"])
    lines = [
        f"| method | jobs | {' | '.join(LATENCY_COLUMNS)} |",
        "|---" * (len(LATENCY_COLUMNS) + 2) + "|",
    ]
    for method, rows in frame.groupby("method", sort=True):
        cells = [f"{rows[c].min():.3f}–{rows[c].max():.3f}" for c in LATENCY_COLUMNS.values()]
        lines.append(f"| {method} | {len(rows)} | {' | '.join(cells)} |")
    return runtime_note(frame) + "\n".join(lines)


def rounds_table(repeats: str, timed) -> str:
    """Per ratio of a timed run that used `repeats` rounds per job: the rounds that put its
    median within ±0.02 at 95 % by sampling error (`timing.rounds_needed`, from each job's
    quartiles), the median and largest over jobs; for a control, the jobs outside 1 ± 0.02
    and the farthest one's distance from 1.0 in standard errors of its median (many: a
    systematic difference, which more rounds do not remove)."""
    frame, half_width = read_table(timed), 0.02
    lines = [
        f"| ratio | jobs | rounds needed: median | largest | outside 1 ± {half_width} "
        "| farthest from 1, standard errors |",
        "|---" * 6 + "|",
    ]
    for column in LATENCY_COLUMNS.values():
        q25, q75 = frame[f"{column}_q25"], frame[f"{column}_q75"]
        needed = timing.rounds_needed(q25, q75, half_width)
        cells = [f"`{column}`", str(len(frame)), f"{np.median(needed):g}", str(needed.max())]
        if "control" in column:
            distance = (frame[column] - 1).abs()
            errors = distance / timing.median_standard_error(q25, q75, int(repeats))
            cells += [str((distance > half_width).sum()), f"{errors.max():.1f}"]
        else:
            cells += ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return f"Rounds per job in the run: {repeats}.\n\n" + "\n".join(lines)


def quoted(report) -> str:
    return Path(report).read_text().rstrip("\n")


GENERATORS = {
    "claims": claims_table,
    "verdicts": verdicts_table,
    "best": best_table,
    "pairs": pairs_table,
    "changes": changes_table,
    "matched": matched_table,
    "summary": summary,
    "pairs_summary": pairs_summary,
    "claims_summary": claims_summary,
    "settled": settled_table,
    "trials": trials_table,
    "budgets": budgets_table,
    "latency": latency_table,
    "latency_ranges": latency_ranges_table,
    "rounds": rounds_table,
    "quote": quoted,
}

TABLE = re.compile(
    r"(?P<start><!-- table: (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(?P<end><!-- end table -->)",
    re.S,
)


def generate(spec: str, root: Path) -> str:
    """The table a marker's spec names: GENERATOR[:ARGUMENT] FILE ..."""
    name, *files = spec.split()
    name, _, argument = name.partition(":")
    if name not in GENERATORS:
        raise ValueError(f"unknown table generator {name!r} (known: {', '.join(GENERATORS)})")
    arguments = [argument] if argument else []
    return GENERATORS[name](*arguments, *(root / f for f in files))


def regenerate(text: str, root: Path) -> tuple[str, list[str]]:
    """The text with every marked table regenerated, and the specs of those that changed."""
    changed = []

    def replace(found: re.Match) -> str:
        body = generate(found["spec"], root) + "\n"
        if body != found["body"]:
            changed.append(found["spec"])
        return found["start"] + body + found["end"]

    return TABLE.sub(replace, text), changed


# The verdicts the tables give; typed by hand, one would say more than a table shows.
VERDICT_WORD = re.compile(
    r"\b(better|worse|equivalent|inconclusive|negligible|holds|fails)\b", re.IGNORECASE
)
SUMMARY = re.compile(r"^## In short\n(?P<body>.*?)(?=^## )", re.S | re.M)


def typed_verdicts(text: str) -> list[str]:
    """The verdict words of the "In short" section outside its generated blocks (each a
    line that types one by hand)."""
    found = SUMMARY.search(text)
    if found is None:
        return []
    typed = TABLE.sub("", found["body"])
    return [line for line in typed.splitlines() if VERDICT_WORD.search(line)]


def tables(text: str) -> list[str]:
    """The specs of the marked tables in `text`."""
    return [found["spec"] for found in TABLE.finditer(text)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="markdown files, e.g. docs/results.md")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the tables in place")
    mode.add_argument("--check", action="store_true", help="fail if a table differs")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    args = parser.parse_args(argv)
    stale, typed = [], []
    for path in args.files:
        text, changed = regenerate(path.read_text(), args.root)
        if args.write and changed:
            path.write_text(text)
        stale += [f"{path}: table {spec}" for spec in changed]
        typed += [f"{path}: {line.strip()}" for line in typed_verdicts(text)]
    for line in stale:
        print(("regenerated " if args.write else "differs from the code: ") + line)
    for line in typed:
        print(f"a verdict typed by hand in 'In short': {line}")
    return 1 if (stale or typed) and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
