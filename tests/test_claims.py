"""The verdict table: each claim judged by the confidence interval of per-seed differences."""

import itertools

import numpy as np
import pandas as pd
import pytest

from fwprune import claims
from fwprune.claims import NO, NOT_SHOWN, YES, above

SEEDS = (0, 1, 2)
BUDGETS = tuple(range(1, 11))


@pytest.mark.parametrize(
    ("differences", "verdict"),
    [
        ([0.02, 0.03, 0.025], YES),
        ([-0.02, -0.03, -0.025], NO),
        ([0.05, -0.04, 0.01], NOT_SHOWN),
        ([0.01], YES + " (1 seed)"),
        ([-0.01], NO + " (1 seed)"),
    ],
)
def test_verdict_follows_the_confidence_interval(differences, verdict):
    assert above(np.array(differences)) == verdict


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ([2.1, 2.2, 2.15], YES),
        ([2.6, 2.7, 2.65], NO),  # above the upper bound: a range is judged at both ends
        ([1.5, 1.6, 1.55], NO),
        ([1.9, 2.1, 2.0], NOT_SHOWN),  # the interval straddles the lower bound
        ([2.3], YES + " (1 seed)"),
        ([2.6], NO + " (1 seed)"),
    ],
)
def test_a_range_is_judged_at_both_bounds(values, verdict):
    assert claims.within(np.array(values), 2.0, 2.5) == verdict


def test_margin_moves_the_bar():
    assert above(np.array([0.02, 0.03, 0.025]), margin=0.05) == NO


def test_all_of_needs_every_part():
    assert claims.all_of([YES, YES]) == YES
    assert claims.all_of([YES, NOT_SHOWN]) == NOT_SHOWN
    assert claims.all_of([NOT_SHOWN, NO]) == NO


def synthetic_metrics(accuracy, loss=None, timing_ratios=(1.0, 1.0)) -> pd.DataFrame:
    """A metrics table with accuracy(method, budget, seed), made-up sizes and timings: the
    pruned and the control inference-time ratios, each plus 0.01 per seed."""
    nonzero = {"base": 1.0, "magnitude": 0.5, "fw": 0.45, "fw_momentum": 0.4, "dense+4": 1.0}
    spent = {"base": 0, "magnitude": 1, "fw": 4, "fw_momentum": 4, "dense+4": 4}
    rows = [
        {
            "seed": seed,
            "budget": budget,
            "method": method,
            "test_accuracy": accuracy(method, budget, seed),
            "test_loss": (loss or (lambda m, b, s: 1 - accuracy(m, b, s)))(method, budget, seed),
            "nonzero_fraction": nonzero[method],
            "epochs_after_checkpoint": spent[method],
            **{
                column: ratio + 0.01 * seed if method != "base" else np.nan
                for column, ratio in zip(TIMING_COLUMNS, timing_ratios, strict=True)
            },
        }
        for seed, budget, method in itertools.product(SEEDS, BUDGETS, nonzero)
    ]
    return pd.DataFrame(rows)


TIMING_COLUMNS = ("inference_time_ratio", "inference_time_control_ratio")
SLOWER = "pruned models are 2–2.5× slower than the dense one"


def verdicts(frame, sweep=None) -> dict[str, str]:
    return {claim.text: claim.holds for claim in claims.check_claims(frame, sweep)}


def noise(seed):
    return 0.001 * (seed - 1)


def test_a_run_where_the_paper_is_right_confirms_every_claim():
    def accuracy(method, budget, seed):
        base = 0.80 + 0.005 * budget + noise(seed)
        lead = {"base": 0, "magnitude": 0, "fw": 0.05, "fw_momentum": 0.08, "dense+4": 0.01}
        return base + lead[method]

    result = verdicts(synthetic_metrics(accuracy))
    assert result["after 1 epoch, FW and FW+momentum beat base and magnitude"] == YES
    assert result["after 10 epochs: FW+momentum > FW > magnitude ≈ base"] == YES
    assert all(v == YES for k, v in result.items() if "lowest test loss" in k)
    assert all(v == YES for k, v in result.items() if "matched compute" in k)
    assert result[SLOWER] == NO


def test_a_run_where_pruning_only_adds_training_refutes_the_matched_claims():
    def accuracy(method, budget, seed):
        extra = {"base": 0, "magnitude": 2, "fw": 4, "fw_momentum": 4, "dense+4": 4}[method]
        penalty = {"fw": 0.004, "fw_momentum": 0.003}.get(method, 0)
        return 0.80 + 0.01 * (budget + extra) - penalty + noise(seed)

    result = verdicts(synthetic_metrics(accuracy))
    assert result["after 1 epoch, FW and FW+momentum beat base and magnitude"] == YES
    # magnitude's two extra epochs put it 0.02 above base: not "≈ base".
    assert result["after 10 epochs: FW+momentum > FW > magnitude ≈ base"] == NO
    matched = [v for k, v in result.items() if "matched compute" in k]
    assert matched == [NO, NO]
    assert result["magnitude pruning never clearly improves on the base model"] == NO


def constant_accuracy(method, budget, seed):
    return 0.9 + noise(seed)


@pytest.mark.parametrize(
    ("timing_ratios", "verdict"),
    [
        ((2.3, 1.0), YES),  # the paper's slowdown on a quiet machine
        ((3.0, 1.0), NO),  # slower than the paper says: beyond the range's upper bound
        ((1.06, 1.05), NO),  # as fast as the dense model: both ratios the machine's noise
        # A loaded machine that slows whatever runs second: the pruned ratio passes 2.0,
        # but it is only 0.8 above the control; judged against 1.0 this would be "yes".
        ((2.1, 1.3), NO),
    ],
)
def test_slowdown_is_judged_against_the_control(timing_ratios, verdict):
    frame = synthetic_metrics(constant_accuracy, timing_ratios=timing_ratios)
    assert verdicts(frame)[SLOWER] == verdict


def test_a_table_without_a_control_makes_no_timing_claim():
    frame = synthetic_metrics(constant_accuracy).drop(columns="inference_time_control_ratio")
    assert SLOWER not in verdicts(frame)


def test_matched_sparsity_compares_at_each_sweep_sparsity():
    rows = [
        {
            "seed": seed,
            "budget": budget,
            "method": method,
            "target_sparsity": sparsity,
            "test_accuracy": 0.9 - sparsity / 10 + (0.02 if method == "fw" else 0) + noise(seed),
        }
        for seed, budget, method, sparsity in itertools.product(
            SEEDS, (1, 10), ("magnitude", "fw", "fw_momentum"), (0.5, 0.9)
        )
    ]
    found = {c.text: c for c in claims.matched_sparsity_claims(pd.DataFrame(rows))}
    fw = found["fw beats magnitude at equal sparsity and retraining, budget 1"]
    assert fw.holds == YES and "ahead at 2 of 2" in fw.measured
    momentum = found["fw_momentum beats magnitude at equal sparsity and retraining, budget 10"]
    assert momentum.holds == NOT_SHOWN


def test_the_smoke_run_gives_a_verdict_for_every_claim(smoke_metrics):
    table = claims.markdown(claims.check_claims(smoke_metrics))
    rows = table.splitlines()[2:]
    assert len(rows) == 9  # accuracy 3, loss 1, size 2, timing 1, matched compute 2
    allowed = {YES, NO, NOT_SHOWN, YES + " (1 seed)", NO + " (1 seed)"}
    assert all(row.strip(" |").split(" | ")[-1] in allowed for row in rows), table
