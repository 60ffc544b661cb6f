"""Per-example latency of a pruned model over the unpruned one of the same budget, and of
a second copy of the unpruned one over it (the control)."""

import pandas as pd

from fwprune import runtime
from fwprune.data import load_dataset, prepare
from fwprune.io import write_table
from fwprune.timing import inference_latency_ratio
from fwprune.training import load_exported


def main(wildcards, inputs, output: str, params, threads: int, log: str) -> None:
    timing = params.timing
    logger = runtime.configure(threads, params.seed, log)
    _, (x_test, _) = prepare(load_dataset(inputs.data, params.data_sha256))
    examples = x_test[: timing["batch_size"] * 100]
    measured = inference_latency_ratio(
        load_exported(inputs.pruned),
        load_exported(inputs.dense),
        load_exported(inputs.dense),  # a separate copy: the control
        examples,
        batch_size=timing["batch_size"],
        repeats=timing["repeats"],
        warmup=timing["warmup"],
    )
    row = {"seed": params.seed, "budget": int(wildcards.budget), "method": wildcards.method}
    if "sparsity" in wildcards.keys():  # a sweep's cell: its rows differ by sparsity
        row["target_sparsity"] = float(wildcards.sparsity)
    logger.info("%s", row | measured)
    write_table(pd.DataFrame([row | measured]), output)


main(
    snakemake.wildcards,
    snakemake.input,
    snakemake.output[0],
    snakemake.params,
    # The rule claims every core only to keep other jobs off them: TensorFlow gets the
    # configured timing threads, not the rule's (read here, not from params: a thread
    # count must not rerun the job).
    snakemake.config["timing"]["threads"],
    snakemake.log[0],
)
