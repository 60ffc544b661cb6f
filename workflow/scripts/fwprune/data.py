"""MNIST and Fashion-MNIST as the jobs read them: the pinned digests, loading a verified
file, scaling and subsetting. Fetching lives in `fwprune.sources`.
"""

import hashlib

import numpy as np

ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")
# SHA-256 over the four canonical arrays (see `array_digest`) of each data set. MNIST: the
# mean pixel of this x_train is 0.1306604762738429 * 255 and its first labels 5 0 4 1 9, as
# published. Fashion-MNIST: computed from Debian's dataset-fashion-mnist
# 0.0~git20200523.55506a9-1 (its gzip files are recompressed, so their MD5s differ from
# upstream's; the decoded arrays are what is pinned). Sanity facts of these arrays, as
# published: uint8 (60000, 28, 28) / (10000, 28, 28), labels 0-9 with exactly 6,000 train
# and 1,000 test images per class, first train labels 9 0 0 3 0 2 7 2 5 5, mean train pixel
# 72.94035 = 0.28604 * 255 (std 0.35302 * 255).
PINNED_SHA256 = {
    "mnist": "869043a08a4d18821fa17546401bfbe66053b5e347a0a99c9ae9e6cbd1f08db0",
    "fashion_mnist": "82aa995a3fccbc9bfb41fa0853f4a48f92e8e42aeb13f78237dd85be83c6e51e",
}


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


def pinned_digest(name: str) -> str:
    try:
        return PINNED_SHA256[name]
    except KeyError:
        raise DataError(
            f"unknown data set {name!r}: choose one of {sorted(PINNED_SHA256)}"
        ) from None


def load_dataset(name: str, path) -> dict[str, np.ndarray]:
    """Read a file written by `sources.download_dataset(name, ...)` and verify its digest."""
    pin = pinned_digest(name)
    try:
        with np.load(path) as archive:
            arrays = {array: archive[array] for array in ARRAY_NAMES}
    except Exception as error:
        raise DataError(f"{path} is unreadable ({error}); delete it and run again") from error
    digest = array_digest(arrays)
    if digest != pin:
        raise DataError(
            f"{path} has SHA-256 {digest}, not the pinned {pin}: "
            "the file is corrupt; delete it and run again"
        )
    return arrays


def subset_indices(size: int, keep: int | None, seed: int) -> np.ndarray | slice:
    """A fixed random subset of `keep` of `size` examples; all of them, in order, if None.

    "All" is a slice, so that indexing with it takes a view rather than a copy."""
    if keep is None or keep >= size:
        return slice(None)
    return np.sort(np.random.default_rng(seed).choice(size, keep, replace=False))


def prepare(arrays, train_size=None, test_size=None, subset_seed=0):
    """Scale pixels to [0, 1] by /255 (nothing else) and take the configured subsets.

    Returns (x_train, y_train), (x_test, y_test) with images shaped (n, 28, 28, 1).
    """

    def split(x, y, keep):
        index = subset_indices(len(y), keep, subset_seed)
        x, y = x[index], y[index]
        # One pass, the same float32 values as x.astype(np.float32) / 255.0.
        images = np.divide(x, np.float32(255.0), dtype=np.float32)[..., np.newaxis]
        return images, y.astype(np.int32)

    train = split(arrays["x_train"], arrays["y_train"], train_size)
    test = split(arrays["x_test"], arrays["y_test"], test_size)
    return train, test
