"""The int8 twin of an exported model: LiteRT's full-integer quantization, as a pruned
model is shipped to a CPU or a microcontroller (tfmot's "pruning-preserving
quantization" guides end there too).

Every weight and activation is int8 (`TFLITE_BUILTINS_INT8` ops only), scaled by ranges
the converter measures on `representative` examples, a seeded sample of the training
split (`representative_sample`): never test examples. The input and output stay float32
(the converter puts a QUANTIZE op after the input and a DEQUANTIZE op before the output),
so the twin runs and is scored exactly as the float32 one is (`fwprune.litert`).
"""

import contextlib
import sys

import numpy as np

from fwprune import litert
from fwprune.metrics import size_metrics
from fwprune.timing import inference_latency_ratio

# The columns of the int8 twin in a metrics row: int8_test_accuracy, int8_bytes, ...
PREFIX = "int8_"
# The stream of the job's seed that draws the representative examples.
REPRESENTATIVE_STREAM = 8


def representative_sample(x_train: np.ndarray, count: int, seed: int) -> np.ndarray:
    """`count` training examples (all if fewer), drawn by `seed` alone, in index order."""
    generator = np.random.default_rng([REPRESENTATIVE_STREAM, seed])
    chosen = generator.choice(len(x_train), min(count, len(x_train)), replace=False)
    return x_train[np.sort(chosen)]


def int8_bytes(model, representative: np.ndarray) -> bytes:
    """The Keras `model` as a full-integer int8 LiteRT flatbuffer (float32 input, output)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([example[np.newaxis]] for example in representative)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    with contextlib.redirect_stdout(sys.stderr):  # the converter prints the signature
        return converter.convert()


def int8_columns(path, dense_litert, x, y, batch_size: int, threads: int) -> dict:
    """The int8 twin's test loss and accuracy, its file size and gzip size and their
    ratios to the budget's unpruned float32 twin's, as columns PREFIX*."""
    scores = litert.evaluate(path, x, y, batch_size, threads)
    columns = {f"{PREFIX}{key}": value for key, value in scores.items()}
    return columns | size_metrics(path, dense_litert, prefix=PREFIX.rstrip("_"))


def int8_latency_columns(pruned, dense, examples, timing: dict, batch_sizes) -> dict:
    """Latency of the int8 twin `pruned` over the unpruned model's int8 twin `dense`, with
    a second interpreter of `dense` as the control, as the float32 twins are timed
    (`fwprune.timing.inference_latency_ratio`), at each (batch size, suffix) of
    `batch_sizes`, as columns PREFIX*."""
    threads = timing["threads"]
    measured = {}
    for batch_size, suffix in batch_sizes:
        measured |= inference_latency_ratio(
            pruned,
            dense,
            dense,
            examples[: batch_size * 100],
            batch_size=batch_size,
            repeats=timing["repeats"],
            warmup=timing["warmup"],
            suffix=suffix,
            forward=lambda path, size: litert.forward(path, size, threads),
        )
    return {f"{PREFIX}{key}": value for key, value in measured.items()}
