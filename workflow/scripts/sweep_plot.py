"""Draw the sparsity sweep: accuracy against sparsity, one panel per budget."""

from fwprune.io import read_table
from fwprune.plots import save_figure, sweep_figure


def main(metrics: str, output) -> None:
    save_figure(sweep_figure(read_table(metrics)), [output.pdf, output.png])


main(snakemake.input.metrics, snakemake.output)
