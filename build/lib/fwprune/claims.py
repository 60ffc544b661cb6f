"""The paper's section-5 claims checked against a metrics table.

    python -m fwprune.claims results/metrics.parquet [--sweep results/sweep/metrics.parquet]

(or .tsv files) prints a markdown table: each claim, what the paper reports, what the run
measured (mean and 95% confidence interval over seeds) and whether the claim holds here.
docs/results.md is made from its output (`fwprune.doctables`).

Every verdict is one of holds / fails / inconclusive, derived from four-outcome paired
comparisons (`fwprune.stats`: better, worse, equivalent, inconclusive) of per-seed values
(seeds are paired: both models start from the same checkpoint), after Benjamini-Hochberg
over every comparison of the table:

- "A beats B" holds when A - B is better, fails when it is worse or equivalent (within
  ±equivalence_margin), and is inconclusive otherwise;
- "≈", "never" and "matches" hold only when equivalence is shown: absence of evidence of a
  difference is not evidence of its absence. They fail when the difference is shown to lie
  beyond the band (the interval wholly outside it);
- a range ("2–2.5×") holds when the interval lies inside it, fails when wholly outside.

With one seed there is no interval, and every verdict is inconclusive ("1 seed").
"""

import argparse
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from fwprune import names, stats
from fwprune.io import read_table
from fwprune.methods import REGISTRY
from fwprune.stats import BETTER, EQUIVALENT, WORSE, fmt

# The methods implementing the paper's Algorithms 2 (magnitude), 3 (FW) and 4 (FW with
# momentum), as the registry declares them.
ALGORITHM = {m.paper_algorithm: m.name for m in REGISTRY.values() if m.paper_algorithm}
MAGNITUDE, FW, FW_MOMENTUM = ALGORITHM[2], ALGORITHM[3], ALGORITHM[4]
BASE = names.BASE
PAPER_METHODS = (BASE, MAGNITUDE, FW, FW_MOMENTUM)
FW_METHODS = (FW, FW_MOMENTUM)


def is_frank_wolfe(name: str, table: pd.DataFrame | None = None) -> bool:
    """A Frank-Wolfe method or a variant of one (a registered method run with other
    settings under its own name): by the table's `base_method` column when it names one,
    else by the name (a registered name exactly, an unregistered one by its prefix,
    e.g. `fw_linear`)."""
    if table is not None and "base_method" in table and "method" in table:
        bases = set(table.loc[table.method == name, "base_method"].dropna())
        if bases:
            return bool(bases & set(FW_METHODS))
    if name in REGISTRY:
        return name in FW_METHODS
    return name.startswith(tuple(f"{m}_" for m in FW_METHODS))


HOLDS, FAILS, INCONCLUSIVE = "holds", "**fails**", "inconclusive"

# "≈" in the paper, as tolerance bands: accuracies within one point, a share of
# parameters within 2.5 percentage points.
SAME_ACCURACY = 0.01
SAME_PERCENT = 2.5
# The paper's own "matches (within 0.005)" for FW+momentum early against dense late.
MATCHES = 0.005
# Non-zero shares "at or below": equal up to 0.1 percentage point (the table's rounding).
SAME_NONZERO = 0.1


@dataclass(frozen=True)
class Condition:
    """A comparison and the outcomes under which the condition is met."""

    comparison: stats.Comparison
    outcomes: frozenset

    def met(self) -> bool:
        return self.comparison.outcome in self.outcomes


@dataclass(frozen=True)
class Test:
    """A claim (or a part of one): it holds when every `holds_if` condition is met (and
    there is one), fails when any `fails_if` condition is met, else is inconclusive."""

    holds_if: tuple = ()
    fails_if: tuple = ()

    def __add__(self, other: "Test") -> "Test":
        return Test(self.holds_if + other.holds_if, self.fails_if + other.fails_if)

    @property
    def verdict(self) -> str:
        if any(c.met() for c in self.fails_if):
            return FAILS
        if self.holds_if and all(c.met() for c in self.holds_if):
            return HOLDS
        notes = sorted({c.comparison.note for c in self.holds_if if c.comparison.note})
        return INCONCLUSIVE + (f" ({', '.join(notes)})" if notes else "")

    def comparisons(self) -> list[stats.Comparison]:
        return [c.comparison for c in self.holds_if + self.fails_if]

    def adjusted(self, new: dict) -> "Test":
        def swap(conditions):
            return tuple(replace(c, comparison=new[id(c.comparison)]) for c in conditions)

        return Test(swap(self.holds_if), swap(self.fails_if))


def all_of(tests) -> Test:
    """A claim made of several parts holds when every part does, fails when one fails."""
    total = Test()
    for test in tests:
        total = total + test
    return total


