"""Gather the per-model metric rows into results/metrics.parquet."""

import pandas as pd
from fwprune.io import read_table, write_table


def main(tables: list[str], output: str) -> None:
    frame = pd.concat([read_table(path) for path in tables], ignore_index=True)
    write_table(frame.sort_values(["seed", "budget", "method"]), output)


main(snakemake.input.tables, snakemake.output[0])
