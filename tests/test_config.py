"""A bad config stops Snakemake before any job, naming the key and what is allowed."""

import pytest
import yaml

from conftest import copy_workflow, run_snakemake

BAD_CONFIGS = {
    "sparsity above 1": ({"fw": {"sparsity": 1.5}}, ["instance['fw']['sparsity']", "maximum of 1"]),
    "unknown method": (
        {"methods": ["fw", "lottery"]},
        ["'lottery' is not one of", "instance['methods'][1]"],
    ),
    "unknown network": ({"network": "resnet"}, ["'resnet' is not one of", "['cnn', 'lenet5']"]),
    "unknown data set": (
        {"data": {"dataset": "cifar10"}},
        ["'cifar10' is not one of", "instance['data']['dataset']"],
    ),
    "budget 0": (
        {"budgets": [0, 1]},
        ["0 is less than the minimum of 1", "instance['budgets'][0]"],
    ),
    "misspelt key": ({"fw_momentum": {"sparsty_final": 0.5}}, ["'sparsty_final' was unexpected"]),
    "misspelt section": ({"trian": {"batch_size": 3}}, ["'trian' was unexpected"]),
    "wrong type": ({"train": {"batch_size": "big"}}, ["'big' is not of type 'integer'"]),
    "every filter removed": (
        {"filter_sweep": {"fractions": [0.5, 1.0]}},
        ["instance['filter_sweep']['fractions'][1]", "maximum of 1"],
    ),
    "unknown filter-sweep method": (
        {"filter_sweep": {"methods": ["fw", "lottery"]}},
        ["'lottery' is not one of", "instance['filter_sweep']['methods'][1]"],
    ),
    "alpha of 1": (
        {"verdicts": {"alpha": 1.0}},
        ["instance['verdicts']['alpha']", "greater than or equal to the maximum of 1"],
    ),
    "schedule downwards": (
        {"fw_momentum": {"sparsity_init": 0.7, "sparsity_final": 0.6}},
        ["fw_momentum.sparsity_init (0.7) must not exceed fw_momentum.sparsity_final (0.6)"],
    ),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("config"))


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_bad_config_fails_before_any_job(case, workdir):
    override, messages = BAD_CONFIGS[case]
    path = workdir / f"{case.replace(' ', '_')}.yaml"
    path.write_text(yaml.safe_dump(override))
    result = run_snakemake(workdir, "-n", "--configfile", "config.yaml", str(path), check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for message in messages:
        assert message in output
    assert "Job stats" not in output and not (workdir / "results").exists()


def test_defaults_fill_a_minimal_config(workdir):
    (workdir / "minimal.yaml").write_text(yaml.safe_dump({"budgets": [1], "seeds": [0]}))
    result = run_snakemake(workdir, "-n", "--configfile", "minimal.yaml", "--quiet", "rules")
    assert "prune" in result.stdout + result.stderr


def test_the_filter_sweep_plans_every_cell_timed(workdir):
    """config.yaml's filter sweep (methods null: the sweep's) plans a timed cell for each
    method, fraction and budget."""
    (workdir / "one_seed.yaml").write_text(yaml.safe_dump({"seeds": [0]}))
    result = run_snakemake(workdir, "-n", "--configfile", "one_seed.yaml", "--", "filter_sweep")
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    sweep = config["filter_sweep"]
    assert sweep["methods"] is None
    for method in config["sweep"]["methods"]:
        for budget in sweep["budgets"]:
            for fraction in sweep["fractions"]:
                cell = f"results/filter_sweep/seed0/budget{budget}/{method}/sparsity{fraction}"
                assert f"{cell}/timing.tsv" in result.stdout
