"""The int8 stage (fwprune.quantize): `params.measure` "scores" converts a model to its
full-integer int8 LiteRT twin and scores it (one row's int8 columns); "latency" times a
method's int8 twin against the unpruned model's, as time_inference times the float32 ones
(batch size and large batch, the same control)."""

import pandas as pd

from fwprune import quantize, runtime
from fwprune.data import load_dataset, prepare
from fwprune.io import atomic_output, write_table

# The suffix of the large-batch measurement's columns, as time_inference names them.
LARGE_BATCH = "_large_batch"


def key(wildcards, seed: int) -> dict:
    """The row the columns belong to: seed, budget, model, and a sweep cell's sparsity."""
    row = {"seed": seed, "budget": int(wildcards.budget)}
    row["method"] = wildcards.get("model", wildcards.get("method"))
    if "sparsity" in wildcards.keys():
        row["target_sparsity"] = float(wildcards.sparsity)
    return row


def scores(wildcards, inputs, output, params, batch_size: int, threads: int, log) -> None:
    from fwprune.export import load_exported

    logger = runtime.configure(threads, params.seed, log.text, log.work)
    splits = prepare(load_dataset(inputs.data, params.data_sha256), **params.data)
    representative = quantize.representative_sample(
        splits.train[0], params.int8["representative_examples"], params.seed
    )
    with atomic_output(output.int8) as temporary:
        temporary.write_bytes(quantize.int8_bytes(load_exported(inputs.model), representative))
    x, y = splits.test
    row = key(wildcards, params.seed)
    row |= quantize.int8_columns(output.int8, inputs.dense_litert, x, y, batch_size, threads)
    logger.info("%s", row)
    write_table(pd.DataFrame([row]), output.table)


def latency(wildcards, inputs, output, params, log) -> None:
    timing = params.timing
    logger = runtime.start(timing["threads"], log.text, log.work)
    x_test, _ = prepare(load_dataset(inputs.data, params.data_sha256)).test
    batch_sizes = [(timing["batch_size"], ""), (timing["large_batch_size"], LARGE_BATCH)]
    row = key(wildcards, params.seed)
    row |= quantize.int8_latency_columns(
        inputs.pruned_int8, inputs.dense_int8, x_test, timing, batch_sizes
    )
    logger.info("%s", row)
    write_table(pd.DataFrame([row]), output.table)


if snakemake.params.measure == "scores":
    # The twin's batch size comes from the config, not params, as in evaluate.py: the
    # twin's outputs are the same at any batch size.
    scores(
        snakemake.wildcards,
        snakemake.input,
        snakemake.output,
        snakemake.params,
        snakemake.config["evaluate"]["batch_size"],
        snakemake.threads,
        snakemake.log,
    )
else:
    latency(snakemake.wildcards, snakemake.input, snakemake.output, snakemake.params, snakemake.log)
