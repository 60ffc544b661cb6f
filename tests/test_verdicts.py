"""The sweep's verdict tables: per-cell comparisons against each baseline, and the winner."""

import itertools

import pandas as pd
import pytest

from fwprune import verdicts
from fwprune.claims import FW, FW_MOMENTUM, is_frank_wolfe

SEEDS = (0, 1, 2)
NOISE = {0: -0.002, 1: 0.0, 2: 0.002}  # per-seed wobble, shared so that pairs stay tight
# Accuracy of each method over gmp, per seed: FW clearly ahead, FW+momentum clearly behind,
# magnitude's sign changes between seeds, random far behind, gmp_linear (a variant, not a
# registered name) the same as gmp to within 0.001.
LEAD_OVER_GMP = {
    "gmp": {0: 0.0, 1: 0.0, 2: 0.0},
    FW: {0: 0.050, 1: 0.052, 2: 0.048},
    FW_MOMENTUM: {0: -0.030, 1: -0.031, 2: -0.029},
    "magnitude": {0: 0.020, 1: -0.020, 2: 0.001},
    "random": {0: -0.300, 1: -0.310, 2: -0.290},
    "gmp_linear": {0: 0.001, 1: -0.001, 2: 0.0},
}


def synthetic_sweep(budgets=(1, 10), sparsities=(0.5, 0.9), leads=None) -> pd.DataFrame:
    rows = [
        {
            "budget": budget,
            "target_sparsity": sparsity,
            "seed": seed,
            "method": method,
            "test_accuracy": 0.9 - sparsity / 10 + NOISE[seed] + lead[seed],
        }
        for budget, sparsity, seed, (method, lead) in itertools.product(
            budgets, sparsities, SEEDS, (leads or LEAD_OVER_GMP).items()
        )
    ]
    return pd.DataFrame(rows)


def table_rows(markdown: str) -> list[list[str]]:
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def fw_rows(sweep) -> dict[tuple, dict[str, str]]:
    """(budget, sparsity, comparison) -> row of the FW-against-baselines table."""
    table = table_rows(verdicts.fw_against_baselines(verdicts.sweep_accuracy(sweep), None, sweep))
    header = table[0]
    rows = [dict(zip(header, row, strict=True)) for row in table[2:]]
    return {(r["budget"], r["sparsity"], r["comparison"]): r for r in rows}


def test_each_fw_method_is_judged_against_every_baseline_in_every_cell():
    rows = fw_rows(synthetic_sweep())
    baselines = ("gmp", "gmp_linear", "magnitude", "random")
    expected = {f"{fw} − {base}" for fw in (FW, FW_MOMENTUM) for base in baselines}
    assert {comparison for *_, comparison in rows} == expected and len(rows) == 4 * 8
    for budget, sparsity in itertools.product(("1", "10"), ("0.5", "0.9")):
        row = {c: rows[(budget, sparsity, c)] for c in expected}
        assert row[f"{FW} − gmp"]["difference"].startswith("+0.050 [")
        assert row[f"{FW} − gmp"]["verdict"] == "better"
        assert row[f"{FW_MOMENTUM} − gmp"]["verdict"] == "worse"
        assert row[f"{FW} − magnitude"]["verdict"] == "inconclusive"
        assert row[f"{FW_MOMENTUM} − random"]["after BH"] == "**better**"


def test_the_interval_is_the_t_interval_of_the_paired_differences():
    row = fw_rows(synthetic_sweep())[("1", "0.5", f"{FW} − gmp")]
    # Differences 0.050, 0.052, 0.048: mean 0.05, sd 0.002, t(0.975, 2) = 4.303.
    half = 4.302653 * 0.002 / 3**0.5
    assert row["difference"] == f"+0.050 [{0.05 - half:+.3f}, {0.05 + half:+.3f}]"
    assert row["seeds"] == "3"


def test_equivalence_is_a_verdict_of_its_own():
    leads = {"gmp": {0: 0.0, 1: 0.0, 2: 0.0}, FW: {0: 0.001, 1: -0.001, 2: 0.0005}}
    row = fw_rows(synthetic_sweep(leads=leads))[("1", "0.5", f"{FW} − gmp")]
    assert row["verdict"] == "equivalent" and row["after BH"] == "**equivalent**"


