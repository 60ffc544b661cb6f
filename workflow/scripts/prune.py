"""Prune one checkpoint with one method, including the method's interleaved retraining."""

import numpy as np

from fwprune import runtime
from fwprune.data import load_dataset, prepare
from fwprune.methods import prune
from fwprune.training import MaskedNetwork


def main(inputs, output, params, threads: int, log) -> None:
    logger = runtime.configure(threads, params.seed, log.text, log.work)
    splits = prepare(load_dataset(inputs.data, params.data_sha256), **params.data)
    train = splits.train
    network = MaskedNetwork(
        **params.train,
        seed=params.seed,
        network=params.network,
        granularity=params.method["granularity"],
        input_shape=splits.input_shape,
        num_classes=splits.classes,
    ).restore(inputs.state)
    logger.info(
        "pruning the epoch-%d checkpoint with %s %s",
        network.epochs_trained,
        params.algorithm,
        params.method,
    )
    # One generator per seed: every method and budget draws the same subsamples.
    prune(params.algorithm, network, train, params.method, np.random.default_rng(params.seed))
    network.save(output.state, output.model, output.litert, output.litert_sparse)
    runtime.record_training(network.epochs_run, network.examples_run)


main(snakemake.input, snakemake.output, snakemake.params, snakemake.threads, snakemake.log)
