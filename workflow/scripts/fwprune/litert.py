"""The LiteRT twin of an exported model, read and run without TensorFlow.

Every exported `.keras` file has a float32 `.tflite` twin written beside it by the job that
trained the model (`fwprune.export.litert_bytes`). This module is the other side: it runs
the twin through `ai_edge_litert`'s interpreter, scores it on the test set, times it, and
reads its weights for `fwprune.metrics`, importing neither TensorFlow nor Keras (an
evaluation or timing job then starts in well under a second; docs/performance.md).
"""

import json
import zipfile

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from fwprune.metrics import Layer

# Keras's clipping of probabilities in its cross-entropy (`keras.config.epsilon()`).
EPSILON = 1e-7
# The LiteRT ops of Keras's prunable layers, and the axes that move their kernel to Keras's
# layout: CONV_2D holds (out, h, w, in), Keras (h, w, in, out); FULLY_CONNECTED (out, in).
KERNEL_AXES = {"CONV_2D": (1, 2, 3, 0), "FULLY_CONNECTED": (1, 0)}
PRUNABLE_CLASSES = ("Conv2D", "Dense")


def interpreter(model, threads: int | None, batch_size: int) -> Interpreter:
    """An interpreter of the twin `model` (its path, or its bytes) with XNNPACK, as shipped,
    its input resized to `batch_size` examples and its tensors allocated."""
    if isinstance(model, bytes):
        loaded = Interpreter(model_content=model, num_threads=threads)
    else:
        loaded = Interpreter(model_path=str(model), num_threads=threads)
    (source,) = loaded.get_input_details()
    if source["shape"][0] != batch_size:
        loaded.resize_tensor_input(source["index"], [batch_size, *source["shape"][1:]])
    loaded.allocate_tensors()
    return loaded


def forward(model, batch_size: int, threads: int | None = None):
    """A function running the twin `model` (path or bytes) on a batch of exactly
    `batch_size` examples."""
    loaded = interpreter(model, threads, batch_size)
    (source,), (target,) = loaded.get_input_details(), loaded.get_output_details()

    def call(batch: np.ndarray) -> np.ndarray:
        loaded.set_tensor(source["index"], batch)
        loaded.invoke()
        return loaded.get_tensor(target["index"])

    return call


def predict(path, x: np.ndarray, batch_size: int, threads: int | None = None) -> np.ndarray:
    """The twin's outputs on every example of `x`, `batch_size` at a time (the last,
    shorter batch through an interpreter of its own size)."""
    full = len(x) - len(x) % batch_size
    outputs = []
    if full:
        call = forward(path, batch_size, threads)
        outputs += [call(x[i : i + batch_size]) for i in range(0, full, batch_size)]
    if full < len(x):
        outputs.append(forward(path, len(x) - full, threads)(x[full:]))
    return np.concatenate(outputs)


def scores(probabilities: np.ndarray, y: np.ndarray, split: str = "test") -> dict[str, float]:
    """Mean cross-entropy and accuracy of predicted class probabilities, as Keras's
    `sparse_categorical_crossentropy` and `accuracy` compute them (clipped at EPSILON),
    named after the `split` they score (`test_loss`, `validation_accuracy`, ...)."""
    chosen = np.clip(probabilities[np.arange(len(y)), y], EPSILON, 1 - EPSILON)
    loss = -np.mean(np.log(chosen.astype(np.float64)))
    accuracy = np.mean(np.argmax(probabilities, axis=1) == y)
    return {f"{split}_loss": float(loss), f"{split}_accuracy": float(accuracy)}


def evaluate(
    path, x, y, batch_size: int, threads: int | None = None, split: str = "test"
) -> dict[str, float]:
    """Loss and accuracy of the twin at `path` on a `split` (`scores`)."""
    return scores(predict(path, x, batch_size, threads), y, split)


def keras_layer_names(keras_path) -> list[str]:
    """The names of the prunable layers (Conv2D, Dense) of a `.keras` file, in order, read
    from its `config.json` (the file is a zip): no Keras needed."""
    with zipfile.ZipFile(keras_path) as archive:
        config = json.loads(archive.read("config.json"))
    return [
        layer["config"]["name"]
        for layer in config["config"]["layers"]
        if layer["class_name"] in PRUNABLE_CLASSES
    ]


def prunable_layers(path, names: list[str]) -> list[Layer]:
    """The kernels (in Keras's layout), biases and output positions of the twin's
    convolutions and dense layers, in model order, named `names` (`keras_layer_names`).

    Read without XNNPACK, whose delegate rewrites the graph. The converter drops an
    all-zero bias: it is then zeros of the layer's width. Only these layers' weights are
    read (`tests/test_litert.py` compares the registered networks' metrics with Keras's).
    A batch norm right after a convolution is folded into it by the converter: the kernel
    read is then W ⊙ h scaled per filter (its zeros stay zeros, so sparsity is exact) and
    the bias the folded one; the batch norm's own parameters are counted nowhere.
    """
    loaded = Interpreter(
        model_path=str(path),
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    loaded.allocate_tensors()
    ops = [op for op in loaded._get_ops_details() if op["op_name"] in KERNEL_AXES]
    if len(ops) != len(names):
        raise ValueError(f"{path}: {len(ops)} convolutions and dense layers, not {len(names)}")
    layers = []
    for name, op in zip(names, ops, strict=True):
        _, weights, bias = op["inputs"]
        kernel = loaded.get_tensor(weights).transpose(KERNEL_AXES[op["op_name"]])
        width = kernel.shape[-1]
        bias = loaded.get_tensor(bias) if bias >= 0 else np.zeros(width, kernel.dtype)
        (output,) = op["outputs"]
        positions = int(np.prod(loaded._get_tensor_details(output, 0)["shape"][1:-1]))
        layers.append(Layer(name, kernel, bias, positions))
    return layers


def twin_layers(litert_path, keras_path) -> list[Layer]:
    """`prunable_layers` of a twin, named after its `.keras` file's layers."""
    return prunable_layers(litert_path, keras_layer_names(keras_path))
