"""Judge the paper's section-5 claims against the metrics table (a markdown table)."""

from fwprune import runtime
from fwprune.claims import report
from fwprune.io import atomic_output, read_table


def main(metrics: str, settings: dict, output: str, log: str) -> None:
    logger = runtime.log_to(log)
    table = report(read_table(metrics), settings=settings)
    logger.info("%s", table)
    with atomic_output(output) as temporary:
        temporary.write_text(table + "\n")


main(snakemake.input.metrics, snakemake.params.verdicts, snakemake.output[0], snakemake.log[0])
