"""A user's own data file and network (README, "Adding a network", "Adding a data set"):
the file's checks, filter pruning through a functional graph, and the whole DAG."""

import hashlib

import numpy as np
import pytest
import yaml

from conftest import JOB, REPO, copy_workflow, logged_jobs, run_snakemake
from fwprune import data

KEY = "data.dataset"


def images(rng, count, shape=(32, 32, 3)):
    return rng.integers(0, 256, (count, *shape), dtype=np.uint8)


def user_arrays(seed=0, train=300, test=100, classes=10):
    """A CIFAR-10-shaped data set of random images, every class in the training labels."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": images(rng, train),
        "y_train": (np.arange(train) % classes).astype(np.uint8),
        "x_test": images(rng, test),
        "y_test": rng.integers(0, classes, test).astype(np.uint8),
    }


def write_npz(path, arrays) -> dict:
    """Save `arrays` at `path`; the config entry pinning the file."""
    np.savez(path, **arrays)
    return {"npz": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def test_a_user_file_is_split_like_mnist_with_its_own_shape(tmp_path):
    entry = write_npz(tmp_path / "mine.npz", user_arrays())
    splits = data.prepare(
        data.load_dataset(entry["npz"], data.file_pin(entry)), validation_size=50, train_size=200
    )
    assert splits.input_shape == (32, 32, 3) and splits.classes == 10
    assert [len(split[1]) for split in (splits.train, splits.validation, splits.test)] == [
        200,
        50,
        100,
    ]
    assert splits.train[0].dtype == np.float32 and splits.train[0].max() <= 1.0


def test_a_user_file_that_is_not_the_pinned_one_is_refused_unopened(tmp_path, monkeypatch):
    entry = write_npz(tmp_path / "mine.npz", user_arrays())
    write_npz(tmp_path / "mine.npz", user_arrays(seed=1))  # the file changed after pinning
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("a file was opened unverified"))
    with pytest.raises(data.DataError, match=f"{KEY}.sha256: .*mine.npz has SHA-256 .* not the"):
        data.check_user_file(entry, 0, 64)


def bad(change):
    arrays = user_arrays()
    change(arrays)
    return arrays


BAD_FILES = {
    "no y_test": (bad(lambda a: a.pop("y_test")), "no array ['y_test']"),
    "flat images": (bad(lambda a: a.update(x_train=a["x_train"].reshape(300, -1))), "x_train is"),
    "float pixels": (bad(lambda a: a.update(x_test=a["x_test"] / 255)), "x_test is float64"),
    "a label per image missing": (bad(lambda a: a.update(y_train=a["y_train"][1:])), "y_train is"),
    "float labels": (bad(lambda a: a.update(y_test=a["y_test"] * 1.0)), "y_test is float64"),
    "test label out of range": (
        bad(lambda a: a["y_test"].__setitem__(0, 10)),
        "y_test has labels 0..10; expected 0..9",
    ),
    "negative label": (
        bad(lambda a: a.update(y_train=a["y_train"].astype(np.int8) - 1)),
        "y_train has labels -1..8",
    ),
    "test images of another size": (
        bad(lambda a: a.update(x_test=a["x_test"][:, :28])),
        "x_test images (28, 32, 3)",
    ),
    "pickled labels": (bad(lambda a: a.update(y_test=a["y_test"].astype(object))), "readable"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_user_file_is_refused_naming_the_key_and_the_array(case, tmp_path):
    arrays, message = BAD_FILES[case]
    entry = write_npz(tmp_path / "bad.npz", arrays)
    with pytest.raises(data.DataError, match=f"{KEY}.npz") as error:
        data.check_user_file(entry, 0, 64)
    assert message in str(error.value)


def test_a_user_file_too_small_for_the_splits_or_the_timing_is_refused(tmp_path):
    entry = write_npz(tmp_path / "mine.npz", user_arrays(train=300, test=100))
    data.check_user_file(entry, 299, 100)  # one image left to train on, one timed batch
    with pytest.raises(data.DataError, match="data.validation_size: 300 of the 300"):
        data.check_user_file(entry, 300, 64)
    with pytest.raises(data.DataError, match="timing.large_batch_size: 101 .* has 100 test"):
        data.check_user_file(entry, 0, 101)


def test_a_bad_user_file_stops_snakemake_before_any_job(tmp_path):
    workdir = copy_workflow(tmp_path / "run")
    entry = write_npz(workdir / "bad.npz", BAD_FILES["test label out of range"][0])
    entry["npz"] = "bad.npz"
    (workdir / "bad.yaml").write_text(yaml.safe_dump({"data": {"dataset": entry}}))
    result = run_snakemake(workdir, "-n", "--configfile", "bad.yaml", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Job stats" not in output
    assert f"{KEY}.npz (bad.npz): y_test has labels 0..10" in output


# --- filter pruning through a functional graph -----------------------------------------

CONV_BN_POOL = """
import keras
from keras import layers