def _compare(values, margin: float, settings: stats.Settings) -> stats.Comparison:
    return stats.compare(np.asarray(values, dtype=float), margin, settings.alpha)


def beats(differences, settings: stats.Settings, margin: float | None = None) -> Test:
    """ "A beats B" on the per-seed A - B: better holds; worse or equivalent fails."""
    margin = settings.equivalence_margin if margin is None else margin
    c = _compare(differences, margin, settings)
    return Test(
        (Condition(c, frozenset({BETTER})),), (Condition(c, frozenset({WORSE, EQUIVALENT})),)
    )


def not_behind(differences, band: float, settings: stats.Settings) -> Test:
    """ "A matches (or beats) B", "A at or below B": A - B better or equivalent within ±band
    holds; shown behind by more than band fails."""
    d = np.asarray(differences, dtype=float)
    c = _compare(d, band, settings)
    behind = _compare(d + band, 0.0, settings)
    return Test(
        (Condition(c, frozenset({BETTER, EQUIVALENT})),), (Condition(behind, frozenset({WORSE})),)
    )


def not_ahead(differences, band: float, settings: stats.Settings) -> Test:
    """ "A never clearly improves on B": A - B equivalent within ±band or worse holds (shown
    not ahead by more than band); shown ahead by more than band fails."""
    d = np.asarray(differences, dtype=float)
    c = _compare(d, band, settings)
    ahead = _compare(d - band, 0.0, settings)
    return Test(
        (Condition(c, frozenset({EQUIVALENT, WORSE})),), (Condition(ahead, frozenset({BETTER})),)
    )


def within(values, low: float, high: float, settings: stats.Settings) -> Test:
    """ "The per-seed values lie in [low, high]" ("≈" as a band, "2–2.5×" as a range): holds
    when the interval lies inside (equivalence to the middle within half the width), fails
    when it lies wholly outside (shown above `high` or below `low`)."""
    v = np.asarray(values, dtype=float)
    inside = _compare(v - (low + high) / 2, (high - low) / 2, settings)
    above_high = _compare(v - high, 0.0, settings)
    below_low = _compare(v - low, 0.0, settings)
    return Test(
        (Condition(inside, frozenset({EQUIVALENT})),),
        (Condition(above_high, frozenset({BETTER})), Condition(below_low, frozenset({WORSE}))),
    )


def same(differences, band: float, settings: stats.Settings) -> Test:
    """ "A ≈ B": A - B within ±band (see `within`)."""
    return within(differences, -band, band, settings)


@dataclass(frozen=True)
class Claim:
    text: str
    paper: str
    measured: str
    test: Test = field(default_factory=Test)
    note: str = ""  # why there is no test (e.g. "not measured")

    @property
    def holds(self) -> str:
        if self.note:
            return f"{INCONCLUSIVE} ({self.note})"
        return self.test.verdict


def per_seed(frame: pd.DataFrame, method: str, budgets, column: str) -> pd.Series:
    """One value per seed: the column averaged over the given budgets."""
    rows = frame[(frame.method == method) & frame.budget.isin(budgets)]
    return rows.groupby("seed")[column].mean()


def gap(frame: pd.DataFrame, method: str, other: str, budgets, column="test_accuracy"):
    """Per seed: `method` minus `other`, each averaged over the given budgets (a seed
    only one of them has is NaN, and left out of the comparison: pairs need both)."""
    return per_seed(frame, method, budgets, column) - per_seed(frame, other, budgets, column)


def per_seed_table(frame: pd.DataFrame, methods, budgets, column: str) -> pd.DataFrame:
    """Seeds x methods: the column averaged over the given budgets."""
    return pd.DataFrame({m: per_seed(frame, m, budgets, column) for m in methods})


def accuracy_claims(frame, first: int, last: int, settings: stats.Settings) -> list[Claim]:
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
            ", ".join(f"{m} {fmt(acc[m].dropna())}" for m in PAPER_METHODS)
            + f"; weaker FW − stronger other: {fmt(fw_lead.dropna())}",
            beats(fw_lead, settings),
        ),
        Claim(
            f"after {last} epochs: FW+momentum > FW > magnitude ≈ base",
            "0.94 > 0.88 > 0.85 ≈ base",
            ", ".join(f"{m} {fmt(acc_last[m].dropna())}" for m in PAPER_METHODS)
            + f"; magnitude − base {fmt((acc_last[MAGNITUDE] - acc_last[BASE]).dropna())} "
            f"(≈: within ±{SAME_ACCURACY})",
            all_of(
                [
                    beats(acc_last[FW_MOMENTUM] - acc_last[FW], settings),
                    beats(acc_last[FW] - acc_last[MAGNITUDE], settings),
                    same(acc_last[MAGNITUDE] - acc_last[BASE], SAME_ACCURACY, settings),
                ]
            ),
        ),
        Claim(
            f"FW+momentum after {first}–{first + 1} epochs matches base/magnitude after "
            f"{late_budgets[0]}–{last}",
            f"0.86–0.88 vs 0.85–0.86 (within {MATCHES})",
            f"FW+mom. {fmt(early.dropna())} vs best of base/magnitude {fmt(late.dropna())}; "
            f"difference {fmt((early - late).dropna())} (matches: at most {MATCHES} behind)",
            not_behind(early - late, MATCHES, settings),
        ),
    ]


