"""Draw the paper's Figures 1-3 from the metrics table, each as PDF and PNG."""

from fwprune import runtime
from fwprune.io import read_table
from fwprune.plots import draw_figures


def main(metrics: str, output, log) -> None:
    runtime.log_to(log.text, log.work)
    names = [name for name in output.keys() if not name.endswith("_png")]
    draw_figures(
        read_table(metrics), {name: [output[name], output[f"{name}_png"]] for name in names}
    )


main(snakemake.input.metrics, snakemake.output, snakemake.log)
