"""Score one exported model on the test set: one row of the metrics table.

Everything comes from the model's LiteRT twin, its saved state and file sizes, with no
TensorFlow in the process (tests/test_litert.py checks); only `evaluate.keras_accuracy`
loads the Keras model too, for its own accuracy and loss beside the twin's, and the batch
size they were measured at (column keras_batch_size).
"""

import pandas as pd

from fwprune import litert, runtime
from fwprune.data import load_dataset, prepare
from fwprune.io import epochs_trained, write_table
from fwprune.metrics import pruning_metrics, size_metrics, sparse_size_metrics


def metrics_row(inputs, params, batch_size: int, threads: int) -> dict:
    """The row of the model in `inputs` (its twin, state and files, the budget's unpruned
    checkpoint's): `params.row` and what is measured."""
    splits = prepare(load_dataset(inputs.data, params.data_sha256), **params.data)
    (x, y), (x_validation, y_validation) = splits.test, splits.validation
    row = dict(params.row)
    row["epochs_after_checkpoint"] = epochs_trained(inputs.state) - row["budget"]
    # Validation scores are what tuning and selection read; test scores are only reported.
    if len(y_validation):
        row |= litert.evaluate(
            inputs.litert, x_validation, y_validation, batch_size, threads, split="validation"
        )
    scores = litert.evaluate(inputs.litert, x, y, batch_size, threads)
    # The figures and claims read test_*: the accuracy of the model as shipped.
    row |= scores | {f"litert_{key}": value for key, value in scores.items()}
    if params.keras_batch_size is not None:
        from fwprune.export import load_exported
        from fwprune.metrics import evaluate

        keras_batch_size = params.keras_batch_size
        keras_scores = evaluate(load_exported(inputs.model), x, y, batch_size=keras_batch_size)
        row |= {f"keras_{key}": value for key, value in keras_scores.items()}
        row["keras_batch_size"] = keras_batch_size
    # Against the unpruned checkpoint of the budget: its shapes and its files.
    model = litert.twin_layers(inputs.litert, inputs.model)
    row |= pruning_metrics(model, litert.twin_layers(inputs.dense_litert, inputs.dense))
    row |= size_metrics(inputs.model, inputs.dense)
    row |= size_metrics(inputs.litert, inputs.dense_litert, prefix="litert")
    row |= sparse_size_metrics(inputs.litert_sparse, inputs.dense_litert)
    return row


def main(inputs, output: str, params, batch_size: int, threads: int, log) -> None:
    if params.keras_batch_size is not None:
        logger = runtime.configure(threads, params.row["seed"], log.text, log.work)
    else:
        logger = runtime.start(threads, log.text, log.work)
    row = metrics_row(inputs, params, batch_size, threads)
    logger.info("%s", row)
    write_table(pd.DataFrame([row]), output)


# The twin's batch size comes from the config, not params: the twin's outputs are the same
# at any batch size (README, "What reruns when"), so changing it must not rerun the
# evaluation. The Keras model's, which changes its loss, is a param (keras_batch_size).
main(
    snakemake.input,
    snakemake.output[0],
    snakemake.params,
    snakemake.config["evaluate"]["batch_size"],
    snakemake.threads,
    snakemake.log,
)
