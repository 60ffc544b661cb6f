"""Write a settled sweep's metrics table (every cell at every seed it got) and its settled
verdicts (`fwprune.settle.report`)."""

import pandas as pd

from fwprune import runtime, settle, tables
from fwprune.io import atomic_output, read_table, write_table


def main(metrics: list[str], params: dict, settings: dict, output, log) -> None:
    logger = runtime.log_to(log.text, log.work)
    frame = tables.distinct_rows(
        pd.concat([read_table(path) for path in metrics], ignore_index=True)
    )
    frame = frame.sort_values(["budget", "target_sparsity", "method", "seed"])
    write_table(frame, output.table)
    text = settle.report(frame, params, settings)
    logger.info("%s", text)
    with atomic_output(output.report) as temporary:
        temporary.write_text(text)


main(
    snakemake.input.metrics,
    snakemake.params.settle,
    snakemake.params.verdicts,
    snakemake.output,
    snakemake.log,
)
