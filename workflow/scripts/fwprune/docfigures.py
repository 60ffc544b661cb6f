"""The figures in docs/figures, drawn by `fwprune.plots` from data committed under docs/runs.

    PYTHONPATH=workflow/scripts python -m fwprune.docfigures              redraw every one
    PYTHONPATH=workflow/scripts python -m fwprune.docfigures docs/figures/nonzero.png   one

`FIGURES` says which data and which drawing make each file; the docs name this command
beside each figure. The sweep figures use the defaults of config.yaml's `verdicts` section
(`fwprune.stats.Settings`), as the tables of `fwprune.doctables` beside them do.
"""

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fwprune import plots
from fwprune.io import read_table
from fwprune.paths import BENCHMARK_SUFFIX, rule_of


def read_tables(paths: list[Path]) -> pd.DataFrame:
    """Several metrics tables as one (a sweep's cells may come from any of them)."""
    return pd.concat([read_table(path) for path in paths], ignore_index=True)


def read_benchmarks(paths: list[Path]) -> pd.DataFrame:
    """The rule and the benchmark columns of every job's benchmark file under `paths`
    (folders laid out as the run's, e.g. docs/runs/cost-grid/records)."""
    files = sorted(f for folder in paths for f in folder.rglob(f"*{BENCHMARK_SUFFIX}"))
    return pd.DataFrame(
        [{"rule": rule_of(f)} | read_table(f).iloc[-1].to_dict() for f in files]
    ).rename(columns={"s": "seconds"})


@dataclass(frozen=True)
class DocFigure:
    draw: Callable[[pd.DataFrame], object]  # data -> matplotlib figure
    data: tuple[str, ...]  # files or folders, relative to the repository root
    read: Callable[[list[Path]], pd.DataFrame] = read_tables


def budget_figure(name: str) -> Callable:
    return lambda frame: plots.line_figure(frame, plots.FIGURES[name])


GRID = "docs/runs/mnist-grid/metrics.tsv"
FASHION = "docs/runs/fashion-mnist/metrics.tsv"
SWEEPS = "docs/runs/sweeps-mnist"
FIGURES = {
    **{
        f"docs/figures/{name}.png": DocFigure(budget_figure(name), (GRID,))
        for name in ("accuracy", "loss", "nonzero")
    },
    **{
        f"docs/figures/fashion-mnist/{name}.png": DocFigure(budget_figure(name), (FASHION,))
        for name in plots.FIGURES
    },
    "docs/figures/sweep-sparsity.png": DocFigure(plots.sweep_figure, (f"{SWEEPS}/sweep.tsv",)),
    "docs/figures/fair-sparsity.png": DocFigure(
        plots.sweep_figure, (f"{SWEEPS}/sweep.tsv", f"{SWEEPS}/fair.tsv")
    ),
    "docs/figures/converged-sparsity.png": DocFigure(
        plots.sweep_figure, ("docs/runs/converged-mnist/converged.tsv",)
    ),
    "docs/figures/filter-scope-sparsity.png": DocFigure(
        plots.sweep_figure, ("docs/runs/filter-scope/filter_scope.tsv",)
    ),
    "docs/figures/time_per_stage.png": DocFigure(
        plots.stage_time_figure, ("docs/runs/cost-grid/records",), read_benchmarks
    ),
}


def draw(name: str, root: Path, output: Path) -> None:
    """Draw the figure `name` (a key of FIGURES) from its data under `root` to `output`."""
    spec = FIGURES[name]
    plots.save_figure(spec.draw(spec.read([root / path for path in spec.data])), [output])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figures", nargs="*", help="e.g. docs/figures/nonzero.png (default: all)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    args = parser.parse_args(argv)
    for name in args.figures or FIGURES:
        draw(name, args.root, args.root / name)
        print(f"drew {name}")


if __name__ == "__main__":
    main()
