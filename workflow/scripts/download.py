"""Fetch a data set from the first source whose arrays match its pinned digest."""

from fwprune import runtime
from fwprune.data import download_dataset


def main(dataset: str, output: str, timeout: float, log: str) -> None:
    runtime.log_to(log)
    download_dataset(dataset, output, timeout=timeout)


main(snakemake.params.dataset, snakemake.output[0], snakemake.params.timeout, snakemake.log[0])
