"""What a job ships is a property of the model: the same model saves to the same bytes,
whenever and in whichever process it is saved (its sizes, model_gzip_bytes and the rest,
recompute exactly)."""

import datetime
import os
import subprocess
import sys
import time
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest
from keras.src.saving import saving_lib

from fwprune import export
from fwprune.model import build_model

SUFFIXES = (".keras", ".tflite", ".sparse.tflite")
SCRIPTS = Path(__file__).resolve().parents[1] / "workflow" / "scripts"
# A job's way to save: a fresh process builds the model (seeded) and writes its files.
SAVE_IN_A_PROCESS = """
import sys, keras
from fwprune.export import write_exported
from fwprune.model import build_model

keras.utils.set_random_seed(0)
write_exported(build_model("lenet5"), *sys.argv[1:])
"""


def move_clocks(monkeypatch, days: float) -> None:
    """Set the clocks the savers read `days` from now: the zip members' dates (`zipfile`
    reads `time.time`) and Keras's `date_saved` (`datetime.datetime.now`)."""
    moment = time.time() + days * 86400
    clock = types.SimpleNamespace(time=lambda: moment, localtime=time.localtime)
    monkeypatch.setattr(zipfile, "time", clock)

    class Later(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.fromtimestamp(moment, tz)

    monkeypatch.setattr(saving_lib, "datetime", types.SimpleNamespace(datetime=Later))


@pytest.fixture(scope="module")
def model():
    return build_model("lenet5")


def save_on_day(model, directory, monkeypatch, days: float) -> dict[str, bytes]:
    move_clocks(monkeypatch, days)
    stem = directory / f"day{days}"
    export.write_exported(model, *(f"{stem}{suffix}" for suffix in SUFFIXES))
    return {suffix: stem.with_name(stem.name + suffix).read_bytes() for suffix in SUFFIXES}


def test_the_same_model_saves_to_the_same_bytes_on_another_day(model, tmp_path, monkeypatch):
    first = save_on_day(model, tmp_path, monkeypatch, days=0)
    later = save_on_day(model, tmp_path, monkeypatch, days=400.5)
    for suffix in SUFFIXES:
        assert first[suffix] == later[suffix], suffix


def test_the_undated_file_is_still_the_model(model, tmp_path, monkeypatch):
    save_on_day(model, tmp_path, monkeypatch, days=3)
    path = tmp_path / "day3.keras"
    loaded = export.load_exported(path)
    for saved, original in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, original)
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_two_processes_save_a_model_to_the_same_bytes(tmp_path):
    """Keras numbers the objects a model's layers share by their memory address, which
    differs from process to process."""
    saved = []
    for process in ("first", "second"):
        paths = [str(tmp_path / f"{process}{suffix}") for suffix in SUFFIXES]
        environment = os.environ | {"PYTHONPATH": str(SCRIPTS)}
        subprocess.run(
            [sys.executable, "-c", SAVE_IN_A_PROCESS, *paths], env=environment, check=True
        )
        saved.append([Path(path).read_bytes() for path in paths])
    assert saved[0] == saved[1]
