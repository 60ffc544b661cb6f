"""Draw the sparsity sweep: accuracy against sparsity, one panel per budget."""

from fwprune import runtime
from fwprune.io import read_table
from fwprune.plots import save_figure, sweep_figure
from fwprune.stats import Settings


def main(metrics: str, output, verdicts: dict, log) -> None:
    runtime.log_to(log.text, log.work)
    collapsed_below = Settings.of(verdicts).collapsed_below  # the verdict tables' cutoff
    save_figure(sweep_figure(read_table(metrics), collapsed_below), [output.pdf, output.png])


main(snakemake.input.metrics, snakemake.output, snakemake.params.verdicts, snakemake.log)
