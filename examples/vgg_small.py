"""A small VGG-style network for CIFAR-10-shaped images (32 x 32 x 3, 10 classes): two
blocks of two 3x3 convolutions with batch norm and ReLU, each block max-pooled, then a
global average pooling and a dense classifier.

Select it with `network: {builder: examples/vgg_small.py:build}` (README, "Adding a
network"): nothing in the package changes. Every Conv2D and Dense kernel is pruned, and
filter pruning removes whole filters with their batch-norm slices.
"""

import keras
from keras import layers


def block(x, filters: int, name: str):
    """Two Conv-BN-ReLU, then a 2x2 max-pool."""
    for part in ("a", "b"):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}{part}")(x)
        x = layers.BatchNormalization(name=f"{name}{part}_bn")(x)
        x = layers.ReLU(name=f"{name}{part}_relu")(x)
    return layers.MaxPooling2D(2, name=f"{name}_pool")(x)


def build(input_shape, num_classes):
    """The uncompiled model for images of `input_shape` and `num_classes` classes."""
    inputs = keras.Input(input_shape, name="image")
    x = block(inputs, 16, "conv1")
    x = block(x, 32, "conv2")
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs, name="vgg_small")
