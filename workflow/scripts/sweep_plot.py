"""Draw the sparsity sweep: accuracy against sparsity, one panel per budget."""

from fwprune import runtime
from fwprune.io import read_table
from fwprune.plots import save_figure, sweep_figure


def main(metrics: str, output, log) -> None:
    runtime.log_to(log.text, log.work)
    save_figure(sweep_figure(read_table(metrics)), [output.pdf, output.png])


main(snakemake.input.metrics, snakemake.output, snakemake.log)
