"""The data sets as the jobs read them: loading a file verified against its pinned digest,
scaling and subsetting. The data sets, their pins and their sources are in
`fwprune.sources`, which fetches them; a job gets its data set's pin as a param.
"""

import dataclasses
import hashlib

import numpy as np

ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")
# Keeps the validation draw apart from the train_size subset drawn with the same seed.
VALIDATION_STREAM = 1


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


@dataclasses.dataclass(frozen=True)
class Splits:
    """The three splits a job may read, each (images (n, 28, 28, 1) float32, labels int32):
    `train` trains, `validation` selects and tunes, `test` is only reported."""

    train: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]


def validation_indices(size: int, validation_size: int, seed: int) -> np.ndarray:
    """The training examples held out for validation: a fixed random `validation_size` of
    `size`, drawn by `seed` alone (so train_size subsets never move them), sorted."""
    if not 0 <= validation_size < size:
        raise ValueError(f"validation_size {validation_size} must be in [0, {size})")
    generator = np.random.default_rng([VALIDATION_STREAM, seed])
    return np.sort(generator.choice(size, validation_size, replace=False))


def prepare(arrays, train_size=None, test_size=None, subset_seed=0, validation_size=0) -> Splits:
    """Scale pixels to [0, 1] by /255 (nothing else), hold `validation_size` training
    examples out for validation, and take the configured subsets of the rest and of test.

    The validation examples are never trained on: `train_size` subsets the remaining ones.
    """

    def split(x, y, index):
        x, y = x[index], y[index]
        # One pass, the same float32 values as x.astype(np.float32) / 255.0.
        images = np.divide(x, np.float32(255.0), dtype=np.float32)[..., np.newaxis]
        return images, y.astype(np.int32)

    x_train, y_train = arrays["x_train"], arrays["y_train"]
    held_out = validation_indices(len(y_train), validation_size, subset_seed)
    remaining = np.setdiff1d(np.arange(len(y_train)), held_out, assume_unique=True)
    trained = remaining[subset_indices(len(remaining), train_size, subset_seed)]
    test = subset_indices(len(arrays["y_test"]), test_size, subset_seed)
    return Splits(
        train=split(x_train, y_train, trained),
        validation=split(x_train, y_train, held_out),
        test=split(arrays["x_test"], arrays["y_test"], test),
    )
