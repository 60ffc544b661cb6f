"""Gather the per-model metric rows and inference timings into results/metrics.parquet."""

import pandas as pd

from fwprune import runtime, tables
from fwprune.io import read_table, write_table

# A row's key (fwprune.tables.ROW without the granularity, which the timing rows lack): a
# sweep's rows (and timing rows) also differ by target sparsity.
KEYS = [key for key in tables.ROW if key != "param_granularity"]


def main(tables: list[str], timings: list[str], output, log) -> None:
    runtime.log_to(log.text, log.work)
    merged = pd.concat([read_table(path) for path in tables], ignore_index=True)
    keys = [key for key in KEYS if key in merged]
    if timings:  # a sweep may be untimed
        timing = pd.concat([read_table(path) for path in timings], ignore_index=True)
        # The unpruned model is the reference of the ratio: it gets no timing row.
        merged = merged.merge(timing, on=keys, how="left", validate="one_to_one")
    merged = merged.sort_values(keys)
    write_table(merged, output.table)
    write_table(merged, output.text)  # the same rows, readable without pandas


main(snakemake.input.tables, snakemake.input.timings, snakemake.output, snakemake.log)