def test_the_verdict_after_bh_can_differ():
    # One marginal lead (p about 0.035 alone) among many null comparisons.
    leads = {
        "gmp": {0: 0.0, 1: 0.0, 2: 0.0},
        FW: {0: 0.012, 1: 0.018, 2: 0.024},
        FW_MOMENTUM: {0: 0.01, 1: -0.012, 2: 0.003},
        "magnitude": {0: 0.0, 1: 0.0, 2: 0.0},
    }
    sweep = synthetic_sweep(leads=leads)
    # Only budget 1, sparsity 0.5 keeps the marginal lead; elsewhere FW is 0.015 lower, so
    # FW − gmp there scatters around zero like FW+momentum's.
    elsewhere = (sweep.method == FW) & ((sweep.budget != 1) | (sweep.target_sparsity != 0.5))
    sweep.loc[elsewhere, "test_accuracy"] -= 0.015
    row = fw_rows(sweep)[("1", "0.5", f"{FW} − gmp")]
    assert row["verdict"] == "better" and row["after BH"] == "**inconclusive**"


def test_a_split_cell_shows_its_seeds_and_is_not_compared():
    sweep = synthetic_sweep()
    collapsed = (sweep.method == "random") & (sweep.seed == 0)
    sweep.loc[collapsed, "test_accuracy"] = 0.113
    sweep.loc[(sweep.method == "random") & ~collapsed, "test_accuracy"] += 0.3
    text = verdicts.which_method(verdicts.sweep_accuracy(sweep))
    # Seeds 1 and 2 at sparsity 0.5: 0.85 + wobble - 0.31 + 0.3, 0.85 + 0.002 - 0.29 + 0.3.
    assert "split: 0.113, 0.840, 0.862" in text and "0.113 [" not in text
    rows = fw_rows(sweep)
    assert rows[("1", "0.5", f"{FW} − random")]["verdict"] == "inconclusive (split seeds)"
    assert rows[("1", "0.5", f"{FW} − random")]["p"] == "–"


def test_comparisons_pair_on_the_seeds_both_methods_have():
    sweep = synthetic_sweep()
    extra = sweep[(sweep.seed == 2) & sweep.method.isin([FW, "gmp"])].assign(seed=3)
    extra.loc[extra.method == FW, "test_accuracy"] += 0.2  # would move the mean if unpaired
    extra = extra[~((extra.method == "gmp") & (extra.budget == 1))]  # gmp lacks seed 3 there
    sweep = pd.concat([sweep, extra])
    rows = fw_rows(sweep)
    one = rows[("1", "0.5", f"{FW} − gmp")]
    assert one["seeds"] == "3" and one["difference"].startswith("+0.050 [")
    ten = rows[("10", "0.5", f"{FW} − gmp")]
    assert ten["seeds"] == "4"
    assert rows[("1", "0.5", f"{FW} − magnitude")]["seeds"] == "3"


def test_the_best_method_and_its_verdict_against_the_runner_up():
    rows = table_rows(verdicts.which_method(verdicts.sweep_accuracy(synthetic_sweep())))
    header = rows[0]
    body = [dict(zip(header, row, strict=True)) for row in rows[2:]]
    # FW leads magnitude, the runner-up, by 0.030, 0.072, 0.047: inconclusive.
    assert all(r["best"] == FW and r["runner-up"] == "magnitude" for r in body)
    assert all(r["verdict"] == "inconclusive" for r in body)
    wider = synthetic_sweep()
    wider.loc[wider.method == FW, "test_accuracy"] += 0.1
    rows = table_rows(verdicts.which_method(verdicts.sweep_accuracy(wider)))
    assert all(dict(zip(header, r, strict=True))["verdict"] == "better" for r in rows[2:])


@pytest.mark.parametrize("missing", ["gmp", FW_MOMENTUM])
def test_methods_absent_from_the_sweep_are_left_out(missing):
    sweep = synthetic_sweep()
    report = verdicts.report(sweep[sweep.method != missing], None)
    assert f"{missing} −" not in report and f"− {missing} |" not in report


def test_variants_are_frank_wolfe_by_their_base_method():
    sweep = synthetic_sweep().assign(base_method=lambda t: t.method)
    sweep.loc[sweep.method == "gmp_linear", "base_method"] = "gmp"
    sweep = pd.concat([sweep, sweep[sweep.method == FW].assign(method="late", base_method=FW)])
    assert is_frank_wolfe("late", sweep) and not is_frank_wolfe("gmp_linear", sweep)
    assert is_frank_wolfe("fw_linear") and not is_frank_wolfe("gmp_linear")
    assert not is_frank_wolfe("late")  # without the column, by the name
    comparisons = {c for *_, c in fw_rows(sweep)}
    assert "late − gmp" in comparisons and f"{FW} − gmp_linear" in comparisons


def test_settings_reach_the_verdicts():
    sweep = synthetic_sweep()
    wide = verdicts.report(
        sweep, {"alpha": 0.05, "equivalence_margin": 0.1, "collapsed_below": 0.2}
    )
    assert "equivalent: within ±0.1" in wide
    accuracy = verdicts.sweep_accuracy(sweep)
    table = verdicts.fw_against_baselines(accuracy, {"equivalence_margin": 0.1}, sweep)
    assert "| equivalent |" in table
