"""Fetch MNIST from the first source whose arrays match the pinned digest."""

import logging

from fwprune.data import download_mnist


def main(output: str, timeout: float, log: str) -> None:
    logging.basicConfig(
        filename=log, filemode="w", level=logging.INFO, format="%(asctime)s %(message)s"
    )
    download_mnist(output, timeout=timeout)


main(snakemake.output[0], snakemake.params.timeout, snakemake.log[0])
