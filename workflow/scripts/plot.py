"""Draw the paper's Figures 1 and 2 from the metrics table, as PDF and PNG."""

from fwprune.io import read_table
from fwprune.plots import FIGURES, draw_figures


def main(metrics: str, output) -> None:
    draw_figures(
        read_table(metrics), {name: [output[name], output[f"{name}_png"]] for name in FIGURES}
    )


main(snakemake.input.metrics, snakemake.output)
