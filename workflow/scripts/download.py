"""Fetch a data set from the first source whose arrays match its pinned digest."""

from fwprune import runtime
from fwprune.sources import download_dataset


def main(dataset: str, output: str, timeout: float, log) -> None:
    runtime.log_to(log.text, log.work)
    download_dataset(dataset, output, timeout=timeout)


# The timeout is read from the config, not params: it cannot change the verified file, so
# changing it must not rerun the download.
main(
    snakemake.wildcards.dataset,
    snakemake.output[0],
    snakemake.config["data"]["download_timeout"],
    snakemake.log,
)
