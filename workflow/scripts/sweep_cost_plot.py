"""Draw test accuracy against latency and size, both sweeps (unstructured and filter) together."""

import pandas as pd

from fwprune import runtime
from fwprune.io import read_table
from fwprune.plots import accuracy_vs_cost_figure, save_figure


def main(sweeps: list[str], output, log) -> None:
    runtime.log_to(log.text, log.work)
    frame = pd.concat([read_table(path) for path in sweeps], ignore_index=True)
    save_figure(accuracy_vs_cost_figure(frame), [output.pdf, output.png])


main(snakemake.input.sweeps, snakemake.output, snakemake.log)
