"""The paper's section-5 claims checked against a metrics table.

    python -m fwprune.claims results/metrics.parquet [--sweep results/sweep/metrics.parquet]

prints a markdown table: each claim, what the paper reports, what the run measured (mean
and 95% confidence interval over seeds) and whether the claim holds. docs/results.md is
made from its output.

A claim "A beats B" is judged on the per-seed differences A - B (seeds are paired: both
models start from the same checkpoint): it holds ("yes") when the 95% t-interval of the
mean difference lies above zero, fails ("no") when it lies below, and is "not shown"
when it contains zero. With one seed there is no interval, and the sign of the single
difference decides, marked "(1 seed)".
"""

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from fwprune import names
from fwprune.methods import REGISTRY

# The methods implementing the paper's Algorithms 2 (magnitude), 3 (FW) and 4 (FW with
# momentum), as the registry declares them.
ALGORITHM = {m.paper_algorithm: m.name for m in REGISTRY.values() if m.paper_algorithm}
MAGNITUDE, FW, FW_MOMENTUM = ALGORITHM[2], ALGORITHM[3], ALGORITHM[4]
BASE = names.BASE
PAPER_METHODS = (BASE, MAGNITUDE, FW, FW_MOMENTUM)
FW_METHODS = (FW, FW_MOMENTUM)


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
    if len(np.atleast_1d(values)) < 2:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


YES, NO, NOT_SHOWN = "yes", "**no**", "**not shown**"


def above(differences, margin: float = 0.0) -> str:
    """Verdict on "the per-seed differences exceed `margin`" (see the module docstring)."""
    mean, low, high = mean_ci(differences)
    if len(np.atleast_1d(differences)) < 2:
        return (YES if mean > margin else NO) + " (1 seed)"
    if low > margin:
        return YES
    return NO if high < margin else NOT_SHOWN


def within(values, low: float, high: float) -> str:
    """Verdict on "the per-seed values lie in [low, high]": "yes" when the 95% interval of
    their mean lies inside, "no" when it lies wholly outside, "not shown" when it straddles
    a bound. This is how "≈" (a tolerance band) and ranges such as "2–2.5×" are judged."""
    mean, lower, upper = mean_ci(values)
    if len(np.atleast_1d(values)) < 2:
        return (YES if low <= mean <= high else NO) + " (1 seed)"
    if low <= lower and upper <= high:
        return YES
    return NO if upper < low or lower > high else NOT_SHOWN


# "≈" in the paper, as tolerance bands: accuracies within one point, a share of
# parameters within 2.5 percentage points.
SAME_ACCURACY = 0.01
SAME_PERCENT = 2.5


def all_of(verdicts: list[str]) -> str:
    """A claim made of several parts holds when every part does, fails when one fails."""
    if all(v.startswith(YES) for v in verdicts):
        return verdicts[0]
    failed = [v for v in verdicts if v.startswith(NO)]
    return failed[0] if failed else NOT_SHOWN


@dataclass
class Claim:
    text: str
    paper: str
    measured: str
    holds: str


def per_seed(frame: pd.DataFrame, method: str, budgets, column: str) -> pd.Series:
    """One value per seed: the column averaged over the given budgets."""
    rows = frame[(frame.method == method) & frame.budget.isin(budgets)]
    return rows.groupby("seed")[column].mean()


def gap(frame: pd.DataFrame, method: str, other: str, budgets, column="test_accuracy"):
    """Per seed: `method` minus `other`, each averaged over the given budgets."""
    return per_seed(frame, method, budgets, column) - per_seed(frame, other, budgets, column)


def per_seed_table(frame: pd.DataFrame, methods, budgets, column: str) -> pd.DataFrame:
    """Seeds x methods: the column averaged over the given budgets."""
    return pd.DataFrame({m: per_seed(frame, m, budgets, column) for m in methods})


