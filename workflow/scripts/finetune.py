"""Fine-tune a pruned model with its mask fixed; with 0 epochs, copy it unchanged. Writes
the state, the exported model and its LiteRT twins (float32 and sparse format)."""

from fwprune import runtime
from fwprune.io import copy_file


def main(inputs, output, params, threads: int, log) -> None:
    if params.epochs == 0:
        # No TensorFlow at all for a copy: its start-up would be most of the job's time.
        runtime.log_to(log.text, log.work).info("finetune_epochs is 0: copying the pruned model")
        # Its outputs are the model bundle (paths.BUNDLE), read here from the rule rather
        # than imported: paths imports the method registry, whose every module would then
        # be part of this script's code digest and rerun it.
        for key in output.keys():
            copy_file(inputs[key], output[key])
        return
    from fwprune.data import load_dataset, prepare
    from fwprune.training import MaskedNetwork

    runtime.configure(threads, params.seed, log.text, log.work)
    splits = prepare(load_dataset(inputs.data, params.data_sha256), **params.data)
    network = MaskedNetwork(
        **params.train,
        seed=params.seed,
        network=params.network,
        granularity=params.granularity,
        input_shape=splits.input_shape,
        num_classes=splits.classes,
    ).restore(inputs.state)
    network.train(*splits.train, epochs=params.epochs)
    network.save(output.state, output.model, output.litert, output.litert_sparse)
    runtime.record_training(network.epochs_run, network.examples_run)


main(snakemake.input, snakemake.output, snakemake.params, snakemake.threads, snakemake.log)
