"""The data sets as the jobs read them: loading a file verified against its pinned digest,
scaling and subsetting. The data sets, their pins and their sources are in
`fwprune.sources`, which fetches them; a job gets its data set's pin as a param.

A user's own file (config `data.dataset: {npz: PATH, sha256: DIGEST}`) is pinned by the
SHA-256 of its bytes (what `sha256sum PATH` prints), checked before the file is opened, and
its arrays by `check_arrays`, when the config is validated and again in every job.
"""

import dataclasses
import hashlib
import io
from pathlib import Path

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
    digest `sha256` (see `array_digest`); or a user's file pinned by `file_pin`, whose
    bytes are verified before they are read (`load_user_file`)."""
    if sha256.startswith(FILE_PIN):
        return load_user_file(path, sha256.removeprefix(FILE_PIN))
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


# A user's file is pinned by its bytes' SHA-256, a registered data set by its arrays'
# (`array_digest`): the jobs' pin param says which, with this prefix for the former.
FILE_PIN = "file:"
USER_KEY = "data.dataset"  # the config key of a user's file, named by its errors


def dataset_title(dataset) -> str:
    """How the metrics table names config `data.dataset`: a registered data set's name, a
    user's file's path."""
    return dataset if isinstance(dataset, str) else dataset["npz"]


def file_pin(entry: dict) -> str:
    """The pin param of the jobs reading a user's file (config `data.dataset`, a dict)."""
    return FILE_PIN + entry["sha256"]


def load_user_file(path, sha256: str) -> dict[str, np.ndarray]:
    """The arrays of a user's `.npz` file whose bytes have SHA-256 `sha256`: the digest is
    checked before numpy reads the file, which it reads without pickles, and the arrays are
    then checked (`check_arrays`); every error names the config key."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise DataError(f"{USER_KEY}.npz: cannot read {path} ({error})") from error
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise DataError(
            f"{USER_KEY}.sha256: {path} has SHA-256 {digest}, not the pinned {sha256}: "
            "refused unopened (pin the file you mean, `sha256sum` prints it)"
        )
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files if name in ARRAY_NAMES}
    except Exception as error:
        raise DataError(f"{USER_KEY}.npz: {path} is no readable .npz ({error})") from error
    check_arrays(arrays, path)
    return arrays


def check_arrays(arrays: dict[str, np.ndarray], path) -> None:
    """A user's data set as the pipeline reads it: all four arrays; images uint8 of shape
    (n, height, width) or (n, height, width, channels), train and test alike; labels of an
    integer type, one per image, in [0, classes) with `classes` = the largest training label
    + 1 (`class_count`), at least 2. Fails naming the key and the array."""
    where = f"{USER_KEY}.npz ({path})"
    missing = [name for name in ARRAY_NAMES if name not in arrays]
    if missing:
        raise DataError(f"{where}: no array {missing}; it must hold {list(ARRAY_NAMES)}")
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or x.ndim not in (3, 4) or len(x) == 0:
            raise DataError(
                f"{where}: x_{split} is {x.dtype} of shape {x.shape}; expected uint8 pixels "
                "(0-255) of shape (images, height, width[, channels])"
            )
        if not np.issubdtype(y.dtype, np.integer) or y.shape != (len(x),):
            raise DataError(
                f"{where}: y_{split} is {y.dtype} of shape {y.shape}; expected one integer "
                f"label per image of x_{split}, shape ({len(x)},)"
            )
    if arrays["x_train"].shape[1:] != arrays["x_test"].shape[1:]:
        raise DataError(
            f"{where}: x_train images are {arrays['x_train'].shape[1:]}, "
            f"x_test images {arrays['x_test'].shape[1:]}: they must be alike"
        )
    classes = class_count(arrays)
    for name in ("y_train", "y_test"):
        labels = arrays[name]
        if labels.min() < 0 or labels.max() >= classes or classes < 2:
            raise DataError(
                f"{where}: {name} has labels {labels.min()}..{labels.max()}; expected "
                f"0..{classes - 1}, at least two classes (the training labels' range)"
            )


def class_count(arrays: dict[str, np.ndarray]) -> int:
    """The classes of a data set: labels are 0 .. (the largest training label)."""
    return int(arrays["y_train"].max()) + 1


def check_user_file(entry: dict, validation_size: int, large_batch_size: int) -> None:
    """What config validation checks of a user's file (`data.dataset`, a dict): the file's
    digest, its arrays, room for the validation split, and a test set as large as the
    timing's large batch (the timing jobs time it); raises DataError naming the key."""
    arrays = load_user_file(entry["npz"], entry["sha256"])
    if validation_size >= len(arrays["y_train"]):
        raise DataError(
            f"data.validation_size: {validation_size} of the {len(arrays['y_train'])} "
            f"training images of {entry['npz']}; it must leave some to train on"
        )
    if large_batch_size > len(arrays["y_test"]):
        raise DataError(
            f"timing.large_batch_size: {large_batch_size} examples per timed call, but "
            f"{entry['npz']} has {len(arrays['y_test'])} test images"
        )


def subset_indices(size: int, keep: int | None, seed: int) -> np.ndarray | slice:
    """A fixed random subset of `keep` of `size` examples; all of them, in order, if None.

    "All" is a slice, so that indexing with it takes a view rather than a copy."""
    if keep is None or keep >= size:
        return slice(None)
    return np.sort(np.random.default_rng(seed).choice(size, keep, replace=False))


@dataclasses.dataclass(frozen=True)
class Splits:
    """The three splits a job may read, each (images (n, height, width, channels) float32,
    labels int32): `train` trains, `validation` selects and tunes, `test` is only reported;
    and the number of classes, which the network is built for."""

    train: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    classes: int

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one image, as the network is built for it."""
        return tuple(self.train[0].shape[1:])


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
        images = np.divide(x, np.float32(255.0), dtype=np.float32)
        # Grayscale images (n, height, width) get their one channel.
        return images[..., np.newaxis] if x.ndim == 3 else images, y.astype(np.int32)

    x_train, y_train = arrays["x_train"], arrays["y_train"]
    held_out = validation_indices(len(y_train), validation_size, subset_seed)
    remaining = np.setdiff1d(np.arange(len(y_train)), held_out, assume_unique=True)
    trained = remaining[subset_indices(len(remaining), train_size, subset_seed)]
    test = subset_indices(len(arrays["y_test"]), test_size, subset_seed)
    return Splits(
        train=split(x_train, y_train, trained),
        validation=split(x_train, y_train, held_out),
        test=split(arrays["x_test"], arrays["y_test"], test),
        classes=class_count(arrays),
    )
