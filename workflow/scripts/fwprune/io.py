"""File output that a killed job cannot leave half-written, small tables, and what a saved
state says about itself."""

import contextlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd


@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary path beside `path`; rename it to `path` only if the block succeeds.

    The temporary name keeps the suffix, since writers such as Keras check it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def copy_file(source, destination) -> None:
    with atomic_output(destination) as temporary:
        shutil.copyfile(source, temporary)


def write_table(frame: pd.DataFrame, path) -> None:
    """Write a table atomically: parquet for .parquet, tab-separated otherwise."""
    with atomic_output(path) as temporary:
        if Path(path).suffix == ".parquet":
            frame.to_parquet(temporary, index=False)
        else:
            frame.to_csv(temporary, sep="\t", index=False)


def read_table(path) -> pd.DataFrame:
    return pd.read_parquet(path) if Path(path).suffix == ".parquet" else pd.read_csv(path, sep="\t")


def epochs_trained(state_path) -> int:
    """Epochs of training behind a state saved by `MaskedNetwork.save`, from initialisation
    on (read with numpy alone: an evaluation needs no TensorFlow for it)."""
    with np.load(state_path) as archive:
        return json.loads(str(archive["meta"]))["epochs_trained"]
