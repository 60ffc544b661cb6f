"""The LiteRT twins: written beside the .keras files, scored and measured like the Keras
models, and the evaluation and timing jobs run them without importing TensorFlow."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fwprune import litert
from fwprune.data import array_digest
from fwprune.export import load_exported
from fwprune.masks import magnitude_mask
from fwprune.metrics import evaluate, pruning_metrics
from fwprune.training import MaskedNetwork

SCRIPTS = Path(__file__).resolve().parents[1] / "workflow" / "scripts"
TRAIN = {"learning_rate": 0.1, "momentum": 0.0, "batch_size": 32}
# |LiteRT − Keras| allowed in the test loss (float32 arithmetic in another order, XNNPACK's
# kernels); the accuracy must be equal: no prediction may change.
LOSS_TOLERANCE = 1e-5


def dataset(n: int = 300) -> dict[str, np.ndarray]:
    """Noise images with a learnable label (the quarter brightened), as `download` writes."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 156, (2 * n, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 4, 2 * n).astype(np.uint8)
    for image, label in zip(x, y, strict=True):
        image[14 * (label // 2) :][:14, 14 * (label % 2) :][:, :14] += 100
    return {"x_train": x[:n], "y_train": y[:n], "x_test": x[n:], "y_test": y[n:]}


def save(network: MaskedNetwork, directory: Path, stem: str) -> dict[str, Path]:
    paths = {key: directory / f"{stem}{suffix}" for key, suffix in
             (("state", ".npz"), ("model", ".keras"), ("litert", ".tflite"),
              ("litert_sparse", ".sparse.tflite"))}  # fmt: skip
    network.save(*paths.values())
    return paths


def pruned(network_name: str, granularity: str, data) -> MaskedNetwork:
    """A trained network, 70 % of its weights (or a third of its filters) pruned."""
    network = MaskedNetwork(**TRAIN, seed=0, network=network_name, granularity=granularity)
    network.train(data["x_train"][..., None] / np.float32(255), data["y_train"], epochs=3)
    if granularity == "filter":
        kept = np.arange(network.unit_count) % 3 != 0
        network.set_unit_mask(kept)
    else:
        network.set_unit_mask(magnitude_mask(network.latent_weights(), 0.7))
    return network


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Dense and pruned twins of the CNN (unstructured) and LeNet-5 (by filters)."""
    directory, data = tmp_path_factory.mktemp("twins"), dataset()
    files = {}
    for name, granularity in (("cnn", "unstructured"), ("lenet5", "filter")):
        dense = MaskedNetwork(**TRAIN, seed=0, network=name)
        files[name, "dense"] = save(dense, directory, f"{name}_dense")
        files[name, "pruned"] = save(pruned(name, granularity, data), directory, name)
    return files, data


@pytest.mark.parametrize("network", ["cnn", "lenet5"])
def test_twin_scores_equal_the_keras_model(models, network):
    files, data = models
    x, y = data["x_test"][..., None] / np.float32(255), data["y_test"].astype(np.int32)
    paths = files[network, "pruned"]
    keras = evaluate(load_exported(paths["model"]), x, y, batch_size=128)
    # 128 does not divide 300: the last, shorter batch runs through an interpreter of its own.
    twin = litert.evaluate(paths["litert"], x, y, batch_size=128)
    assert twin["test_accuracy"] == pytest.approx(keras["test_accuracy"], abs=1e-7)
    assert twin["test_loss"] == pytest.approx(keras["test_loss"], abs=LOSS_TOLERANCE)


@pytest.mark.parametrize("network", ["cnn", "lenet5"])
def test_twin_metrics_equal_the_keras_models(models, network):
    files, _ = models
    model, base = files[network, "pruned"], files[network, "dense"]
    keras = pruning_metrics(load_exported(model["model"]), load_exported(base["model"]))
    twin = pruning_metrics(
        litert.twin_layers(model["litert"], model["model"]),
        litert.twin_layers(base["litert"], base["model"]),
    )
    assert twin == keras
    assert keras["sparsity"] > 0.3


def test_the_sparse_format_shrinks_an_unstructured_model_only(models):
    files, _ = models
    cnn, lenet = files["cnn", "pruned"], files["lenet5", "pruned"]
    assert cnn["litert_sparse"].stat().st_size < 0.6 * cnn["litert"].stat().st_size
    # Filter pruning leaves small dense kernels: nothing for the sparse format to encode.
    assert lenet["litert_sparse"].stat().st_size == lenet["litert"].stat().st_size


def test_an_interpreter_is_resized_to_the_batch(models):
    files, data = models
    call = litert.forward(files["cnn", "dense"]["litert"], batch_size=256)
    x = np.zeros((256, 28, 28, 1), np.float32)
    assert call(x).shape == (256, 10)


# --- the jobs import no TensorFlow ---------------------------------------------------------
RUN_SCRIPT = """
import json, runpy, sys
from types import SimpleNamespace

job = json.loads(sys.argv[1])


class named(dict):  # Snakemake's named lists, as the scripts read them
    __getattr__ = dict.__getitem__


snakemake = SimpleNamespace(
    input=named(job["input"]), output=[job["output"]], params=named(job["params"]),
    config=job["config"], threads=1, log=named(job["log"]), wildcards=named(job["wildcards"]),
)
runpy.run_path(job["script"], init_globals={"snakemake": snakemake}, run_name="__main__")
heavy = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras"))
print(json.dumps(heavy))
"""


def run_job(script: str, job: dict) -> list[str]:
    """Run the rule's own script in a fresh process as Snakemake would, and return the
    TensorFlow and Keras modules that process imported."""
    job = job | {"script": str(SCRIPTS / script)}
    result = subprocess.run(
        [sys.executable, "-c", RUN_SCRIPT, json.dumps(job)],
        env={"PYTHONPATH": str(SCRIPTS), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def job_files(models, tmp_path_factory):
    files, data = models
    directory = tmp_path_factory.mktemp("job")
    np.savez(directory / "data.npz", **data)
    return files, directory, array_digest(data)


def evaluate_job(files, directory, digest, keras_accuracy: bool) -> dict:
    model, base = files["cnn", "pruned"], files["cnn", "dense"]
    inputs = {key: str(path) for key, path in model.items()}
    inputs |= {"dense": str(base["model"]), "dense_litert": str(base["litert"])}
    inputs["data"] = str(directory / "data.npz")
    row = {"seed": 0, "budget": 0, "method": "magnitude"}
    params = {"data_sha256": digest, "row": row, "keras_accuracy": keras_accuracy}
    params["data"] = {"train_size": None, "test_size": None, "subset_seed": 0}
    return {
        "input": inputs,
        "output": str(directory / f"metrics{keras_accuracy}.tsv"),
        "log": {"text": str(directory / "evaluate.log"), "work": str(directory / "e.work.json")},
        "params": params,
        "config": {"evaluate": {"batch_size": 100}},
        "wildcards": {},
    }


def test_the_evaluate_job_imports_no_tensorflow(job_files):
    files, directory, digest = job_files
    job = evaluate_job(files, directory, digest, keras_accuracy=False)
    assert run_job("evaluate.py", job) == []
    (row,) = pd.read_csv(job["output"], sep="\t").to_dict("records")
    assert row["test_accuracy"] == row["litert_test_accuracy"] > 0.3  # chance: 0.25
    assert "keras_test_accuracy" not in row
    assert row["epochs_after_checkpoint"] == 3 and row["sparsity"] == pytest.approx(0.7, abs=1e-4)
    for column in ("litert_bytes", "litert_gzip_bytes", "litert_sparse_bytes"):
        assert row[column] > 0
    assert row["litert_sparse_bytes_ratio"] < 0.6 and row["model_gzip_ratio"] < 1


def test_keras_accuracy_is_kept_on_request_beside_the_twins(job_files):
    files, directory, digest = job_files
    job = evaluate_job(files, directory, digest, keras_accuracy=True)
    assert "tensorflow" in run_job("evaluate.py", job)
    (row,) = pd.read_csv(job["output"], sep="\t").to_dict("records")
    assert row["keras_test_accuracy"] == pytest.approx(row["litert_test_accuracy"], abs=1e-7)
    assert row["keras_test_loss"] == pytest.approx(row["litert_test_loss"], abs=LOSS_TOLERANCE)


def timing_job(files, directory, digest, runtime: str) -> dict:
    model, base = files["cnn", "pruned"], files["cnn", "dense"]
    inputs = {"pruned": str(model["model"]), "dense": str(base["model"])}
    inputs |= {"pruned_litert": str(model["litert"]), "dense_litert": str(base["litert"])}
    inputs["data"] = str(directory / "data.npz")
    timing = {"batch_size": 1, "large_batch_size": 2, "warmup": 1, "repeats": 3}
    return {
        "input": inputs,
        "output": str(directory / f"timing_{runtime}.tsv"),
        "log": {"text": str(directory / "timing.log"), "work": str(directory / "t.work.json")},
        "params": {"data_sha256": digest, "seed": 0, "timing": timing | {"runtime": runtime}},
        "config": {"timing": {"threads": 1}},
        "wildcards": {"budget": "1", "method": "magnitude"},
    }


@pytest.mark.parametrize("runtime", ["litert", "keras"])
def test_the_timing_job_imports_tensorflow_only_to_time_keras(job_files, runtime):
    files, directory, digest = job_files
    job = timing_job(files, directory, digest, runtime)
    imported = run_job("time_inference.py", job)
    assert ("tensorflow" in imported) == (runtime == "keras")
    (row,) = pd.read_csv(job["output"], sep="\t").to_dict("records")
    assert row["runtime"] == runtime
    assert row["inference_time_ratio"] > 0 and row["inference_time_control_ratio_large_batch"] > 0