def build(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = layers.Conv2D(6, 3, name="conv1")(inputs)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.ReLU(name="relu1")(x)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(8, 3, activation="relu", name="conv2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(12, activation="relu", name="hidden")(x)
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax", name="out")(x))
"""
RESIDUAL = """
import keras
from keras import layers


def build(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = layers.Conv2D(6, 3, padding="same", name="conv1")(inputs)
    y = layers.Conv2D(6, 3, padding="same", name="conv2")(x)
    x = layers.Add(name="skip")([x, y])
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax", name="out")(x))
"""


def user_network(tmp_path, source: str, granularity="filter"):
    from fwprune.training import MaskedNetwork

    path = tmp_path / "net.py"
    path.write_text(source)
    network = {"builder": f"{path}:build"}
    return MaskedNetwork(
        0.05, 0.0, 16, seed=0, network=network, granularity=granularity, input_shape=(12, 12, 3)
    )


def test_filter_pruning_through_batch_norm_exports_a_smaller_model_computing_the_same(tmp_path):
    network = user_network(tmp_path, CONV_BN_POOL)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (64, 12, 12, 3)).astype("float32")
    network.train(x, rng.integers(0, 10, 64), epochs=1)  # moves the batch norm's statistics
    assert network.unit_count == 6 + 8  # conv1's and conv2's filters; no Dense has units
    kept = np.ones(14, dtype=bool)
    kept[[1, 4, 6 + 0, 6 + 5, 6 + 7]] = False  # 2 of conv1's filters, 3 of conv2's
    network.set_unit_mask(kept)
    small = network.export()
    shapes = {layer.name: [w.shape for w in layer.get_weights()] for layer in small.layers}
    assert shapes["conv1"] == [(3, 3, 3, 4), (4,)]
    assert shapes["bn1"] == [(4,)] * 4  # gamma, beta, moving mean and variance
    assert shapes["conv2"] == [(3, 3, 4, 5), (5,)]
    assert shapes["hidden"] == [(3 * 3 * 5, 12), (12,)]
    inputs = rng.normal(size=(32, 12, 12, 3)).astype("float32")
    expected = network.model.predict(inputs, verbose=0)
    np.testing.assert_allclose(small.predict(inputs, verbose=0), expected, atol=1e-5)


def test_a_residual_add_is_refused_naming_the_layer(tmp_path):
    from fwprune.channels import UnsliceableGraph

    with pytest.raises(UnsliceableGraph, match=r"skip \(Add\): filter pruning cannot follow"):
        user_network(tmp_path, RESIDUAL)
    # Weights are still pruned one by one: conv1 3x3x3x6, conv2 3x3x6x6, out 6x10.
    assert user_network(tmp_path, RESIDUAL, "unstructured").size == 162 + 324 + 60


NESTED = """
import keras


def build(input_shape, num_classes):
    head = keras.Sequential([keras.layers.Dense(num_classes)], name="head")
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, head(keras.layers.Flatten()(inputs)))
"""


def test_a_model_inside_the_model_is_refused_naming_it(tmp_path):
    with pytest.raises(TypeError, match=r"a model inside the model \(\['head'\]\)"):
        user_network(tmp_path, NESTED, "unstructured")


@pytest.mark.parametrize("name", ["cnn", "lenet5"])
def test_the_graph_walk_finds_the_chain_of_the_registered_networks(name):
    from fwprune.channels import channel_flow
    from fwprune.groups import chain_sources
    from fwprune.model import build_model, prunable_kernels

    model = build_model(name)
    shapes = [tuple(kernel.shape) for kernel in prunable_kernels(model)]
    assert channel_flow(model).source == chain_sources(shapes)


# --- the whole DAG on a user's network and data ----------------------------------------

BUILDER = "examples/vgg_small.py"
USER_RUN = {
    "seeds": [0],
    "budgets": [1, 2],
    "methods": ["magnitude", "fw", "random"],
    "dense_matched": False,
    "random": {"granularity": "filter"},
    "fw": {"subsample": 64, "gradient_batch_size": 64},
    "train": {"batch_size": 32},
    "timing": {"repeats": 5, "warmup": 2, "large_batch_size": 64},
    "network": {"builder": f"{BUILDER}:build"},
}


@pytest.fixture(scope="module")
def user_run(tmp_path_factory):
    """The default DAG on examples/vgg_small.py and a CIFAR-10-shaped file of 400 images."""
    workdir = copy_workflow(tmp_path_factory.mktemp("user"))
    (workdir / "examples").mkdir()
    (workdir / BUILDER).write_text((REPO / BUILDER).read_text())
    entry = write_npz(workdir / "cifar_like.npz", user_arrays())
    entry["npz"] = "cifar_like.npz"
    config = USER_RUN | {"data": {"dataset": entry, "validation_size": 50}}
    (workdir / "user.yaml").write_text(yaml.safe_dump(config))
    run_snakemake(workdir, "--cores", "2", "--configfile", "user.yaml")
    return workdir


def test_a_user_network_and_data_run_through_the_whole_dag(user_run):
    import pandas as pd

    metrics = pd.read_parquet(user_run / "results/metrics.parquet").set_index("method")
    assert set(metrics.index) == {"base", "magnitude", "fw", "random"}
    assert (metrics.network == f"{BUILDER}:build").all()
    assert (metrics.dataset == "cifar_like.npz").all()
    assert {"conv1a_sparsity", "conv2b_sparsity", "dense_sparsity"} <= set(metrics.columns)
    # random removes half of the filters (filter sparsity 0.5), and ships a smaller model.
    assert (metrics.loc["random", "filters_removed"] == 0.5).all()
    assert (metrics.loc["random", "physical_parameter_ratio"] < 1).all()
    assert metrics.inference_time_ratio.notna().loc[["magnitude", "fw", "random"]].all()
    assert (user_run / "results/figures/accuracy.pdf").stat().st_size > 1000
    assert not (user_run / "data").exists()  # nothing downloaded


def test_the_build_jobs_param_moves_with_the_builders_meaning_alone(tmp_path):
    from fwprune.networks import build_param

    path = tmp_path / "net.py"
    path.write_text(CONV_BN_POOL)
    network = {"builder": f"{path}:build"}
    before = build_param(network)
    path.write_text(CONV_BN_POOL.replace("import keras\n", '"""A docstring."""\nimport keras\n'))
    assert build_param(network) == before
    path.write_text(
        CONV_BN_POOL.replace('Dense(12, activation="relu"', 'Dense(12, activation="elu"')
    )
    assert build_param(network) != before and build_param(network)["builder"] == f"{path}:build"
    assert build_param("lenet5") == "lenet5"  # a registered network's param is its name


def dry_run(workdir, *options) -> str:
    return run_snakemake(workdir, "-n", *options, "--configfile", "user.yaml").stdout


def test_an_edited_builder_reruns_the_jobs_that_build_it_and_nothing_else(user_run):
    builder = user_run / BUILDER
    original = builder.read_text()
    builder.write_text(original.replace('"""Two Conv-BN-ReLU', '"""Two (a comment) Conv-BN-ReLU'))
    assert logged_jobs(dry_run(user_run)) == set()  # a docstring is no change of meaning
    builder.write_text(original.replace("Dropout(0.3", "Dropout(0.25"))
    edited = dry_run(user_run)
    # The first build job reruns for its `network` param, the file's new digest; every
    # other job of this DAG depends on it (Snakemake gives a job's first reason only).
    (first,) = [d for _, rule, d in JOB.findall(edited) if rule == "pretrain" and "epoch=1" in d]
    assert "reason: Params have changed" in first and "'code'" in first
    assert logged_jobs(edited) == logged_jobs(dry_run(user_run, "--forceall"))
    builder.write_text(original)
    assert logged_jobs(dry_run(user_run)) == set()  # the file alone made the difference
