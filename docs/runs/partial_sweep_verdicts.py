"""Verdicts of a sparsity sweep still running: the cells every seed and method finished.

    PYTHONPATH=workflow/scripts python docs/runs/partial_sweep_verdicts.py RUN [--figure PNG]

reads RUN/results/sweep/seed*/budget*/*/sparsity*/metrics.tsv (the tables `sweep_aggregate`
concatenates), keeps the (budget, sparsity) cells that hold a row for every seed and method
present, and prints `fwprune.verdicts.report` of them; `--figure` also draws the sweep
figure of those cells. Once the sweep has finished, `results/sweep/verdicts.md` is the same.
"""

import argparse
from pathlib import Path

import pandas as pd

from fwprune import verdicts
from fwprune.io import read_table
from fwprune.plots import save_figure, sweep_figure


def complete_cells(run: Path) -> pd.DataFrame:
    tables = sorted(run.glob("results/sweep/seed*/budget*/*/sparsity*/metrics.tsv"))
    frame = pd.concat([read_table(path) for path in tables], ignore_index=True)
    expected = frame.seed.nunique() * frame.method.nunique()
    rows = frame.groupby(["budget", "target_sparsity"]).method.transform("size")
    return frame[rows == expected]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--figure", type=Path)
    arguments = parser.parse_args()
    frame = complete_cells(arguments.run)
    print(verdicts.report(frame), end="")
    if arguments.figure:
        save_figure(sweep_figure(frame), [arguments.figure])


if __name__ == "__main__":
    main()
