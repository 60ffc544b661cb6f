"""Judge one look of a settled sweep: which comparisons are still undecided, and the cells
that get the next seeds (`fwprune.settle.plan`), as JSON."""

import json

import pandas as pd

from fwprune import runtime, settle, tables
from fwprune.io import atomic_output, read_table


def main(metrics: list[str], params: dict, settings: dict, look: int, output: str, log) -> None:
    logger = runtime.log_to(log.text, log.work)
    frame = tables.distinct_rows(
        pd.concat([read_table(path) for path in metrics], ignore_index=True)
    )
    found = settle.plan(frame, params, settings, look)
    logger.info(
        "look %d (%d seeds): %d comparisons undecided, %d cells next",
        look,
        found["seeds"],
        len(found["undecided"]),
        len(found["next"]),
    )
    with atomic_output(output) as temporary:
        temporary.write_text(json.dumps(found, indent=1) + "\n")


main(
    snakemake.input.metrics,
    snakemake.params.settle,
    snakemake.params.verdicts,
    int(snakemake.wildcards.look),
    snakemake.output[0],
    snakemake.log,
)
