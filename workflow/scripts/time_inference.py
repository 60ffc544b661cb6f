"""Per-example latency of a pruned model over the unpruned one of the same budget, and of
a second copy of the unpruned one over it (the control), at the configured batch size and
at a large batch (columns suffixed LARGE_BATCH), in the runtime of config `timing.runtime`:
the models' LiteRT twins (the default; no TensorFlow in the process) or their Keras files,
with `timing.threads` threads. The row records both (columns runtime, timing_threads)."""

import pandas as pd

from fwprune import litert, runtime
from fwprune.data import load_dataset, prepare
from fwprune.io import write_table
from fwprune.timing import inference_latency_ratio, keras_forward

# The suffix of the large-batch measurement's columns.
LARGE_BATCH = "_large_batch"


def main(wildcards, inputs, output: str, params, log) -> None:
    # The rule claims every core only to keep other jobs off them: the runtime gets the
    # configured timing threads, not the rule's.
    timing, threads = params.timing, params.timing["threads"]
    if timing["runtime"] == "keras":
        from fwprune.export import load_exported

        logger = runtime.configure(threads, params.seed, log.text, log.work)
        # The dense model loaded twice: the second, separate copy is the control.
        models = [load_exported(inputs.pruned), *(load_exported(inputs.dense) for _ in range(2))]
        forward = keras_forward
    else:
        logger = runtime.start(threads, log.text, log.work)
        # Each model in an interpreter of its own: the control is a second interpreter.
        models = [inputs.pruned_litert, inputs.dense_litert, inputs.dense_litert]

        def forward(path, batch_size):
            return litert.forward(path, batch_size, threads)

    x_test, _ = prepare(load_dataset(inputs.data, params.data_sha256)).test
    measured = {}
    for batch_size, suffix in (
        (timing["batch_size"], ""),
        (timing["large_batch_size"], LARGE_BATCH),
    ):
        logger.info("timing at batch size %d", batch_size)
        measured |= inference_latency_ratio(
            *models,
            x_test[: batch_size * 100],
            batch_size=batch_size,
            repeats=timing["repeats"],
            warmup=timing["warmup"],
            suffix=suffix,
            forward=forward,
        )
    row = {"seed": params.seed, "budget": int(wildcards.budget), "method": wildcards.method}
    row |= {"runtime": timing["runtime"], "timing_threads": threads}
    if "sparsity" in wildcards.keys():  # a sweep's cell: its rows differ by sparsity
        row["target_sparsity"] = float(wildcards.sparsity)
    logger.info("%s", row | measured)
    write_table(pd.DataFrame([row | measured]), output)


main(snakemake.wildcards, snakemake.input, snakemake.output[0], snakemake.params, snakemake.log)
