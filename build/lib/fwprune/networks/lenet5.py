"""Network `lenet5`: LeNet-5 (LeCun et al. 1998) as it is usually re-built today.

Differences from the 1998 network, each the common modern choice: ReLU instead of scaled
tanh, max pooling instead of trainable average subsampling, C3 connected to all six maps
(not the paper's partial table), C5 as a dense layer (a 5x5 convolution over a 5x5 input
is one), and a softmax output instead of Gaussian RBF units. The first convolution pads
("same") so that 28x28 MNIST images give C1 the 28x28 maps the paper got from 32x32
inputs. No dropout. 61,706 parameters, 61,470 of them prunable kernel weights.
"""

from fwprune.networks import Network


def build(input_shape: tuple[int, ...], num_classes: int):
    """Conv(6, 5x5, same) -> Pool -> Conv(16, 5x5) -> Pool -> Flatten -> Dense(120) ->
    Dense(84) -> Dense(classes)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(6, 5, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(16, 5, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(120, activation="relu", name="dense1"),
            layers.Dense(84, activation="relu", name="dense2"),
            layers.Dense(num_classes, activation="softmax", name="dense3"),
        ],
        name="lenet5",
    )


NETWORK = Network(
    name="lenet5",
    description="LeNet-5 with ReLU and max pooling: two 5x5 convolutions, three dense layers",
    build=build,
)
