"""Which method to use at equal sparsity and equal training: the sweep's verdicts.

    python -m fwprune.verdicts results/sweep/metrics.parquet

prints two markdown tables made from the sparsity sweep (every method at every sparsity,
each trained as many epochs after the checkpoint, at each pre-training budget):

- "Which method": per budget and sparsity, each method's test accuracy (mean [95% CI]
  over seeds), the best one by mean, and whether its lead over the runner-up is shown.
- "FW against the baselines": for each Frank-Wolfe method against every other method of
  the sweep that is not a Frank-Wolfe method (gmp, magnitude, random, ...), the per-seed
  accuracy difference, mean [95% CI], and the verdict of `fwprune.claims.above`: "yes"
  when the interval lies above zero, "no" below, "not shown" when it contains zero.

Seeds are paired: at one seed and budget every method starts from the same checkpoint.
"""

import argparse

import pandas as pd

from fwprune.claims import FW_METHODS, YES, above, fmt, mean_ci, sweep_accuracy


def cells(accuracy: pd.DataFrame):
    """(budget, sparsity, seeds x methods accuracy) for each cell of the sweep."""
    for (budget, sparsity), table in accuracy.groupby(level=["budget", "target_sparsity"]):
        yield budget, sparsity, table.droplevel(["budget", "target_sparsity"]).dropna(axis=1)


def best_method(table: pd.DataFrame) -> str:
    """The method with the highest mean accuracy, and whether it beats the runner-up."""
    ranked = table.mean().sort_values(ascending=False).index
    if len(ranked) < 2:
        return ranked[0]
    best, runner_up = ranked[0], ranked[1]
    verdict = above(table[best] - table[runner_up])
    shown = "shown" if verdict.startswith(YES) else "not shown"
    return f"{best} (lead over {runner_up} {shown})"


def which_method(accuracy: pd.DataFrame) -> str:
    methods = list(accuracy.columns)
    lines = [
        "| budget | sparsity | " + " | ".join(methods) + " | best |",
        "|---" * (len(methods) + 3) + "|",
    ]
    for budget, sparsity, table in cells(accuracy):
        values = [fmt(table[m]) if m in table else "" for m in methods]
        lines.append(
            f"| {budget} | {sparsity:g} | " + " | ".join(values) + f" | {best_method(table)} |"
        )
    return "\n".join(lines)


def comparisons(accuracy: pd.DataFrame) -> list[tuple[str, str]]:
    """(Frank-Wolfe method, baseline) pairs present in the sweep."""
    present = list(accuracy.columns)
    baselines = [m for m in present if m not in FW_METHODS]
    return [(fw, base) for fw in FW_METHODS if fw in present for base in baselines]


def difference(table: pd.DataFrame, method: str, baseline: str) -> str:
    lead = table[method] - table[baseline]
    mean, low, high = mean_ci(lead)
    interval = f" [{low:+.3f}, {high:+.3f}]" if len(lead) > 1 else ""
    return f"{mean:+.3f}{interval} {above(lead)}"


def fw_against_baselines(accuracy: pd.DataFrame) -> str:
    pairs = comparisons(accuracy)
    lines = [
        "| budget | sparsity | " + " | ".join(f"{m} − {b}" for m, b in pairs) + " |",
        "|---" * (len(pairs) + 2) + "|",
    ]
    for budget, sparsity, table in cells(accuracy):
        values = [difference(table, m, b) for m, b in pairs]
        lines.append(f"| {budget} | {sparsity:g} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def report(sweep: pd.DataFrame) -> str:
    accuracy = sweep_accuracy(sweep)
    seeds = accuracy.index.get_level_values("seed").nunique()
    return (
        f"### Which method (test accuracy, mean [95% CI] over {seeds} seeds)\n\n"
        f"{which_method(accuracy)}\n\n"
        "### Frank-Wolfe against the baselines (accuracy difference, mean [95% CI])\n\n"
        f"{fw_against_baselines(accuracy)}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", help="results/sweep/metrics.parquet")
    print(report(pd.read_parquet(parser.parse_args().sweep)), end="")


if __name__ == "__main__":
    main()