def loss_claims(frame: pd.DataFrame, last: int, settings: stats.Settings) -> list[Claim]:
    """Lowest loss: at each budget, the smallest loss of the others minus FW+momentum's is
    better than 0 (no equivalence band: the paper gives none for loss)."""
    budgets = sorted(frame.budget.unique())
    others = [m for m in PAPER_METHODS if m != FW_MOMENTUM]
    margins = [
        per_seed_table(frame, others, [b], "test_loss").min(axis=1)
        - per_seed(frame, FW_MOMENTUM, [b], "test_loss")
        for b in budgets
    ]
    tests = [beats(margin, settings, margin=0.0) for margin in margins]
    lowest = sum(t.holds_if[0].met() for t in tests)
    loss_last = per_seed(frame, FW_MOMENTUM, [last], "test_loss")
    return [
        Claim(
            "FW+momentum has the lowest test loss (of base and the three methods) at every budget",
            f"yes; ≈0.28 after {last} epochs",
            f"shown lowest at {lowest} of {len(budgets)} budgets (before BH); "
            f"{fmt(loss_last)} after {last}",
            all_of(tests),
        )
    ]


def size_claims(frame: pd.DataFrame, settings: stats.Settings) -> list[Claim]:
    budgets = sorted(frame.budget.unique())
    # "Never clearly improves": at every budget, shown not ahead by more than one point.
    gaps = [gap(frame, MAGNITUDE, BASE, [b]) for b in budgets]
    tests = [not_ahead(g, SAME_ACCURACY, settings) for g in gaps]
    not_ahead_at = [str(b) for b, t in zip(budgets, tests, strict=True) if t.holds_if[0].met()]
    ahead_at = [str(b) for b, t in zip(budgets, tests, strict=True) if t.fails_if[0].met()]
    average_gain = gap(frame, MAGNITUDE, BASE, budgets)
    nonzero = per_seed_table(frame, PAPER_METHODS[1:], budgets, "nonzero_fraction") * 100
    return [
        Claim(
            "magnitude pruning never clearly improves on the base model",
            "accuracy gain ≈ 0",
            f"gain over base, averaged over budgets: {fmt(average_gain.dropna())}; before BH, "
            f"shown not more than {SAME_ACCURACY} ahead at {len(not_ahead_at)} of "
            f"{len(budgets)} budgets, shown more than {SAME_ACCURACY} ahead at: "
            f"{', '.join(ahead_at) or 'none'}",
            all_of(tests),
        ),
        Claim(
            "non-zero parameters: magnitude ≈ 50%, FW below, FW+momentum at or below FW",
            "≈50% > FW ≥ FW+momentum",
            ", ".join(f"{m} {fmt(nonzero[m].dropna(), 1)}%" for m in nonzero)
            + f" (≈50%: within ±{SAME_PERCENT} points)",
            all_of(
                [
                    within(nonzero[MAGNITUDE], 50 - SAME_PERCENT, 50 + SAME_PERCENT, settings),
                    beats(nonzero[MAGNITUDE] - nonzero[FW], settings, margin=SAME_NONZERO),
                    not_behind(nonzero[FW] - nonzero[FW_MOMENTUM], SAME_NONZERO, settings),
                ]
            ),
        ),
    ]


TIMING_COLUMNS = ("inference_time_ratio", "inference_time_control_ratio")


