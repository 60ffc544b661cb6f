"""Judge a metrics table and write its verdicts as markdown: the paper's section-5 claims
(`params.judge` "claims", the default run's table) or a sweep's verdicts ("sweep")."""

from fwprune import claims, runtime, verdicts
from fwprune.io import atomic_output, read_table

REPORTS = {"claims": claims.report, "sweep": verdicts.report}


def main(judge: str, metrics: str, settings: dict, output: str, log) -> None:
    logger = runtime.log_to(log.text, log.work)
    text = REPORTS[judge](read_table(metrics), settings=settings).rstrip("\n") + "\n"
    logger.info("%s", text)
    with atomic_output(output) as temporary:
        temporary.write_text(text)


main(
    snakemake.params.judge,
    snakemake.input.metrics,
    snakemake.params.verdicts,
    snakemake.output[0],
    snakemake.log,
)
