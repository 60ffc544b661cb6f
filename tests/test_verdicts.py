"""The sweep's verdict tables: per-cell differences against each baseline, and the winner."""

import itertools

import pandas as pd
import pytest

from fwprune import verdicts
from fwprune.claims import FW, FW_MOMENTUM, NO, NOT_SHOWN, YES

SEEDS = (0, 1, 2)
NOISE = {0: -0.002, 1: 0.0, 2: 0.002}  # per-seed wobble, shared so that pairs stay tight
# Accuracy of each method over gmp, per seed: FW clearly ahead, FW+momentum clearly behind,
# magnitude's sign changes between seeds, random far behind.
LEAD_OVER_GMP = {
    "gmp": {0: 0.0, 1: 0.0, 2: 0.0},
    FW: {0: 0.050, 1: 0.052, 2: 0.048},
    FW_MOMENTUM: {0: -0.030, 1: -0.031, 2: -0.029},
    "magnitude": {0: 0.020, 1: -0.020, 2: 0.001},
    "random": {0: -0.300, 1: -0.310, 2: -0.290},
}


def synthetic_sweep(budgets=(1, 10), sparsities=(0.5, 0.9)) -> pd.DataFrame:
    rows = [
        {
            "budget": budget,
            "target_sparsity": sparsity,
            "seed": seed,
            "method": method,
            "test_accuracy": 0.9 - sparsity / 10 + NOISE[seed] + lead[seed],
        }
        for budget, sparsity, seed, (method, lead) in itertools.product(
            budgets, sparsities, SEEDS, LEAD_OVER_GMP.items()
        )
    ]
    return pd.DataFrame(rows)


def table_rows(markdown: str) -> list[list[str]]:
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_each_fw_method_is_judged_against_every_baseline_in_every_cell():
    table = table_rows(verdicts.fw_against_baselines(verdicts.sweep_accuracy(synthetic_sweep())))
    header, body = table[0], table[2:]
    expected = {
        f"{fw} − {base}" for fw in (FW, FW_MOMENTUM) for base in ("gmp", "magnitude", "random")
    }
    assert set(header[2:]) == expected and len(body) == 4
    for row in body:
        cell = dict(zip(header, row, strict=True))
        assert cell[f"{FW} − gmp"].startswith("+0.050 [") and cell[f"{FW} − gmp"].endswith(YES)
        assert cell[f"{FW_MOMENTUM} − gmp"].endswith(NO)
        assert cell[f"{FW} − magnitude"].endswith(NOT_SHOWN)
        assert cell[f"{FW_MOMENTUM} − random"].endswith(YES)


def test_the_interval_is_the_t_interval_of_the_paired_differences():
    table = table_rows(verdicts.fw_against_baselines(verdicts.sweep_accuracy(synthetic_sweep())))
    cell = dict(zip(table[0], table[2], strict=True))[f"{FW} − gmp"]
    # Differences 0.050, 0.052, 0.048: mean 0.05, sd 0.002, t(0.975, 2) = 4.303.
    half = 4.302653 * 0.002 / 3**0.5
    assert cell == f"+0.050 [{0.05 - half:+.3f}, {0.05 + half:+.3f}] {YES}"


def test_the_best_method_and_whether_its_lead_is_shown():
    # FW leads magnitude, the runner-up, by 0.030, 0.072, 0.047: an interval containing 0.
    rows = table_rows(verdicts.which_method(verdicts.sweep_accuracy(synthetic_sweep())))
    assert all(row[-1] == f"{FW} (lead over magnitude not shown)" for row in rows[2:])
    wider = synthetic_sweep()
    wider.loc[wider.method == FW, "test_accuracy"] += 0.1
    rows = table_rows(verdicts.which_method(verdicts.sweep_accuracy(wider)))
    assert all(row[-1] == f"{FW} (lead over magnitude shown)" for row in rows[2:])


@pytest.mark.parametrize("missing", ["gmp", FW_MOMENTUM])
def test_methods_absent_from_the_sweep_are_left_out(missing):
    sweep = synthetic_sweep()
    report = verdicts.report(sweep[sweep.method != missing])
    assert f"{missing} −" not in report and f"− {missing}" not in report
