"""The trade-off table: points lost against each seed's own checkpoint, ms and kB saved
per point, and the frontier, on made-up sweep rows whose every number is known."""

import itertools

import pandas as pd
import pytest

from fwprune import tradeoffs

# Unpruned accuracy differs by seed, so a table that did not pair rows with their own
# seed's checkpoint would lose other points.
BASE = pd.DataFrame({"seed": [0, 1], "budget": [10, 10], "test_accuracy": [0.98, 0.96]})


def cell(granularity, method, accuracies, pruned_ms, gzip_bytes, gzip_ratio):
    """Rows of one cell at sparsity 0.5, seeds 0 and 1; the dense model runs 0.5 ms."""
    return [
        {
            "seed": seed,
            "budget": 10,
            "param_granularity": granularity,
            "method": method,
            "target_sparsity": 0.5,
            "test_accuracy": accuracy,
            "pruned_latency_ms": pruned_ms,
            "dense_latency_ms": 0.5,
            "inference_time_ratio": pruned_ms / 0.5,
            "pruned_large_batch_latency_ms": pruned_ms / 10,
            "inference_time_ratio_large_batch": pruned_ms / 0.5,
            "model_gzip_bytes": gzip_bytes,
            "model_gzip_ratio": gzip_ratio,
        }
        for seed, accuracy in zip((0, 1), accuracies, strict=True)
    ]


SWEEPS = pd.DataFrame(
    # 1 point lost at each seed, no faster, gzip 20 kB of 100 kB: 80 kB per point.
    cell("unstructured", "magnitude", (0.97, 0.95), 0.5, 20_000, 0.2)
    # 2 points lost, 0.2 ms faster: 0.1 ms per point; gzip 50 kB of 100 kB: 25 kB per point.
    + cell("filter", "fw", (0.96, 0.94), 0.3, 50_000, 0.5)
    # Less accurate and slower than fw: off the frontier.
    + cell("filter", "random", (0.90, 0.88), 0.4, 50_000, 0.5)
    # More accurate than its checkpoint: its savings cost nothing.
    + cell("filter", "gmp", (0.985, 0.965), 0.45, 60_000, 0.6)
)


@pytest.fixture(scope="module")
def rows() -> dict[str, list[str]]:
    """The report's rows by method, split into their cells."""
    lines = tradeoffs.report(SWEEPS, BASE).splitlines()
    cells = [[part.strip() for part in line.strip("|").split("|")] for line in lines]
    return {c[1]: c for c in cells if len(c) > 1 and c[1] not in ("", "method")}


def test_points_lost_are_paired_with_each_seeds_checkpoint(rows):
    assert rows["magnitude"][3:5] == ["0.960", "+1.0"]
    assert rows["fw"][3:5] == ["0.950", "+2.0"]
    assert rows["gmp"][4] == "-0.5"


def test_costs_are_shown_in_units_and_as_ratios_to_the_unpruned_model(rows):
    assert rows["fw"][5:8] == ["0.300 (0.60)", "0.0300 (0.60)", "50 (0.50)"]


def test_each_point_given_up_buys_the_ms_and_kb_saved_over_it(rows):
    assert rows["magnitude"][8:10] == ["0", "80"]
    assert rows["fw"][8:10] == ["0.1", "25"]
    assert rows["gmp"][8:10] == ["free", "free"]


def test_the_frontier_holds_the_models_no_other_beats_on_accuracy_and_latency(rows):
    frontier = {method for method, row in rows.items() if row[10] == "yes"}
    assert frontier == {"fw", "gmp"}  # magnitude: gmp is more accurate and faster


def test_frontier_ties_keep_both_and_dominance_needs_one_strict_gain():
    accuracy = pd.Series([0.9, 0.9, 0.8, 0.9])
    latency = pd.Series([1.0, 1.0, 0.5, 1.2])
    assert tradeoffs.on_frontier(accuracy, latency).tolist() == [True, True, True, False]


def test_a_cell_run_by_both_sweeps_is_shown_once_not_averaged():
    twice = pd.DataFrame(cell("filter", "fw", (0.96, 0.94), 0.3, 50_000, 0.5) * 2)
    twice.loc[2:, "test_accuracy"] = 0.5  # the second sweep's run of the same cell
    lines = tradeoffs.report(twice, BASE).splitlines()
    (row,) = [line for line in lines if line.startswith("| filter")]
    assert "| 0.950 |" in row


def int8_cells(int8_loss_at_90: float) -> pd.DataFrame:
    """Two seeds of fw at sparsities 0.5 and 0.9: the 0.9 model is the smaller and faster
    int8 model, and loses `int8_loss_at_90` accuracy to its float32 twin (0.5: 0.001)."""
    rows = []
    for seed, sparsity in itertools.product((0, 1), (0.5, 0.9)):
        accuracy = 0.95 + seed * 0.001
        loss = int8_loss_at_90 if sparsity == 0.9 else 0.001
        rows.append(
            {"seed": seed, "budget": 1, "param_granularity": "unstructured", "method": "fw",
             "target_sparsity": sparsity, "test_accuracy": accuracy,
             "int8_test_accuracy": accuracy - loss, "pruned_latency_ms": 0.1,
             "int8_pruned_latency_ms": 0.1 - sparsity / 20,
             "int8_inference_time_ratio": 1 - sparsity / 2, "litert_gzip_bytes": 4e5,
             "int8_gzip_bytes": 1e5 * (1 - sparsity), "int8_gzip_ratio": 0.25 * (1 - sparsity)}
        )  # fmt: skip
    return pd.DataFrame(rows)


def test_int8_choices_keep_only_models_within_the_loss_of_their_float_twin():
    kept = tradeoffs.int8_choices(int8_cells(int8_loss_at_90=0.004)).splitlines()[2]
    assert kept.count("sparsity 0.9") == 2  # the smallest and the fastest
    dropped = tradeoffs.int8_choices(int8_cells(int8_loss_at_90=0.02)).splitlines()[2]
    assert dropped.count("sparsity 0.5") == 2 and "sparsity 0.9" not in dropped