def accuracy_claims(frame: pd.DataFrame, first: int, last: int) -> list[Claim]:
    acc = per_seed_table(frame, PAPER_METHODS, [first], "test_accuracy")
    acc_last = per_seed_table(frame, PAPER_METHODS, [last], "test_accuracy")
    early = per_seed(frame, FW_MOMENTUM, [first, first + 1], "test_accuracy")
    late_budgets = range(last - 2, last + 1)
    late = per_seed_table(frame, [BASE, MAGNITUDE], late_budgets, "test_accuracy").max(axis=1)
    fw_lead = acc[list(FW_METHODS)].min(axis=1) - acc[[BASE, MAGNITUDE]].max(axis=1)
    return [
        Claim(
            f"after {first} epoch, FW and FW+momentum beat base and magnitude",
            "base, magnitude 0.78–0.79; FW, FW+mom. mid-0.80s",
            ", ".join(f"{m} {fmt(acc[m])}" for m in PAPER_METHODS)
            + f"; weaker FW − stronger other: {fmt(fw_lead)}",
            above(fw_lead),
        ),
        Claim(
            f"after {last} epochs: FW+momentum > FW > magnitude ≈ base",
            "0.94 > 0.88 > 0.85 ≈ base",
            ", ".join(f"{m} {fmt(acc_last[m])}" for m in PAPER_METHODS)
            + f"; magnitude − base {fmt(acc_last[MAGNITUDE] - acc_last[BASE])} "
            f"(≈: within ±{SAME_ACCURACY})",
            all_of(
                [
                    above(acc_last[FW_MOMENTUM] - acc_last[FW]),
                    above(acc_last[FW] - acc_last[MAGNITUDE]),
                    within(acc_last[MAGNITUDE] - acc_last[BASE], -SAME_ACCURACY, SAME_ACCURACY),
                ]
            ),
        ),
        Claim(
            f"FW+momentum after {first}–{first + 1} epochs matches base/magnitude after "
            f"{late_budgets[0]}–{last}",
            "0.86–0.88 vs 0.85–0.86 (within 0.005)",
            f"FW+mom. {fmt(early)} vs best of base/magnitude {fmt(late)}; "
            f"difference {fmt(early - late)}",
            # "Matches": at most half a point of accuracy behind.
            above(early - late, -0.005),
        ),
    ]


def loss_claims(frame: pd.DataFrame, last: int) -> list[Claim]:
    budgets = sorted(frame.budget.unique())
    others = [m for m in PAPER_METHODS if m != FW_MOMENTUM]
    margins = [
        per_seed_table(frame, others, [b], "test_loss").min(axis=1)
        - per_seed(frame, FW_MOMENTUM, [b], "test_loss")
        for b in budgets
    ]
    verdicts = [above(margin) for margin in margins]
    lowest = sum(v.startswith(YES) for v in verdicts)
    loss_last = per_seed(frame, FW_MOMENTUM, [last], "test_loss")
    return [
        Claim(
            "FW+momentum has the lowest test loss (of base and the three methods) at every budget",
            f"yes; ≈0.28 after {last} epochs",
            f"lowest at {lowest} of {len(budgets)} budgets; {fmt(loss_last)} after {last}",
            all_of(verdicts),
        )
    ]


def size_claims(frame: pd.DataFrame) -> list[Claim]:
    budgets = sorted(frame.budget.unique())
    # "Clearly improves": ahead by more than one point of accuracy, beyond the interval.
    improved = [
        str(b) for b in budgets if above(gap(frame, MAGNITUDE, BASE, [b]), 0.01).startswith(YES)
    ]
    average_gain = gap(frame, MAGNITUDE, BASE, budgets)
    nonzero = per_seed_table(frame, PAPER_METHODS[1:], budgets, "nonzero_fraction") * 100
    return [
        Claim(
            "magnitude pruning never clearly improves on the base model",
            "accuracy gain ≈ 0",
            f"gain over base, averaged over budgets: {fmt(average_gain)}; "
            f"more than 0.01 ahead at budgets: {', '.join(improved) or 'none'}",
            YES if not improved else NO,
        ),
        Claim(
            "non-zero parameters: magnitude ≈ 50%, FW below, FW+momentum at or below FW",
            "≈50% > FW ≥ FW+momentum",
            ", ".join(f"{m} {fmt(nonzero[m], 1)}%" for m in nonzero)
            + f" (≈50%: within ±{SAME_PERCENT} points)",
            all_of(
                [
                    within(nonzero[MAGNITUDE], 50 - SAME_PERCENT, 50 + SAME_PERCENT),
                    above(nonzero[MAGNITUDE] - nonzero[FW]),
                    above(nonzero[FW] - nonzero[FW_MOMENTUM], -1e-9),
                ]
            ),
        ),
    ]


