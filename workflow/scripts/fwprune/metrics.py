"""What a pruned model is compared by: sparsity, non-zero share, compression, FLOPs, filters
and size on disk, each against the unpruned model of the same architecture (the base).

Reads only the prunable layers' weights and output shapes (`Layer`), from a model's LiteRT
twin (`fwprune.litert.twin_layers`, no TensorFlow) or from a Keras model (`keras_layers`);
a filter-pruned export has fewer filters than the base, so every share counts a removed
weight as zero (docs/filter-pruning.md, "Metrics"). `evaluate` scores a Keras model's test
loss and accuracy.
"""

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Layer:
    """A prunable layer as the metrics see it: its name, kernel in Keras's layout (a
    convolution's (h, w, in, out), a dense layer's (in, out)), bias, and output positions
    (pixels of a convolution's output maps, 1 for a dense layer)."""

    name: str
    kernel: np.ndarray
    bias: np.ndarray
    positions: int

    def count_params(self) -> int:
        return self.kernel.size + self.bias.size


def keras_layers(model) -> list[Layer]:
    """The prunable layers of a Keras model, which must hold every weight of it."""
    import keras

    from fwprune.model import prunable_layers

    layers = [
        Layer(
            layer.name,
            keras.ops.convert_to_numpy(layer.kernel),
            keras.ops.convert_to_numpy(layer.bias),
            int(np.prod(layer.output.shape[1:-1])),
        )
        for layer in prunable_layers(model)
    ]
    if sum(layer.count_params() for layer in layers) != model.count_params():
        raise ValueError("the model has weights outside its Conv2D and Dense layers")
    return layers


def as_layers(model) -> list[Layer]:
    """`model` if it is already a list of `Layer`s, else a Keras model's."""
    return model if isinstance(model, list) else keras_layers(model)


def layer_flops(layer: Layer, kernel: np.ndarray) -> tuple[int, int]:
    """Multiply-accumulates of a layer, dense and counting only non-zero kernel weights.

    A kernel weight is used once per output position (ShrinkBench's convention): at every
    pixel of a convolution's output maps ("same" padding's border included, its products
    with the padding counted), once for a dense layer on flat input.
    """
    return kernel.size * layer.positions, int(np.count_nonzero(kernel)) * layer.positions


def nonzero_count(arrays) -> int:
    return sum(int(np.count_nonzero(array)) for array in arrays)


def live_filters(layer: Layer) -> int:
    """Output channels of a Conv2D with a non-zero weight."""
    values = layer.kernel
    return int(np.count_nonzero(values.reshape(-1, values.shape[-1]).any(axis=0)))


def pruning_metrics(model, base) -> dict[str, float]:
    """Sparsity of the prunable kernels, non-zero share of all parameters, per layer (columns
    named by layer name) and whole-model compression ratio and theoretical speed-up, filters
    removed, and the exported model's own (physical) parameters and FLOPs, all relative to
    `base`. Each model is a list of `Layer`s or a Keras model (`as_layers`)."""
    model = {layer.name: layer for layer in as_layers(model)}
    base_layers = as_layers(base)
    row = {}
    base_weights, base_flops, nonzero_weights, sparse_flops, physical_flops = 0, 0, 0, 0, 0
    for base_layer in base_layers:
        name, layer = base_layer.name, model[base_layer.name]
        base_kernel, pruned_kernel = base_layer.kernel, layer.kernel
        dense, _ = layer_flops(base_layer, base_kernel)
        own_dense, sparse = layer_flops(layer, pruned_kernel)
        nonzero = int(np.count_nonzero(pruned_kernel))
        weights = (layer.kernel, layer.bias)
        row[f"{name}_sparsity"] = (base_kernel.size - nonzero) / base_kernel.size
        row[f"{name}_compression"] = base_layer.count_params() / max(nonzero_count(weights), 1)
        row[f"{name}_speedup"] = dense / max(sparse, 1)
        base_weights, nonzero_weights = base_weights + base_kernel.size, nonzero_weights + nonzero
        base_flops, sparse_flops = base_flops + dense, sparse_flops + sparse
        physical_flops += own_dense
    convs = [layer for layer in base_layers if layer.kernel.ndim == 4]
    filters = sum(layer.kernel.shape[-1] for layer in convs)
    live = sum(live_filters(model[layer.name]) for layer in convs)
    # Prunable layers hold every weight of the registered networks.
    parameters = sum(layer.count_params() for layer in base_layers)
    physical = sum(layer.count_params() for layer in model.values())
    nonzero = nonzero_count(
        array for layer in model.values() for array in (layer.kernel, layer.bias)
    )
    return row | {
        "sparsity": (base_weights - nonzero_weights) / base_weights,
        "zero_weights": base_weights - nonzero_weights,
        "prunable_weights": base_weights,
        "filters_removed": 1 - live / filters,
        "nonzero_parameters": nonzero,
        "nonzero_fraction": nonzero / parameters,
        "compression_ratio": parameters / nonzero,
        "theoretical_speedup": base_flops / max(sparse_flops, 1),
        "physical_parameters": physical,
        "physical_parameter_ratio": physical / parameters,
        "physical_flops": physical_flops,
        "physical_flops_ratio": physical_flops / base_flops,
    }


def file_sizes(path) -> tuple[int, int]:
    """Bytes of a file, and of its gzip (level 9): what storing or shipping it costs."""
    content = Path(path).read_bytes()
    return len(content), len(gzip.compress(content, compresslevel=9, mtime=0))


def size_metrics(model_path, base_path, prefix: str = "model") -> dict[str, float]:
    """The exported model's file size and gzip size, and their ratios to the base's file,
    as columns `prefix`_bytes, `prefix`_gzip_bytes, `prefix`_bytes_ratio, `prefix`_gzip_ratio.
    """
    size, compressed = file_sizes(model_path)
    base_size, base_compressed = file_sizes(base_path)
    return {
        f"{prefix}_bytes": size,
        f"{prefix}_gzip_bytes": compressed,
        f"{prefix}_bytes_ratio": size / base_size,
        f"{prefix}_gzip_ratio": compressed / base_compressed,
    }


def sparse_size_metrics(sparse_path, base_path) -> dict[str, float]:
    """Bytes of the twin in the converter's sparse format, and their ratio to the base's
    (float32, dense) twin: what the sparse encoding buys over shipping the base."""
    size, base_size = Path(sparse_path).stat().st_size, Path(base_path).stat().st_size
    return {"litert_sparse_bytes": size, "litert_sparse_bytes_ratio": size / base_size}


def evaluate(model, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, float]:
    """Test loss and accuracy of a plain Keras model (`fwprune.export.load_exported`)."""
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=False)
    scores = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    return {"test_loss": float(scores["loss"]), "test_accuracy": float(scores["accuracy"])}
