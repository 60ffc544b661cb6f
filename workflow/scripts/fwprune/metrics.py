"""What a pruned model is compared by: sparsity, non-zero share, compression, FLOPs, filters
and size on disk, each against the unpruned model of the same architecture (the base).

Takes plain Keras models (the exported one and the base) and reads only their weights and
shapes; a filter-pruned export has fewer filters than the base, so every share counts a
removed weight as zero (docs/filter-pruning.md, "Metrics").
"""

import gzip
from pathlib import Path

import keras
import numpy as np

from fwprune.model import prunable_layers


def layer_flops(layer: keras.layers.Layer, kernel: np.ndarray) -> tuple[int, int]:
    """Multiply-accumulates of a layer, dense and counting only non-zero kernel weights.

    A kernel weight is used once per output position (ShrinkBench's convention): at every
    pixel of a convolution's output maps ("same" padding's border included, its products
    with the padding counted), once for a dense layer on flat input.
    """
    positions = int(np.prod(layer.output.shape[1:-1]))
    return kernel.size * positions, int(np.count_nonzero(kernel)) * positions


def nonzero_count(arrays) -> int:
    return sum(int(np.count_nonzero(array)) for array in arrays)


def kernel(layer: keras.layers.Layer) -> np.ndarray:
    return keras.ops.convert_to_numpy(layer.kernel)


def live_filters(layer: keras.layers.Layer) -> int:
    """Output channels of a Conv2D with a non-zero weight."""
    values = kernel(layer)
    return int(np.count_nonzero(values.reshape(-1, values.shape[-1]).any(axis=0)))


def pruning_metrics(model: keras.Model, base: keras.Model) -> dict[str, float]:
    """Sparsity of the prunable kernels, non-zero share of all parameters, per layer (columns
    named by layer name) and whole-model compression ratio and theoretical speed-up, filters
    removed, and the exported model's own (physical) parameters and FLOPs, all relative to
    `base`."""
    row = {}
    base_weights, base_flops, nonzero_weights, sparse_flops, physical_flops = 0, 0, 0, 0, 0
    for base_layer in prunable_layers(base):
        name, layer = base_layer.name, model.get_layer(base_layer.name)
        base_kernel, pruned_kernel = kernel(base_layer), kernel(layer)
        dense, _ = layer_flops(base_layer, base_kernel)
        own_dense, sparse = layer_flops(layer, pruned_kernel)
        nonzero = int(np.count_nonzero(pruned_kernel))
        weights = layer.get_weights()  # kernel and bias
        row[f"{name}_sparsity"] = (base_kernel.size - nonzero) / base_kernel.size
        row[f"{name}_compression"] = base_layer.count_params() / max(nonzero_count(weights), 1)
        row[f"{name}_speedup"] = dense / max(sparse, 1)
        base_weights, nonzero_weights = base_weights + base_kernel.size, nonzero_weights + nonzero
        base_flops, sparse_flops = base_flops + dense, sparse_flops + sparse
        physical_flops += own_dense
    convs = [layer for layer in prunable_layers(base) if kernel(layer).ndim == 4]
    filters = sum(layer.filters for layer in convs)
    live = sum(live_filters(model.get_layer(layer.name)) for layer in convs)
    parameters = base.count_params()
    nonzero = nonzero_count(model.get_weights())
    return row | {
        "sparsity": (base_weights - nonzero_weights) / base_weights,
        "zero_weights": base_weights - nonzero_weights,
        "prunable_weights": base_weights,
        "filters_removed": 1 - live / filters,
        "nonzero_parameters": nonzero,
        "nonzero_fraction": nonzero / parameters,
        "compression_ratio": parameters / nonzero,
        "theoretical_speedup": base_flops / max(sparse_flops, 1),
        "physical_parameters": model.count_params(),
        "physical_parameter_ratio": model.count_params() / parameters,
        "physical_flops": physical_flops,
        "physical_flops_ratio": physical_flops / base_flops,
    }


def file_sizes(path) -> tuple[int, int]:
    """Bytes of a file, and of its gzip (level 9): what storing or shipping it costs."""
    content = Path(path).read_bytes()
    return len(content), len(gzip.compress(content, compresslevel=9, mtime=0))


def size_metrics(model_path, base_path) -> dict[str, float]:
    """The exported model's file size and gzip size, and their ratios to the base's file."""
    size, compressed = file_sizes(model_path)
    base_size, base_compressed = file_sizes(base_path)
    return {
        "model_bytes": size,
        "model_gzip_bytes": compressed,
        "model_bytes_ratio": size / base_size,
        "model_gzip_ratio": compressed / base_compressed,
    }
