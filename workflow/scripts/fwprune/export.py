"""What a job ships: the plain model of a masked network (`masked_export`), physically
smaller for a filter-pruned one (docs/filter-pruning.md), saved with its LiteRT twins
(`write_exported`, `litert_bytes`) and loaded back (`load_exported`). The same model saves
to the same bytes whenever and in whichever process it is saved (`reproducible_archive`):
its sizes are the model's.

A filter mask keeps, in every kernel, a Cartesian product of indices along its axes (kept
input channels × kept filters, all spatial positions), so each small kernel is the kept
entries of the big one: `kernel[np.ix_(kept along each axis)]`. A removed filter's bias
goes with it, and so does its slice of every BatchNormalization carrying its channel
(`fwprune.channels`): in the masked network its constant output is read by no kept weight.
"""

import contextlib
import datetime
import json
import logging
import sys
import zipfile

import keras
import numpy as np

from fwprune.channels import channel_flow
from fwprune.io import atomic_output
from fwprune.model import prunable_layers

logger = logging.getLogger("fwprune")

# The date a saved `.keras` file gives every member and its metadata's `date_saved`: the
# first a zip can hold. Keras writes the moment of saving there, so two saves of one model
# differed by a few bytes, and so did their gzip sizes (model_gzip_bytes).
SAVE_DATE = datetime.datetime(1980, 1, 1)


def masked_export(
    model: keras.Model, plain: keras.Model, granularity: str, kernel_masks: list[np.ndarray]
) -> keras.Model:
    """`plain`, a fresh build of the network of `model` (a masked network: its kernels hold
    W ⊙ h), given the weights of `model`, with exact zeros, or with `filter` granularity,
    without the removed filters (`kernel_masks`, one per prunable kernel). A filter mask
    that removes a whole layer leaves a network with a constant output and no smaller form:
    it is exported at full shape, zeros and all, so that its accuracy and cost are measured
    as they are."""
    plain.set_weights(model.get_weights())
    if granularity != "filter":
        return plain
    if not all(mask.any() for mask in kernel_masks):
        logger.warning("a layer lost every filter: the output is constant; full shape")
        return plain
    return physical_model(plain, kernel_masks)


def write_exported(model: keras.Model, path, litert_path=None, sparse_litert_path=None) -> None:
    """Save the exported `model` (`.keras`) and, if their paths are given, its LiteRT twin
    (float32) and the twin in the converter's sparse format (`litert_bytes`), each
    atomically."""
    with atomic_output(path) as temporary:
        model.save(temporary)
        reproducible_archive(temporary)
    for twin, sparse in ((litert_path, False), (sparse_litert_path, True)):
        if twin is not None:
            with atomic_output(twin) as temporary:
                temporary.write_bytes(litert_bytes(model, sparse=sparse))


def reproducible_archive(path) -> None:
    """Rewrite the `.keras` file at `path` (a zip) without what differs between two saves
    of one model: every member's date and metadata.json's `date_saved` become SAVE_DATE,
    config.json's shared-object ids are renumbered (`renumbered_shared_objects`). The
    members, their order, compression and permissions stay as Keras wrote them."""
    with zipfile.ZipFile(path) as saved:
        members = [(info, saved.read(info)) for info in saved.infolist()]
    with zipfile.ZipFile(path, "w") as rewritten:
        for info, content in members:
            if info.filename == "metadata.json":
                metadata = json.loads(content)
                metadata["date_saved"] = SAVE_DATE.strftime("%Y-%m-%d@%H:%M:%S")  # Keras's format
                content = json.dumps(metadata).encode()
            elif info.filename == "config.json":
                content = json.dumps(renumbered_shared_objects(json.loads(content))).encode()
            member = zipfile.ZipInfo(info.filename, date_time=SAVE_DATE.timetuple()[:6])
            member.compress_type, member.external_attr = info.compress_type, info.external_attr
            rewritten.writestr(member, content)


def renumbered_shared_objects(config):
    """A Keras model config with each `shared_object_id` (Keras takes an object's memory
    address, new in every process) replaced by 0, 1, ... in order of first appearance: the
    same entries still share one object when loaded."""
    numbers = {}

    def renumber(node):
        if isinstance(node, dict):
            return {
                key: numbers.setdefault(value, len(numbers))
                if key == "shared_object_id"
                else renumber(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [renumber(item) for item in node]
        return node

    return renumber(config)


def load_exported(path) -> keras.Model:
    """An exported model as saved by `write_exported`, uncompiled."""
    return keras.saving.load_model(path, compile=False)


def kept_indices(mask: np.ndarray) -> list[np.ndarray]:
    """Per axis, the indices a kernel mask keeps; the mask must be their Cartesian product."""
    mask = np.asarray(mask, dtype=bool)
    axes = range(mask.ndim)
    kept = [np.flatnonzero(mask.any(axis=tuple(a for a in axes if a != axis))) for axis in axes]
    if int(np.prod([k.size for k in kept])) != np.count_nonzero(mask):
        raise ValueError("the mask is not a product of kept channels: not a filter mask")
    return kept


def physical_model(model: keras.Model, kernel_masks: list[np.ndarray]) -> keras.Model:
    """`model` (Sequential or functional) with only the kept filters, input channels and
    Dense rows.

    Each prunable layer's kernel is sliced to the kept indices of `kernel_masks`; a Conv2D
    keeps the biases of its kept filters, and each BatchNormalization carrying its channels
    (`fwprune.channels.channel_flow`) their slices. No other layer carries weights per
    channel: the walk refuses, naming it, a graph where one would.
    """
    followers = channel_flow(model).followers
    config = model.get_config()
    for layer in config["layers"]:
        layer["config"].pop("build_config", None)  # the old shapes: the new model infers its own
        layer.pop("build_config", None)
    sliced = {layer.name: layer.get_weights() for layer in model.layers}
    prunable = prunable_layers(model)
    for layer, mask, carriers in zip(prunable, kernel_masks, followers, strict=True):
        kept = kept_indices(mask)
        if kept[-1].size == 0:
            raise ValueError(f"{layer.name}: every filter is removed, the output is constant")
        kernel, *bias = layer.get_weights()
        sliced[layer.name] = [kernel[np.ix_(*kept)], *(b[kept[-1]] for b in bias)]
        for name in carriers:
            sliced[name] = [weights[kept[-1]] for weights in sliced[name]]
        if isinstance(layer, keras.layers.Conv2D):
            layer_config(config, layer.name)["filters"] = int(kept[-1].size)
        elif kept[-1].size != layer.units:
            raise ValueError(f"{layer.name}: a Dense layer's outputs are never removed")
    small = type(model).from_config(config)
    for layer in small.layers:
        layer.set_weights(sliced[layer.name])
    return small


def layer_config(config: dict, name: str) -> dict:
    """The config of the layer called `name` in a model's config."""
    (found,) = [layer["config"] for layer in config["layers"] if layer["config"]["name"] == name]
    return found


def litert_bytes(model: keras.Model, sparse: bool = False) -> bytes:
    """`model` as a LiteRT flatbuffer, by TensorFlow's own converter: float32, no
    quantization. With `sparse`, the converter's sparse format
    (`tf.lite.Optimize.EXPERIMENTAL_SPARSITY`): weight tensors it finds sparse enough are
    stored compressed (still float32) and densified when the interpreter loads them.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if sparse:
        converter.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
    with contextlib.redirect_stdout(sys.stderr):  # the converter prints the signature
        return converter.convert()
