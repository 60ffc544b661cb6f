"""The paper's CNN (Table 1) and the flat view of its prunable kernels."""

import keras
import numpy as np
from keras import layers

INPUT_SHAPE = (28, 28, 1)


def build_model(num_classes: int = 10) -> keras.Model:
    """Conv(32) -> Pool -> Conv(64) -> Pool -> Flatten -> Dropout(0.5) -> Dense(10)."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(64, 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.5, name="dropout"),
            layers.Dense(num_classes, activation="softmax", name="dense"),
        ],
        name="cnn",
    )


def prunable_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Every Conv2D and Dense layer with a kernel, in model order."""
    kinds = (layers.Conv2D, layers.Dense)
    return [
        layer for layer in model.layers if isinstance(layer, kinds) and layer.kernel is not None
    ]


def prunable_kernels(model: keras.Model) -> list:
    """The kernel variables that pruning acts on; biases are never pruned."""
    return [layer.kernel for layer in prunable_layers(model)]


def flatten_kernels(kernels: list) -> np.ndarray:
    """Concatenate kernels (variables or arrays) into the flat vector masks act on."""
    return np.concatenate([np.ravel(keras.ops.convert_to_numpy(k)) for k in kernels])


def split_flat(flat: np.ndarray, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """Inverse of `flatten_kernels` for the given kernel shapes."""
    sizes = [int(np.prod(shape)) for shape in shapes]
    if flat.size != sum(sizes):
        raise ValueError(f"flat vector has {flat.size} entries, kernels hold {sum(sizes)}")
    pieces = np.split(flat, np.cumsum(sizes)[:-1])
    return [piece.reshape(shape) for piece, shape in zip(pieces, shapes, strict=True)]
