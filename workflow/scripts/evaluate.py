"""Score one exported model on the test set: one row of the metrics table."""

import pandas as pd

from fwprune import runtime
from fwprune.data import load_dataset, prepare
from fwprune.io import write_table
from fwprune.metrics import pruning_metrics, size_metrics
from fwprune.training import epochs_trained, evaluate, load_exported


def main(inputs, output: str, params, batch_size: int, threads: int, log: str) -> None:
    logger = runtime.configure(threads, params.row["seed"], log)
    _, test = prepare(load_dataset(inputs.data, params.data_sha256), **params.data)
    model = load_exported(inputs.model)
    row = dict(params.row)
    row["epochs_after_checkpoint"] = epochs_trained(inputs.state) - row["budget"]
    row |= evaluate(model, *test, batch_size=batch_size)
    # Against the unpruned checkpoint of the budget: its shapes and its file.
    row |= pruning_metrics(model, load_exported(inputs.dense))
    row |= size_metrics(inputs.model, inputs.dense)
    logger.info("%s", row)
    write_table(pd.DataFrame([row]), output)


# The batch size comes from the config, not params: it changes no number, so changing it
# must not rerun the evaluation.
main(
    snakemake.input,
    snakemake.output[0],
    snakemake.params,
    snakemake.config["evaluate"]["batch_size"],
    snakemake.threads,
    snakemake.log[0],
)
