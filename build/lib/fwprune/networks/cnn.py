"""Network `cnn`: the paper's CNN (Table 1), the default."""

from fwprune.networks import Network


def build(input_shape: tuple[int, ...], num_classes: int):
    """Conv(32) -> Pool -> Conv(64) -> Pool -> Flatten -> Dropout(0.5) -> Dense(classes)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(input_shape),
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


NETWORK = Network(
    name="cnn",
    description="the paper's CNN (Table 1): two 3x3 convolutions, dropout, one dense layer",
    build=build,
)
