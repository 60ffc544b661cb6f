"""Smoke test of the benchmark command: it runs and prints a numeric row per item.

Speed is never asserted here: timings depend on the machine and its load.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ITEMS = ("1", "2", "2b", "3", "3c", "4", "5", "6", "6a", "6b", "6c", "6d", "6e")
NUMBER = r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"


def table_rows(output: str) -> dict[str, list[str]]:
    """Markdown table rows keyed by their first cell."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0]] = cells
    return rows


@pytest.fixture(scope="module")
def quick_output(smoke_run) -> str:
    """The quick benchmark on the MNIST file the smoke run downloaded and verified."""
    data = smoke_run / "data" / "mnist.npz"
    environment = os.environ | {"PYTHONPATH": str(REPO / "workflow" / "scripts")}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--quick", "--threads", "1", "--data", data],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard, not a speed check
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return result.stdout


def test_quick_benchmark_prints_a_numeric_row_for_every_item(quick_output):
    rows = table_rows(quick_output)
    assert rows["item"][:4] == ["item", "measure", "median", "IQR"]
    for item in ITEMS:
        assert item in rows, f"no row for item {item}:\n{quick_output}"
        median, iqr = rows[item][2], rows[item][3]
        assert re.fullmatch(NUMBER, median), f"item {item}: median {median!r} is not a number"
        q25, q75 = (float(value) for value in iqr.split("–"))
        assert q25 <= float(median) <= q75


def test_job_breakdown_covers_every_stage(quick_output):
    rows = table_rows(quick_output)
    stages = [cells for item, cells in rows.items() if item.startswith("4.")]
    assert len(stages) == 7
    assert all(re.fullmatch(NUMBER, cells[2]) for cells in stages)