def timing_claims(frame: pd.DataFrame) -> list[Claim]:
    """Judged against the control, not against 1.0: each timing job also times the dense
    model against a copy of itself, whose ratio is what the machine alone does to a ratio.

    Per seed, the slowdown beyond the control is pruned ratio − control ratio; "2–2.5×
    slower" means that it lies in [1.0, 1.5], i.e. a pruned call costs one to one and a half
    dense calls more than the copy's. Both bounds are judged.
    """
    if "inference_time_control_ratio" not in frame:
        return []
    methods, budgets = PAPER_METHODS[1:], frame.budget.unique()
    ratio = per_seed_table(frame, methods, budgets, "inference_time_ratio")
    control = per_seed_table(frame, methods, budgets, "inference_time_control_ratio")
    beyond_control = ratio - control
    return [
        Claim(
            "pruned models are 2–2.5× slower than the dense one",
            "2–2.5×",
            "; ".join(
                f"{m} {fmt(ratio[m], 2)}× vs control {fmt(control[m], 2)}×, "
                f"difference {fmt(beyond_control[m], 2)}"
                for m in methods
            ),
            all_of([within(beyond_control[m], 1.0, 1.5) for m in methods]),
        ),
    ]


def matched_compute_claims(frame: pd.DataFrame) -> list[Claim]:
    """Beyond the paper: a method against the dense model trained as long after the checkpoint."""
    claims = []
    budgets = sorted(frame.budget.unique())
    for method in FW_METHODS:
        spent = frame[frame.method == method].epochs_after_checkpoint
        control = names.control(int(spent.iloc[0])) if len(spent) else None
        if control not in set(frame.method):
            continue
        gain, first = gap(frame, method, control, budgets), budgets[0]
        claims.append(
            Claim(
                f"{method} beats the dense model trained as many epochs after the checkpoint "
                f"({control}; matched compute)",
                "not tested (implied by 'FW+momentum improves accuracy')",
                f"accuracy gain over {control}: {fmt(gain)} averaged over budgets, "
                f"{fmt(gap(frame, method, control, [first]))} at budget {first}",
                above(gain),
            )
        )
    return claims


def sweep_accuracy(sweep: pd.DataFrame) -> pd.DataFrame:
    """Test accuracy with rows (budget, target_sparsity, seed) and one column per method."""
    return sweep.pivot_table(
        "test_accuracy", ["budget", "target_sparsity", "seed"], "method", aggfunc="first"
    )


def matched_sparsity_claims(sweep: pd.DataFrame) -> list[Claim]:
    """Beyond the paper: each FW method against magnitude at the same sparsity and retraining."""
    claims = []
    by_budget = sweep_accuracy(sweep)
    for budget in sorted(sweep.budget.unique()):
        accuracy = by_budget.xs(budget, level="budget")
        for method in FW_METHODS:
            if method not in accuracy or MAGNITUDE not in accuracy:
                continue
            lead = accuracy[method] - accuracy[MAGNITUDE]
            by_sparsity = lead.groupby(level="target_sparsity")
            wins = sum(above(g).startswith(YES) for _, g in by_sparsity)
            sparsities = ", ".join(f"{s:g}" for s in by_sparsity.groups)
            claims.append(
                Claim(
                    f"{method} beats magnitude at equal sparsity and retraining, budget {budget}",
                    "not tested (methods compared at different sparsities)",
                    f"accuracy gain averaged over sparsities {sparsities}: "
                    f"{fmt(lead.groupby(level='seed').mean())}; "
                    f"ahead at {wins} of {by_sparsity.ngroups}",
                    above(lead.groupby(level="seed").mean()),
                )
            )
    return claims


def check_claims(frame: pd.DataFrame, sweep: pd.DataFrame | None = None) -> list[Claim]:
    budgets = sorted(frame.budget.unique())
    first, last = budgets[0], budgets[-1]
    claims = (
        accuracy_claims(frame, first, last)
        + loss_claims(frame, last)
        + size_claims(frame)
        + timing_claims(frame)
        + matched_compute_claims(frame)
    )
    return claims + (matched_sparsity_claims(sweep) if sweep is not None else [])


def markdown(claims: list[Claim]) -> str:
    lines = [
        "| claim (paper §5) | paper | measured (mean [95% CI] over seeds) | holds here |",
        "|---|---|---|---|",
    ]
    lines += [f"| {c.text} | {c.paper} | {c.measured} | {c.holds} |" for c in claims]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metrics", help="results/metrics.parquet")
    parser.add_argument("--sweep", help="results/sweep/metrics.parquet (matched sparsity)")
    args = parser.parse_args()
    sweep = pd.read_parquet(args.sweep) if args.sweep else None
    print(markdown(check_claims(pd.read_parquet(args.metrics), sweep)))


if __name__ == "__main__":
    main()
