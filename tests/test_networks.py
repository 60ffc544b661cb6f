"""The second network, LeNet-5, through the whole DAG on the smallest smoke config."""

import pandas as pd
import yaml

from conftest import REPO, copy_from_run, copy_workflow, run_snakemake

SMOKE = yaml.safe_load((REPO / "tests" / "smoke.yaml").read_text())
# One seed, one budget, one method, a tiny subset: 11 jobs (tests/test_training.py trains
# every network masked and takes its mask gradient).
TINY = SMOKE | {
    "network": "lenet5",
    "budgets": [1],
    "methods": ["magnitude"],
    "dense_matched": False,
    "data": {"train_size": 1000, "test_size": 500},
}
LENET_PRUNABLE = 61_470  # tests/test_metrics.py counts them by hand
LENET_LAYERS = ["conv1", "conv2", "dense1", "dense2", "dense3"]


def test_lenet5_runs_through_the_whole_dag(tmp_path, smoke_run):
    workdir = copy_from_run(smoke_run, copy_workflow(tmp_path), "data")  # no download
    (workdir / "lenet.yaml").write_text(yaml.safe_dump(TINY))
    run_snakemake(workdir, "--cores", "2", "--configfile", "lenet.yaml")
    metrics = pd.read_parquet(workdir / "results/metrics.parquet").set_index("method")
    assert set(metrics.index) == {"base", "magnitude"}
    assert (metrics.network == "lenet5").all()  # every row names the network it measured
    assert (metrics.prunable_weights == LENET_PRUNABLE).all()
    pruned = metrics.loc["magnitude"]
    assert pruned.zero_weights == round(pruned.param_sparsity * LENET_PRUNABLE)
    assert {f"{layer}_sparsity" for layer in LENET_LAYERS} <= set(metrics.columns)
    assert "dense_sparsity" not in metrics.columns  # the CNN's layer
    # Masked training trains it: after one more epoch, pruned, well above chance (0.1).
    # (Measured: base 0.15 after one epoch of 1,000 images, magnitude 0.49.)
    assert pruned.test_accuracy > 0.3
    assert (workdir / "results/figures/accuracy.pdf").stat().st_size > 1000
