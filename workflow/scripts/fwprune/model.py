"""A network built for the data's shape, its prunable layers and the flat view of their
kernels."""

import keras
import numpy as np

from fwprune.networks import DEFAULT, builder

INPUT_SHAPE = (28, 28, 1)  # MNIST's and Fashion-MNIST's
PRUNABLE_TYPES = (keras.layers.Conv2D, keras.layers.Dense)


def build_model(
    network: str | dict = DEFAULT, num_classes: int = 10, input_shape: tuple = INPUT_SHAPE
) -> keras.Model:
    """A fresh, untrained model of `network` (a registered name or a user's builder,
    `fwprune.networks.builder`) for images of `input_shape` and `num_classes` classes."""
    model = builder(network)(tuple(input_shape), num_classes)
    if not isinstance(model, keras.Model):
        raise TypeError(f"the builder of {network!r} returned {type(model)}, no Keras model")
    nested = [layer.name for layer in model.layers if isinstance(layer, keras.Model)]
    if nested:
        # Their Conv2D and Dense layers would be neither pruned nor counted.
        raise TypeError(f"{network!r}: a model inside the model ({nested}); build it flat")
    return model


def prunable_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers pruning acts on: every Conv2D and Dense layer, in model order."""
    return [layer for layer in model.layers if isinstance(layer, PRUNABLE_TYPES)]


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
