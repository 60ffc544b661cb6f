"""Draw test accuracy against latency and size, both sweeps (unstructured and filter) together."""

import pandas as pd

from fwprune import runtime
from fwprune.io import read_table
from fwprune.plots import accuracy_vs_cost_figure, save_figure
from fwprune.stats import Settings


def main(sweeps: list[str], output, verdicts: dict, log) -> None:
    runtime.log_to(log.text, log.work)
    frame = pd.concat([read_table(path) for path in sweeps], ignore_index=True)
    collapsed_below = Settings.of(verdicts).collapsed_below  # the verdict tables' cutoff
    save_figure(accuracy_vs_cost_figure(frame, collapsed_below), [output.pdf, output.png])


main(snakemake.input.sweeps, snakemake.output, snakemake.params.verdicts, snakemake.log)
