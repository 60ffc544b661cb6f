"""The data sets as the jobs read them: loading a file verified against its pinned digest,
scaling and subsetting. The data sets, their pins and their sources are in
`fwprune.sources`, which fetches them; a job gets its data set's pin as a param.
"""

import hashlib

import numpy as np

ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")


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


def load_dataset(path, sha256: str) -> dict[str, np.ndarray]:
    """Read a file written by `sources.download_dataset` and verify it has the pinned
    digest `sha256` (see `array_digest`)."""
    try:
        with np.load(path) as archive:
            arrays = {array: archive[array] for array in ARRAY_NAMES}
    except Exception as error:
        raise DataError(f"{path} is unreadable ({error}); delete it and run again") from error
    digest = array_digest(arrays)
    if digest != sha256:
        raise DataError(
            f"{path} has SHA-256 {digest}, not the pinned {sha256}: "
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
