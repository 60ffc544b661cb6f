"""README, "Adding a method", followed to the letter: one new file, and the whole DAG runs it
(from the pruning on: the data and pre-training checkpoints, which no method changes, are
the smoke run's, whose data and training settings the toy config shares)."""

import numpy as np
import pandas as pd
import yaml

from conftest import copy_from_run, copy_workflow, run_snakemake

# The file README's example adds: workflow/scripts/fwprune/methods/first.py.
TOY_METHOD = '''
"""Method `first`: keep the first units (weights or filters) in the flat view (a toy)."""

import numpy as np

from fwprune.masks import keep_count
from fwprune.methods import Method, epochs_setting, sparsity_setting


def keep_first(network, data, params, rng):
    mask = np.zeros(network.unit_count, dtype=bool)
    mask[: keep_count(network.unit_count, params["sparsity"])] = True
    network.set_unit_mask(mask)
    return network


METHOD = Method(
    name="first",
    prune=keep_first,
    description="keeps the first weights of the flat view",
    label="first weights",
    marker="*",
    target_key="sparsity",
    settings={
        "sparsity": sparsity_setting("fraction of prunable weights set to zero", 0.3),
        "finetune_epochs": epochs_setting("masked training after pruning", 0),
    },
)
'''
# The data and training of tests/smoke.yaml (its checkpoints are copied in), one budget; the
# toy beside magnitude.
CONFIG = {
    "seeds": [0],
    "budgets": [1],
    "methods": ["magnitude", "first"],
    "data": {"train_size": 3000, "test_size": 1000},
    "train": {"learning_rate": 0.1, "batch_size": 32},
    "timing": {"warmup": 5, "repeats": 20},
    "sweeps": {"sweep": {"sparsities": [0.5, 0.9], "budgets": [1], "methods": None}},
}


def test_a_method_in_one_new_file_runs_through_the_whole_dag(tmp_path, smoke_run):
    workdir = copy_from_run(smoke_run, copy_workflow(tmp_path), "data", "results/seed0/pretrain")
    (workdir / "workflow/scripts/fwprune/methods/first.py").write_text(TOY_METHOD)
    (workdir / "toy.yaml").write_text(yaml.safe_dump(CONFIG))
    bad = workdir / "bad.yaml"
    bad.write_text(yaml.safe_dump(CONFIG | {"first": {"sparsity": 1.5}}))
    refused = run_snakemake(workdir, "-n", "--configfile", "toy.yaml", "bad.yaml", check=False)
    assert refused.returncode != 0
    assert "instance['first']['sparsity']" in refused.stdout + refused.stderr
    # Its section is filled from its defaults; the sweep plans it at every sparsity.
    sweep = run_snakemake(workdir, "-n", "--configfile", "toy.yaml", "--", "sweep").stdout
    assert "sparsity0.9/pruned.npz" in sweep and "/first/sparsity0.5/" in sweep

    run_snakemake(workdir, "--cores", "2", "--configfile", "toy.yaml")
    metrics = pd.read_parquet(workdir / "results/metrics.parquet").set_index("method")
    assert set(metrics.index) == {"base", "magnitude", "first", "dense+1"}
    assert metrics.loc["first", "zero_weights"] == round(0.3 * 34_720)
    assert metrics.loc["first", "epochs_after_checkpoint"] == 0
    assert metrics.loc["first", "param_sparsity"] == 0.3
    mask = np.load(workdir / "results/seed0/budget1/first/pruned.npz")["mask"]
    assert mask[: mask.sum()].all()  # the toy's own mask, not another method's
    assert (workdir / "results/figures/accuracy.pdf").stat().st_size > 1000
