"""The paper's section-5 claims checked against a metrics table.

`python -m fwprune.claims results/metrics.parquet` prints a markdown table: each claim,
what the paper reports, what the table measures (mean and 95% confidence interval over
seeds), and whether the claim holds. docs/results.md is made from its output.
"""

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

PAPER_METHODS = ("base", "magnitude", "fw", "fw_momentum")


def mean_ci(values) -> tuple[float, float, float]:
    """Mean and two-sided 95% t-interval over seeds (the interval is the mean with 1 seed)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, mean - half, mean + half


def fmt(values, digits=3) -> str:
    mean, low, high = mean_ci(values)
    if low == high:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


@dataclass
class Claim:
    text: str
    paper: str
    measured: str
    holds: bool


def per_seed(frame: pd.DataFrame, method: str, budgets, column: str) -> pd.Series:
    """One value per seed: the column averaged over the given budgets."""
    rows = frame[(frame.method == method) & frame.budget.isin(budgets)]
    return rows.groupby("seed")[column].mean()


def accuracy_claims(frame: pd.DataFrame, first: int, last: int) -> list[Claim]:
    acc = {m: per_seed(frame, m, [first], "test_accuracy") for m in PAPER_METHODS}
    acc_last = {m: per_seed(frame, m, [last], "test_accuracy") for m in PAPER_METHODS}
    early = per_seed(frame, "fw_momentum", [first, first + 1], "test_accuracy")
    late_dense = (
        pd.concat(
            [
                per_seed(frame, m, range(last - 2, last + 1), "test_accuracy")
                for m in ("base", "magnitude")
            ]
        )
        .groupby(level=0)
        .max()
    )
    return [
        Claim(
            f"after {first} epoch, FW and FW+momentum beat base and magnitude",
            "base, magnitude 0.78–0.79; FW, FW+mom. mid-0.80s",
            ", ".join(f"{m} {fmt(acc[m])}" for m in PAPER_METHODS),
            min(acc["fw"].mean(), acc["fw_momentum"].mean())
            > max(acc["base"].mean(), acc["magnitude"].mean()),
        ),
        Claim(
            f"after {last} epochs: FW+momentum > FW > magnitude ≈ base",
            "0.94 > 0.88 > 0.85 ≈ base",
            ", ".join(f"{m} {fmt(acc_last[m])}" for m in PAPER_METHODS),
            acc_last["fw_momentum"].mean() > acc_last["fw"].mean() > acc_last["magnitude"].mean(),
        ),
        Claim(
            f"FW+momentum after {first}–{first + 1} epochs matches base/magnitude after "
            f"{last - 2}–{last}",
            "0.86–0.88 vs 0.85–0.86",
            f"FW+mom. {fmt(early)} vs best of base/magnitude {fmt(late_dense)}",
            early.mean() >= late_dense.mean(),
        ),
    ]


def loss_and_size_claims(frame: pd.DataFrame, last: int) -> list[Claim]:
    budgets = sorted(frame.budget.unique())
    mean_loss = frame.groupby(["budget", "method"]).test_loss.mean().unstack()
    lowest = (mean_loss.idxmin(axis=1) == "fw_momentum").sum()
    loss_last = per_seed(frame, "fw_momentum", [last], "test_loss")
    gain = per_seed(frame, "magnitude", budgets, "test_accuracy") - per_seed(
        frame, "base", budgets, "test_accuracy"
    )
    nonzero = {m: per_seed(frame, m, budgets, "nonzero_fraction") * 100 for m in PAPER_METHODS[1:]}
    return [
        Claim(
            "FW+momentum has the lowest test loss at every budget",
            f"yes; ≈0.28 after {last} epochs",
            f"lowest at {lowest} of {len(budgets)} budgets; {fmt(loss_last)} after {last}",
            lowest == len(budgets),
        ),
        Claim(
            "magnitude pruning never clearly improves on the base model",
            "accuracy gain ≈ 0",
            f"gain over base, averaged over budgets: {fmt(gain)}",
            mean_ci(gain)[1] <= 0.0 or abs(gain.mean()) < 0.01,
        ),
        Claim(
            "non-zero parameters: magnitude ≈ 50%, FW below, FW+momentum at or below FW",
            "≈50% > FW ≥ FW+momentum",
            ", ".join(f"{m} {fmt(v, 1)}%" for m, v in nonzero.items()),
            nonzero["magnitude"].mean() > nonzero["fw"].mean() >= nonzero["fw_momentum"].mean(),
        ),
    ]


def matched_compute_claims(frame: pd.DataFrame) -> list[Claim]:
    """Beyond the paper: a method against the dense model trained as long after the checkpoint."""
    claims = []
    budgets = sorted(frame.budget.unique())
    for method in ("fw", "fw_momentum"):
        spent = frame[frame.method == method].epochs_after_checkpoint
        control = f"dense+{int(spent.iloc[0])}" if len(spent) else None
        if control not in set(frame.method):
            continue
        gap = per_seed(frame, method, budgets, "test_accuracy") - per_seed(
            frame, control, budgets, "test_accuracy"
        )
        claims.append(
            Claim(
                f"{method} beats the dense model trained as many epochs after the checkpoint",
                "not tested (implied by 'FW+momentum improves accuracy')",
                f"accuracy gain over {control}, averaged over budgets: {fmt(gap)}",
                gap.mean() > 0,
            )
        )
    return claims


def timing_claims(frame: pd.DataFrame) -> list[Claim]:
    if "inference_time_ratio" not in frame:
        return []
    ratio = {
        m: frame[frame.method == m].groupby("seed").inference_time_ratio.mean()
        for m in PAPER_METHODS[1:]
    }
    return [
        Claim(
            "pruned models are 2–2.5× slower than the dense one",
            "2–2.5×",
            ", ".join(f"{m} {fmt(v, 2)}×" for m, v in ratio.items()),
            all(v.mean() >= 2 for v in ratio.values()),
        ),
    ]


def check_claims(frame: pd.DataFrame) -> list[Claim]:
    budgets = sorted(frame.budget.unique())
    first, last = budgets[0], budgets[-1]
    return (
        accuracy_claims(frame, first, last)
        + loss_and_size_claims(frame, last)
        + timing_claims(frame)
        + matched_compute_claims(frame)
    )


def markdown(claims: list[Claim]) -> str:
    lines = [
        "| claim (paper §5) | paper | measured (mean [95% CI]) | holds here |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c.text} | {c.paper} | {c.measured} | {'yes' if c.holds else '**no**'} |"
        for c in claims
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metrics", help="results/metrics.parquet")
    args = parser.parse_args()
    print(markdown(check_claims(pd.read_parquet(args.metrics))))


if __name__ == "__main__":
    main()
