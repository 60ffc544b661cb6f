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


def test_margin_moves_the_bar():
    assert above(np.array([0.02, 0.03, 0.025]), margin=0.05) == NO


def test_all_of_needs_every_part():
    assert claims.all_of([YES, YES]) == YES
    assert claims.all_of([YES, NOT_SHOWN]) == NOT_SHOWN
    assert claims.all_of([NOT_SHOWN, NO]) == NO


def synthetic_metrics(accuracy, loss=None) -> pd.DataFrame:
    """A metrics table with accuracy(method, budget, seed) and made-up sizes and timings."""
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
            "inference_time_ratio": 1.0 + 0.01 * seed if method != "base" else np.nan,
        }
        for seed, budget, method in itertools.product(SEEDS, BUDGETS, nonzero)
    ]
    return pd.DataFrame(rows)


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
    assert result["pruned models are 2–2.5× slower than the dense one"] == NO


def test_a_run_where_pruning_only_adds_training_refutes_the_matched_claims():
    def accuracy(method, budget, seed):
        extra = {"base": 0, "magnitude": 2, "fw": 4, "fw_momentum": 4, "dense+4": 4}[method]
        penalty = {"fw": 0.004, "fw_momentum": 0.003}.get(method, 0)
        return 0.80 + 0.01 * (budget + extra) - penalty + noise(seed)

    result = verdicts(synthetic_metrics(accuracy))
    assert result["after 1 epoch, FW and FW+momentum beat base and magnitude"] == YES
    matched = [v for k, v in result.items() if "matched compute" in k]
    assert matched == [NO, NO]
    assert result["magnitude pruning never clearly improves on the base model"] == NO


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
