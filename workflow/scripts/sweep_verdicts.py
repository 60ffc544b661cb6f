"""Judge a sweep: which method to use, and FW against each baseline (markdown)."""

from fwprune import runtime
from fwprune.io import atomic_output, read_table
from fwprune.verdicts import report


def main(metrics: str, settings: dict, output: str, log: str) -> None:
    logger = runtime.log_to(log)
    text = report(read_table(metrics), settings)
    logger.info("%s", text)
    with atomic_output(output) as temporary:
        temporary.write_text(text)


main(snakemake.input.metrics, snakemake.params.verdicts, snakemake.output[0], snakemake.log[0])
