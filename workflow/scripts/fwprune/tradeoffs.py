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
