"""Where each convolution's output channels go: the coupled layers of filter pruning, found
by walking the model's functional graph (docs/filter-pruning.md, "Units").

Removing filter j of a Conv2D removes channel j of its output, so every layer that carries
that channel loses slice j with it, and every prunable layer reading it loses the weights
that read it. As in Torch-Pruning's dependency graph, the layers coupled to one filter form
its group, found by following the producer's output to its consumers:

- *carriers* pass the channel on unchanged, channel j to channel j: activations, pooling,
  dropout, padding; a BatchNormalization carries it with per-channel weights, which are
  sliced with the filter (its *followers*);
- a Flatten (channels last) or a global pooling turns the map into features: feature r
  holds channel r mod C, C the producer's filter count;
- a *reader* is the next Conv2D (its input axis) or Dense (its rows): the walk stops there.

A graph whose channels cannot be followed this way is refused, naming the layer: a layer
that mixes channels or joins branches (Add, Concatenate: the filters of two producers would
have to be removed together, which the units here cannot say), a reshape, a shared layer,
a nested model, a convolution over features. A producer whose channels reach the model's
output has no filter units (as the last layer); one whose channels reach both is refused.
"""

import dataclasses

import keras

from fwprune.model import PRUNABLE_TYPES, prunable_layers

layers = keras.layers
# Layers that pass channel j on as channel j and hold no per-channel weights.
CARRIERS = (
    layers.Activation,
    layers.ReLU,
    layers.LeakyReLU,
    layers.ELU,
    layers.Dropout,
    layers.SpatialDropout2D,
    layers.GaussianNoise,
    layers.GaussianDropout,
    layers.MaxPooling2D,
    layers.AveragePooling2D,
    layers.ZeroPadding2D,
    layers.Cropping2D,
)
FLATTENING = (layers.Flatten, layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D)
# Activations computed across channels: they couple every channel of a map.
ACROSS_CHANNELS = ("softmax", "log_softmax")


class UnsliceableGraph(ValueError):
    """A model whose filters cannot be removed one by one."""


@dataclasses.dataclass(frozen=True)
class ChannelFlow:
    """Per prunable layer (model order): the prunable layer whose filters it reads (`source`,
    None for none), and the BatchNormalization layers carrying its own output channels
    (`followers`, by name)."""

    source: list[int | None]
    followers: list[list[str]]


def channel_flow(model: keras.Model) -> ChannelFlow:
    """The channel flow of `model` (see the module docstring); raises `UnsliceableGraph`
    naming the layer the walk cannot pass."""
    prunable = prunable_layers(model)
    index = {id(layer): position for position, layer in enumerate(prunable)}
    outputs = {id(tensor) for tensor in model.outputs}
    source, followers = [None] * len(prunable), [[] for _ in prunable]
    for producer, layer in enumerate(prunable):
        if not isinstance(layer, layers.Conv2D):
            continue
        walk = _Walk(layer, index, outputs)
        walk.follow(layer, flattened=False)
        if walk.readers and walk.reaches_output:
            raise UnsliceableGraph(
                f"{layer.name}: its channels reach both the model's output and "
                f"{[prunable[r].name for r in walk.readers]}; filter pruning cannot remove them"
            )
        for reader in walk.readers:
            source[reader] = producer
        followers[producer] = walk.followers if walk.readers else []
    return ChannelFlow(source, followers)


class _Walk:
    """One producer's walk: the readers and followers it reaches."""

    def __init__(self, producer, index: dict, outputs: set):
        self.producer, self.index, self.outputs = producer, index, outputs
        self.readers, self.followers = [], []
        self.reaches_output = False

    def refuse(self, layer, why: str):
        raise UnsliceableGraph(
            f"{layer.name} ({type(layer).__name__}): filter pruning cannot follow the "
            f"channels of {self.producer.name} through it: {why}"
        )

    def follow(self, layer, flattened: bool) -> None:
        """Visit every layer fed by `layer`'s output (`flattened`: a feature vector by now)."""
        if len(layer._inbound_nodes) > 1:
            self.refuse(layer, "a layer called more than once (shared)")
        for node in layer._outbound_nodes:
            self.visit(node.operation, flattened)
        if any(id(t) in self.outputs for n in layer._inbound_nodes for t in n.output_tensors):
            self.reaches_output = True

    def visit(self, layer, flattened: bool) -> None:
        if len(layer._inbound_nodes) > 1:
            self.refuse(layer, "a layer called more than once (shared)")
        if isinstance(layer, PRUNABLE_TYPES):
            self.read_by(layer, flattened)
        elif isinstance(layer, layers.BatchNormalization):
            if flattened or layer.axis not in (-1, 3):
                self.refuse(layer, "a batch norm over other than the channels of a map")
            self.followers.append(layer.name)
            self.follow(layer, flattened)
        elif isinstance(layer, FLATTENING):
            if flattened or getattr(layer, "data_format", "channels_last") != "channels_last":
                self.refuse(layer, "features of features, or channels first")
            self.follow(layer, flattened=True)
        elif isinstance(layer, CARRIERS):
            activation = getattr(getattr(layer, "activation", None), "__name__", None)
            if activation in ACROSS_CHANNELS or (
                getattr(layer, "data_format", "channels_last") != "channels_last"
            ):
                self.refuse(layer, "it mixes channels, or puts them first")
            self.follow(layer, flattened)
        else:
            self.refuse(layer, "a layer that may mix or join channels")

    def read_by(self, layer, flattened: bool) -> None:
        if isinstance(layer, layers.Conv2D) and (
            flattened or layer.groups != 1 or layer.data_format != "channels_last"
        ):
            self.refuse(layer, "a grouped convolution, or one over features or channels first")
        self.readers.append(self.index[id(layer)])
