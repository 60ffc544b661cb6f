"""Judge the paper's section-5 claims against the metrics table (a markdown table)."""

import pandas as pd

from fwprune import runtime
from fwprune.claims import check_claims, markdown
from fwprune.io import atomic_output


def main(metrics: str, output: str, log: str) -> None:
    logger = runtime.log_to(log)
    table = markdown(check_claims(pd.read_parquet(metrics)))
    logger.info("%s", table)
    with atomic_output(output) as temporary:
        temporary.write_text(table + "\n")


main(snakemake.input.metrics, snakemake.output[0], snakemake.log[0])