def timing_claims(frame: pd.DataFrame, settings: stats.Settings) -> list[Claim]:
    """Judged against the control, not against 1.0: each timing job also times the dense
    model against a copy of itself, whose ratio is what the machine alone does to a ratio.

    Per seed, the slowdown beyond the control is pruned ratio − control ratio; "2–2.5×
    slower" means that it lies in [1.0, 1.5], i.e. a pruned call costs one to one and a half
    dense calls more than the copy's. Both bounds are judged. A table without the control
    (older timing jobs) or without timing says so, with no verdict.
    """
    text, paper = "pruned models are 2–2.5× slower than the dense one", "2–2.5×"
    missing = [c for c in TIMING_COLUMNS if c not in frame or frame[c].isna().all()]
    if missing:
        return [
            Claim(
                text,
                paper,
                f"not measured: no {' or '.join(missing)} in the table",
                Test(),
                "not measured",
            )
        ]
    methods, budgets = PAPER_METHODS[1:], frame.budget.unique()
    ratio = per_seed_table(frame, methods, budgets, "inference_time_ratio")
    control = per_seed_table(frame, methods, budgets, "inference_time_control_ratio")
    beyond_control = ratio - control
    return [
        Claim(
            text,
            paper,
            "; ".join(
                f"{m} {fmt(ratio[m].dropna(), 2)}× vs control {fmt(control[m].dropna(), 2)}×, "
                f"difference {fmt(beyond_control[m].dropna(), 2)}"
                for m in methods
            ),
            all_of([within(beyond_control[m], 1.0, 1.5, settings) for m in methods]),
        ),
    ]


def matched_compute_claims(frame: pd.DataFrame, settings: stats.Settings) -> list[Claim]:
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
                f"accuracy gain over {control}: {fmt(gain.dropna())} averaged over budgets, "
                f"{fmt(gap(frame, method, control, [first]).dropna())} at budget {first}",
                beats(gain, settings),
            )
        )
    return claims


def matched_sparsity_claims(sweep: pd.DataFrame, settings=None) -> list[Claim]:
    """Beyond the paper: each FW method against magnitude at the same sparsity and retraining."""
    settings = stats.Settings.of(settings)
    claims = []
    by_budget = sweep.pivot_table(
        "test_accuracy", ["budget", "target_sparsity", "seed"], "method", aggfunc="first"
    )
    for budget in sorted(sweep.budget.unique()):
        accuracy = by_budget.xs(budget, level="budget")
        for method in FW_METHODS:
            if method not in accuracy or MAGNITUDE not in accuracy:
                continue
            lead = accuracy[method] - accuracy[MAGNITUDE]
            by_sparsity = lead.groupby(level="target_sparsity")
            wins = sum(
                _compare(g.dropna(), settings.equivalence_margin, settings).outcome == BETTER
                for _, g in by_sparsity
            )
            sparsities = ", ".join(f"{s:g}" for s in by_sparsity.groups)
            average = lead.groupby(level="seed").mean()
            claims.append(
                Claim(
                    f"{method} beats magnitude at equal sparsity and retraining, budget {budget}",
                    "not tested (methods compared at different sparsities)",
                    f"accuracy gain averaged over sparsities {sparsities}: "
                    f"{fmt(average.dropna())}; better at {wins} of {by_sparsity.ngroups} "
                    "(before BH)",
                    beats(average, settings),
                )
            )
    return claims


def adjusted(claims: list[Claim]) -> list[Claim]:
    """The claims with every comparison of the table Benjamini-Hochberg adjusted (a
    comparison used by two conditions counts once)."""
    unique = {}
    for claim in claims:
        for c in claim.test.comparisons():
            unique.setdefault(id(c), c)
    new = dict(zip(unique, stats.adjust(list(unique.values())), strict=True))
    return [replace(claim, test=claim.test.adjusted(new)) for claim in claims]


def check_claims(frame: pd.DataFrame, sweep: pd.DataFrame | None = None, settings=None):
    """Every claim judged on `frame` (and the sweep's matched-sparsity claims), with the
    config's `verdicts` section (None: its defaults), after BH over the table."""
    settings = stats.Settings.of(settings)
    budgets = sorted(frame.budget.unique())
    first, last = budgets[0], budgets[-1]
    claims = (
        accuracy_claims(frame, first, last, settings)
        + loss_claims(frame, last, settings)
        + size_claims(frame, settings)
        + timing_claims(frame, settings)
        + matched_compute_claims(frame, settings)
    )
    claims += matched_sparsity_claims(sweep, settings) if sweep is not None else []
    return adjusted(claims)


def markdown(claims: list[Claim]) -> str:
    lines = [
        "| claim (paper §5) | paper | measured (mean [95% CI] over seeds) "
        "| holds here (after BH) |",
        "|---|---|---|---|",
    ]
    lines += [f"| {c.text} | {c.paper} | {c.measured} | {c.holds} |" for c in claims]
    return "\n".join(lines)


def report(metrics: pd.DataFrame, sweep: pd.DataFrame | None = None, settings=None) -> str:
    """The claims table as markdown."""
    return markdown(check_claims(metrics, sweep, settings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metrics", help="results/metrics.parquet (or .tsv)")
    parser.add_argument("--sweep", help="results/sweep/metrics.parquet (matched sparsity)")
    args = parser.parse_args()
    sweep = read_table(args.sweep) if args.sweep else None
    print(report(read_table(args.metrics), sweep))


if __name__ == "__main__":
    main()
