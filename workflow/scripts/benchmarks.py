"""Gather every job's Snakemake benchmark into one table and draw where the time goes."""

import pandas as pd

from fwprune import runtime
from fwprune.io import read_table, write_table
from fwprune.plots import save_figure, stage_time_figure


def main(records: list[dict], output, log) -> None:
    runtime.log_to(log.text, log.work)
    rows = [
        {key: value for key, value in record.items() if key != "path"}
        | read_table(record["path"]).iloc[0][["s", "max_rss", "cpu_time"]].to_dict()
        for record in records
    ]
    table = pd.DataFrame(rows).rename(columns={"s": "seconds", "max_rss": "max_rss_mb"})
    write_table(table, output.table)
    save_figure(stage_time_figure(table), [output.figure, output.figure_png])


main(snakemake.params.records, snakemake.output, snakemake.log)
