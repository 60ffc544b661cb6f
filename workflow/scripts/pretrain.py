"""Pre-train one epoch: checkpoint k is checkpoint k-1 trained one more epoch."""

from fwprune import runtime
from fwprune.data import load_dataset, prepare
from fwprune.training import MaskedNetwork


def main(inputs, output, params, threads: int, log) -> None:
    logger = runtime.configure(threads, params.seed, log.text, log.work)
    splits = prepare(load_dataset(inputs.data, params.data_sha256), **params.data)
    train = splits.train
    network = MaskedNetwork(
        **params.train,
        seed=params.seed,
        network=params.network,
        input_shape=splits.input_shape,
        num_classes=splits.classes,
    )
    if "state" in inputs.keys():
        network.restore(inputs.state)
    logger.info("training epoch %d on %d examples", network.epochs_trained + 1, len(train[1]))
    network.train(*train, epochs=1)
    network.save(output.state, output.model, output.litert, output.litert_sparse)
    runtime.record_training(network.epochs_run, network.examples_run)


main(snakemake.input, snakemake.output, snakemake.params, snakemake.threads, snakemake.log)
