"""Judge the paper's section-5 claims against the metrics table (a markdown table)."""

import logging

import pandas as pd

from fwprune.claims import check_claims, markdown
from fwprune.io import atomic_output


def main(metrics: str, output: str, log: str) -> None:
    logging.basicConfig(filename=log, filemode="w", level=logging.INFO)
    table = markdown(check_claims(pd.read_parquet(metrics)))
    logging.getLogger("fwprune").info("%s", table)
    with atomic_output(output) as temporary:
        temporary.write_text(table + "\n")


main(snakemake.input.metrics, snakemake.output[0], snakemake.log[0])
