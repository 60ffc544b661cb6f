"""Gather the per-model metric rows and each stage's columns (inference timings, ...) into
results/metrics.parquet."""

import pandas as pd

from fwprune import runtime, tables
from fwprune.io import read_table, write_table

# A row's key (fwprune.tables.ROW without the granularity, which the timing rows lack): a
# sweep's rows (and timing rows) also differ by target sparsity.
KEYS = [key for key in tables.ROW if key != "param_granularity"]


def main(inputs, output, log) -> None:
    runtime.log_to(log.text, log.work)
    merged = pd.concat([read_table(path) for path in inputs.tables], ignore_index=True)
    keys = [key for key in KEYS if key in merged]
    # Each other input is a stage's columns (a timing stage's: none for an untimed sweep);
    # a model a stage does not run on (the unpruned one, a timing's reference) gets none.
    for stage in inputs.keys():
        if stage != "tables" and inputs[stage]:
            columns = pd.concat([read_table(path) for path in inputs[stage]], ignore_index=True)
            merged = merged.merge(columns, on=keys, how="left", validate="one_to_one")
    merged = merged.sort_values(keys)
    write_table(merged, output.table)
    write_table(merged, output.text)  # the same rows, readable without pandas


main(snakemake.input, snakemake.output, snakemake.log)
