"""The int8 twin (fwprune.quantize): full-integer, and as accurate as the Keras model it
quantizes, within a documented tolerance, on a small learnable data set."""

import numpy as np
import pytest

from fwprune import litert, quantize
from fwprune.masks import magnitude_mask
from fwprune.metrics import evaluate
from fwprune.training import MaskedNetwork

TRAIN = {"learning_rate": 0.1, "momentum": 0.0, "batch_size": 32}
# |int8 − Keras| allowed in test accuracy: int8 rounding moves a prediction whose two top
# classes are within a quantization step, about 1 of 200 examples here (2 seen at most).
ACCURACY_TOLERANCE = 0.015


def dataset(n: int = 400) -> dict[str, np.ndarray]:
    """Noise images whose brightened quarter is the label, scaled as `fwprune.data` does."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 156, (n, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 4, n)
    for image, label in zip(x, y, strict=True):
        image[14 * (label // 2) :][:14, 14 * (label % 2) :][:, :14] += 100
    return x[..., None] / np.float32(255), y.astype(np.int32)


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    """A trained, 70 % pruned CNN, its Keras model and its int8 twin, and the test split."""
    x, y = dataset()
    train, test = (x[:200], y[:200]), (x[200:], y[200:])
    network = MaskedNetwork(**TRAIN, seed=0, network="cnn")
    network.train(*train, epochs=3)
    network.set_unit_mask(magnitude_mask(network.latent_weights(), 0.7))
    directory = tmp_path_factory.mktemp("int8")
    files = [directory / name for name in ("m.npz", "m.keras", "m.tflite", "m.sparse.tflite")]
    network.save(*files)
    from fwprune.export import load_exported

    model = load_exported(files[1])
    representative = quantize.representative_sample(train[0], 50, seed=0)
    path = directory / "m.int8.tflite"
    path.write_bytes(quantize.int8_bytes(model, representative))
    return model, path, files[2], test


def test_the_int8_twin_scores_as_the_keras_model(twin):
    model, path, _, (x, y) = twin
    keras_accuracy = evaluate(model, x, y, batch_size=50)["test_accuracy"]
    assert keras_accuracy > 0.5  # it learned: an untrained model would agree trivially
    int8 = litert.evaluate(path, x, y, batch_size=50)
    assert abs(int8["test_accuracy"] - keras_accuracy) <= ACCURACY_TOLERANCE


def test_the_int8_twin_computes_in_int8_and_is_smaller(twin):
    _, path, float_twin, (x, y) = twin
    loaded = litert.interpreter(path, None, 1)
    kernels = [op for op in loaded._get_ops_details() if op["op_name"] == "CONV_2D"]
    assert kernels and all(
        loaded._get_tensor_details(op["inputs"][1], 0)["dtype"] == np.int8 for op in kernels
    )
    columns = quantize.int8_columns(path, float_twin, x, y, batch_size=50, threads=None)
    assert columns["int8_bytes_ratio"] < 0.5  # int8 weights: about a quarter of float32


def test_the_representative_sample_is_the_seeds_own():
    x = np.arange(100)
    first = quantize.representative_sample(x, 10, seed=3)
    assert np.array_equal(first, quantize.representative_sample(x, 10, seed=3))
    assert not np.array_equal(first, quantize.representative_sample(x, 10, seed=4))
    assert len(quantize.representative_sample(x, 500, seed=3)) == 100
