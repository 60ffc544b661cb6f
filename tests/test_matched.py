"""Filter cells compared at equal kept parameters: interpolation, never extrapolation, and
never across a collapsed cell."""

import itertools

import numpy as np
import pandas as pd

from fwprune import matched

# The baseline's accuracy is 0.5 + kept fraction on every seed (a straight line); FW keeps
# 0.30 at 50 % of the filters (the baseline 0.25) and sits 0.02 above the line.
BASELINE = {0.5: 0.25, 0.75: 0.10, 0.9: 0.04}
FW_KEPT = {0.5: 0.30, 0.75: 0.15, 0.9: 0.02}


def sweep(collapse_at=None) -> pd.DataFrame:
    rows = []
    for seed, sparsity in itertools.product(range(3), BASELINE):
        noise = 0.0005 * seed
        base = 0.5 + BASELINE[sparsity] + noise
        if sparsity == collapse_at:
            base = 0.11
        rows.append(("gmp", seed, sparsity, BASELINE[sparsity], base))
        rows.append(("fw", seed, sparsity, FW_KEPT[sparsity], 0.52 + FW_KEPT[sparsity] + noise))
    frame = pd.DataFrame(
        rows, columns=["method", "seed", "target_sparsity", "nonzero_fraction", "test_accuracy"]
    )
    return frame.assign(budget=1)


def row(table: str, sparsity: str) -> list[str]:
    lines = [line for line in table.splitlines() if line.startswith(f"| 1 | {sparsity} |")]
    return [cell.strip() for cell in lines[0].strip("|").split("|")]


def test_fw_is_compared_with_the_baseline_at_its_own_kept_fraction():
    kept, d = matched.matched_differences(sweep(), "fw", "gmp", 1, 0.75, 0.2)
    assert np.allclose(kept, 0.15) and np.allclose(d, 0.02)
    table = matched.matched_table(sweep(), [("fw", "gmp")])
    assert row(table, "0.75")[3:] == [
        "0.150",
        "0.040–0.250",
        "+0.020 [+0.020, +0.020]",
        "**better**",
    ]


def test_beyond_the_baselines_cells_nothing_is_extrapolated():
    # FW keeps 0.30 at 50 %: more than any baseline cell (0.25); 0.02 at 90 %: less.
    for sparsity in ("0.5", "0.9"):
        assert row(matched.matched_table(sweep(), [("fw", "gmp")]), sparsity)[-1] == "not matched"


def test_no_line_is_drawn_to_a_collapsed_cell():
    # FW's 0.15 lies between the baseline's 0.25 (50 %) and 0.10 (75 %): a collapse at 75 %
    # leaves it unmatched, one at 90 % (0.04) does not touch it.
    table = matched.matched_table(sweep(collapse_at=0.75), [("fw", "gmp")])
    assert row(table, "0.75")[-1] == "not matched"
    table = matched.matched_table(sweep(collapse_at=0.9), [("fw", "gmp")])
    assert row(table, "0.75")[-1] == "**better**"
