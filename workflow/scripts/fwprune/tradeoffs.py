"""What a pruned model buys at deployment, and what it costs in accuracy.

    python -m fwprune.tradeoffs results/sweep/metrics.parquet \
        results/filter_sweep/metrics.parquet --base results/seed*/budget*/base/metrics.tsv

prints, per pre-training budget, one markdown row per granularity, method and sparsity of
the sweeps (means over seeds): test accuracy and the points (hundredths) it gives up
against the unpruned checkpoint it was pruned from; latency per example at batch 1 and
time per example at a large batch, in ms, with their ratio to the unpruned model timed
beside it in the same job; the gzip-compressed file in kB with its ratio; what each point
given up buys (ms saved at batch 1 and kB saved, per point); and whether the model is on
the accuracy-latency frontier (no other row of its budget is at least as accurate and
has a lower batch-1 latency ratio): the rows a practitioner chooses from.
"""

import argparse

import pandas as pd

from fwprune.io import read_table
from fwprune.tables import CELL, distinct_rows


def with_savings(cells: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Per seed and cell: accuracy points given up against the seed's and budget's unpruned
    checkpoint (`base`: its metrics rows), and the ms and kB that saves."""
    unpruned = base.set_index(["seed", "budget"])["test_accuracy"].rename("base_accuracy")
    frame = cells.join(unpruned, on=["seed", "budget"], how="inner")
    dense_gzip_bytes = frame["model_gzip_bytes"] / frame["model_gzip_ratio"]
    return frame.assign(
        points_lost=(frame["base_accuracy"] - frame["test_accuracy"]) * 100,
        ms_saved=frame["dense_latency_ms"] - frame["pruned_latency_ms"],
        gzip_kb=frame["model_gzip_bytes"] / 1000,
        kb_saved=(dense_gzip_bytes - frame["model_gzip_bytes"]) / 1000,
    )


def on_frontier(accuracy: pd.Series, latency: pd.Series) -> pd.Series:
    """True where no other row is at least as accurate and strictly faster, or strictly
    more accurate and at most as slow."""
    a, t = accuracy.to_numpy()[:, None], latency.to_numpy()[:, None]
    dominated = ((a.T >= a) & (t.T < t)) | ((a.T > a) & (t.T <= t))
    return pd.Series(~dominated.any(axis=1), index=accuracy.index)


def per_point(saved: float, points_lost: float) -> str:
    """What one point of accuracy buys; none given up (within 0.05) buys it for free."""
    return "free" if points_lost < 0.05 else f"{saved / points_lost:.3g}"


def budget_table(cells: pd.DataFrame) -> str:
    lines = [
        "| granularity | method | sparsity | accuracy | points lost "
        "| batch 1: ms per example (× unpruned) | large batch: ms per example (× unpruned) "
        "| gzip kB (× unpruned) | ms saved per point | kB saved per point | frontier |",
        "|---" * 11 + "|",
    ]
    # Latency as the ratio to the unpruned model timed beside it in the same job: jobs that
    # ran at different times on a busy machine compare fairly.
    frontier = on_frontier(cells["test_accuracy"], cells["inference_time_ratio"])
    for (_, granularity, method, sparsity), row in cells.iterrows():
        lines.append(
            f"| {granularity} | {method} | {sparsity:g} | {row.test_accuracy:.3f} "
            f"| {row.points_lost:+.1f} "
            f"| {row.pruned_latency_ms:.3f} ({row.inference_time_ratio:.2f}) "
            f"| {row.pruned_large_batch_latency_ms:.4f} "
            f"({row.inference_time_ratio_large_batch:.2f}) "
            f"| {row.gzip_kb:.0f} ({row.model_gzip_ratio:.2f}) "
            f"| {per_point(row.ms_saved, row.points_lost)} "
            f"| {per_point(row.kb_saved, row.points_lost)} "
            f"| {'yes' if frontier[row.name] else ''} |"
        )
    return "\n".join(lines)


# The int8 twin's columns beside the float32 twin's (fwprune.quantize), means per cell.
INT8_COLUMNS = [
    "test_accuracy",
    "int8_test_accuracy",
    "pruned_latency_ms",
    "int8_pruned_latency_ms",
    "int8_inference_time_ratio",
    "litert_gzip_bytes",
    "int8_gzip_bytes",
    "int8_gzip_ratio",
]
# How far below its float32 twin's accuracy an int8 model may be and still count as as good
# (half a point of test accuracy; issue 31's criterion for docs/results.md).
INT8_ACCURACY_LOSS = 0.005


def int8_table(cells: pd.DataFrame) -> str:
    """Per cell, the float32 and int8 twins side by side: accuracy, batch-1 latency per
    example (the int8 one also × the unpruned int8 twin timed beside it) and gzip kB (the
    int8 one also × the unpruned float32 twin)."""
    lines = [
        "| granularity | method | sparsity | accuracy float32 | accuracy int8 "
        "| batch 1 ms float32 | batch 1 ms int8 (× unpruned int8) "
        "| gzip kB float32 | gzip kB int8 (× unpruned float32) |",
        "|---" * 9 + "|",
    ]
    for (_, granularity, method, sparsity), row in cells.iterrows():
        lines.append(
            f"| {granularity} | {method} | {sparsity:g} | {row.test_accuracy:.3f} "
            f"| {row.int8_test_accuracy:.3f} | {row.pruned_latency_ms:.3f} "
            f"| {row.int8_pruned_latency_ms:.3f} ({row.int8_inference_time_ratio:.2f}) "
            f"| {row.litert_gzip_bytes / 1000:.0f} "
            f"| {row.int8_gzip_bytes / 1000:.0f} ({row.int8_gzip_ratio:.2f}) |"
        )
    return "\n".join(lines)


def int8_choices(sweeps: pd.DataFrame) -> str:
    """Per method, the smallest (gzip) and the fastest (batch-1 latency ratio) int8 model
    whose mean int8 accuracy is within INT8_ACCURACY_LOSS of its float32 twin's, over
    every budget, granularity and sparsity of `sweeps` (means over seeds)."""
    means = distinct_rows(sweeps).groupby(CELL)[INT8_COLUMNS].mean().reset_index()
    kept = means[means.test_accuracy - means.int8_test_accuracy <= INT8_ACCURACY_LOSS]
    lines = [
        "| method | smallest int8 model | gzip kB | fastest int8 model | batch 1 × unpruned int8 |",
        "|---" * 5 + "|",
    ]
    for method, rows in kept.groupby("method"):
        small = rows.loc[rows.int8_gzip_bytes.idxmin()]
        fast = rows.loc[rows.int8_inference_time_ratio.idxmin()]
        lines.append(
            f"| {method} | {cell_name(small)} | {small.int8_gzip_bytes / 1000:.0f} "
            f"| {cell_name(fast)} | {fast.int8_inference_time_ratio:.2f} |"
        )
    return "\n".join(lines)


def cell_name(row) -> str:
    return f"budget {row.budget}, {row.param_granularity}, sparsity {row.target_sparsity:g}"


def report(sweeps: pd.DataFrame, base: pd.DataFrame) -> str:
    """The trade-off tables of `sweeps` (rows of the sweeps' metrics tables, timed), one per
    budget, against `base` (the unpruned checkpoints' metrics rows)."""
    frame = with_savings(distinct_rows(sweeps), base)
    columns = [
        "test_accuracy",
        "points_lost",
        "pruned_latency_ms",
        "inference_time_ratio",
        "pruned_large_batch_latency_ms",
        "inference_time_ratio_large_batch",
        "gzip_kb",
        "model_gzip_ratio",
        "ms_saved",
        "kb_saved",
    ]
    means = frame.groupby(CELL)[columns].mean()
    seeds = frame["seed"].nunique()
    sections = [
        f"### Pre-trained {budget} epoch(s): mean over {seeds} seed(s)\n\n{budget_table(cells)}\n"
        for budget, cells in means.groupby(level="budget")
    ]
    if set(INT8_COLUMNS) <= set(frame.columns):  # a run from before the int8 stage has none
        int8_means = frame.groupby(CELL)[INT8_COLUMNS].mean()
        sections += [
            f"### Int8 beside float32, pre-trained {budget} epoch(s)\n\n{int8_table(cells)}\n"
            for budget, cells in int8_means.groupby(level="budget")
        ]
        sections.append(
            f"### The smallest and the fastest int8 model within {INT8_ACCURACY_LOSS} of its "
            f"float32 twin's accuracy\n\n{int8_choices(frame)}\n"
        )
    return "\n".join(sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweeps", nargs="+", help="the sweeps' metrics.parquet files")
    parser.add_argument("--base", nargs="+", required=True, help="base/metrics.tsv files")
    arguments = parser.parse_args()
    sweeps = pd.concat(map(read_table, arguments.sweeps), ignore_index=True)
    base = pd.concat(map(read_table, arguments.base), ignore_index=True)
    print(report(sweeps, base), end="")


if __name__ == "__main__":
    main()
