"""A bad config stops Snakemake before any job, naming the key and what is allowed."""

import pytest
import yaml

from conftest import copy_workflow, job_stats, run_snakemake

BAD_CONFIGS = {
    "sparsity above 1": ({"fw": {"sparsity": 1.5}}, ["instance['fw']['sparsity']", "maximum of 1"]),
    "unknown method": (
        {"methods": ["fw", "lottery"]},
        ["config methods: unknown ['lottery']"],
    ),
    "no method": ({"methods": []}, ["instance['methods']", "should be non-empty"]),
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
        {"sweeps": {"filter_sweep": {"sparsities": [0.5, 1.0]}}},
        ["instance['sweeps']['filter_sweep']['sparsities'][1]", "maximum of 1"],
    ),
    "unknown filter-sweep method": (
        {"sweeps": {"filter_sweep": {"methods": ["fw", "lottery"]}}},
        ["config sweeps.filter_sweep.methods: unknown ['lottery']"],
    ),
    "a sweep without budgets": (
        {"sweeps": {"mine": {"sparsities": [0.5]}}},
        ["'budgets' is a required property", "instance['sweeps']['mine']"],
    ),
    "a variant with a bad setting": (
        {"variants": {"gmp_steep": {"method": "gmp", "power": 11}}},
        ["config variants.gmp_steep.power: 11 is greater than the maximum of 10"],
    ),
    "alpha of 1": (
        {"verdicts": {"alpha": 1.0}},
        ["instance['verdicts']['alpha']", "greater than or equal to the maximum of 1"],
    ),
    "negative learning rate in a schedule": (
        {"train": {"learning_rate_steps": [{"epochs": 6, "learning_rate": -0.05}]}},
        [
            "instance['train']['learning_rate_steps'][0]['learning_rate']",
            "-0.05 is less than or equal to the minimum of 0",
        ],
    ),
    "a schedule step of zero epochs": (
        {
            "train": {
                "learning_rate_steps": [
                    {"epochs": 6, "learning_rate": 0.05},
                    {"epochs": 0, "learning_rate": 0.01},
                ]
            }
        },
        [
            "instance['train']['learning_rate_steps'][1]['epochs']",
            "0 is less than the minimum of 1",
        ],
    ),
    "a schedule step without its rate": (
        {"train": {"learning_rate_steps": [{"epochs": 6}]}},
        ["'learning_rate' is a required property", "instance['train']['learning_rate_steps'][0]"],
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
    """config.yaml's filter sweep plans a timed cell for each method, fraction and budget."""
    (workdir / "one_seed.yaml").write_text(yaml.safe_dump({"seeds": [0]}))
    result = run_snakemake(workdir, "-n", "--configfile", "one_seed.yaml", "--", "filter_sweep")
    sweep = yaml.safe_load((workdir / "config.yaml").read_text())["sweeps"]["filter_sweep"]
    for method in sweep["methods"]:
        for budget in sweep["budgets"]:
            for fraction in sweep["sparsities"]:
                cell = f"results/filter_sweep/seed0/budget{budget}/{method}/sparsity{fraction}"
                assert f"{cell}/timing.tsv" in result.stdout


THIRD_SWEEP = {
    "seeds": [0],
    "variants": {"gmp_linear": {"method": "gmp", "power": 1, "sparsity_init": 0.3}},
    "sweeps": {
        "per_layer": {
            "sparsities": [0.5, 0.9],
            "budgets": [1, 3],
            "methods": ["magnitude", "gmp_linear"],
            "settings": {"granularity": "filter", "scope": "layer"},
            "timing": False,
            "more_seeds": [{"seeds": [1, 2], "budgets": [1], "methods": ["gmp_linear"]}],
        }
    },
}


def test_a_third_sweep_is_a_config_entry_alone(workdir):
    """A new sweep, with a variant, its own settings and extra seeds, plans its cells and
    nothing else: no rule file changes."""
    (workdir / "third.yaml").write_text(yaml.safe_dump(THIRD_SWEEP))
    result = run_snakemake(workdir, "-n", "--configfile", "third.yaml", "--", "per_layer")
    planned = job_stats(result.stdout)
    # 2 sparsities x 2 budgets x 2 methods, and gmp_linear at budget 1 with 2 more seeds.
    cells = 2 * 2 * 2 + 2 * 1 * 1 * 2
    for rule in ("sweep_prune", "sweep_finetune", "sweep_evaluate"):
        assert planned[rule] == cells, rule
    assert "sweep_time_inference" not in planned  # an untimed sweep
    assert planned["sweep_aggregate"] == planned["sweep_verdicts"] == planned["per_layer"] == 1
    prune = "results/per_layer/seed2/budget1/gmp_linear/sparsity0.9/pruned.npz"
    assert prune in result.stdout
