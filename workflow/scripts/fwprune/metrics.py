"""What a pruned model is compared by: sparsity, non-zero share, compression, FLOPs.

Takes a plain Keras model (the exported one) and reads only its weights and shapes.
"""

import keras
import numpy as np

from fwprune.model import prunable_layers


def layer_flops(layer: keras.layers.Layer, kernel: np.ndarray) -> tuple[int, int]:
    """Multiply-accumulates of a layer, dense and counting only non-zero kernel weights.

    A convolution weight is used once per output position (ShrinkBench's convention).
    """
    positions = int(np.prod(layer.output.shape[1:-1])) if kernel.ndim == 4 else 1
    return kernel.size * positions, int(np.count_nonzero(kernel)) * positions


def nonzero_count(arrays) -> int:
    return sum(int(np.count_nonzero(array)) for array in arrays)


def pruning_metrics(model: keras.Model) -> dict[str, float]:
    """Sparsity of the prunable kernels, non-zero share of all parameters, and per layer
    and whole-model compression ratio and theoretical speed-up."""
    row = {}
    kernels, dense_flops, sparse_flops = [], 0, 0
    for layer in prunable_layers(model):
        name = layer.name
        kernel = keras.ops.convert_to_numpy(layer.kernel)
        dense, sparse = layer_flops(layer, kernel)
        weights = layer.get_weights()  # kernel and bias
        row[f"{name}_sparsity"] = float(np.mean(kernel == 0))
        row[f"{name}_compression"] = sum(w.size for w in weights) / max(nonzero_count(weights), 1)
        row[f"{name}_speedup"] = dense / max(sparse, 1)
        kernels.append(kernel.ravel())
        dense_flops, sparse_flops = dense_flops + dense, sparse_flops + sparse
    parameters = model.count_params()
    nonzero = nonzero_count(model.get_weights())
    flat = np.concatenate(kernels)
    row |= {
        "sparsity": float(np.mean(flat == 0)),
        "zero_weights": int(np.count_nonzero(flat == 0)),
        "prunable_weights": int(flat.size),
        "nonzero_parameters": nonzero,
        "nonzero_fraction": nonzero / parameters,
        "compression_ratio": parameters / nonzero,
        "theoretical_speedup": dense_flops / max(sparse_flops, 1),
    }
    return row
