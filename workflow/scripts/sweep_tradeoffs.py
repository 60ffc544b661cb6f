"""Tabulate what each model of both sweeps buys in ms and kB per point of accuracy lost."""

import pandas as pd

from fwprune import runtime
from fwprune.io import atomic_output, read_table
from fwprune.tradeoffs import report


def main(sweeps: list[str], base: list[str], output: str, log) -> None:
    logger = runtime.log_to(log.text, log.work)
    text = report(
        pd.concat(map(read_table, sweeps), ignore_index=True),
        pd.concat(map(read_table, base), ignore_index=True),
    )
    logger.info("%s", text)
    with atomic_output(output) as temporary:
        temporary.write_text(text)


main(snakemake.input.sweeps, snakemake.input.base, snakemake.output[0], snakemake.log)
