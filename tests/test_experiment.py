"""The experiment a config describes (fwprune.experiment): variants, sweeps and the settings
each job uses, on made-up configs with every answer known."""

import copy

import pytest
import yaml

from conftest import REPO
from fwprune import experiment, paths

DEFAULTS = yaml.safe_load((REPO / "config.yaml").read_text())
# config.yaml leaves these to the schema's defaults.
for method in ("fw", "fw_momentum", "gmp"):
    DEFAULTS[method].setdefault("dense_epochs", 0)
for method in ("magnitude", "random"):
    DEFAULTS[method].setdefault("dense_epochs", 0)


def config(**changes) -> dict:
    made = copy.deepcopy(DEFAULTS)
    made.update(changes)
    return made


def sweep_entry(**changes) -> dict:
    entry = {
        "sparsities": [0.8, 0.9],
        "budgets": [1, 10],
        "methods": ["magnitude", "fw"],
        "seeds": None,
        "settings": {},
        "timing": False,
        "compare_with": [],
        "more_seeds": [],
        "tune": {"trials": 0, "seed": 1000},
        "tuned": None,
    }
    return entry | changes


# config.yaml's sweeps leave their other keys to the schema's defaults too.
DEFAULTS["sweeps"] = {name: sweep_entry(**entry) for name, entry in DEFAULTS["sweeps"].items()}

VARIANTS = {
    "gmp_linear": {"method": "gmp", "power": 1, "sparsity_init": 0.3},
    "magnitude_dense1": {"method": "magnitude", "dense_epochs": 1},
}


def test_a_variant_is_its_method_with_the_changed_settings():
    made = config(variants=VARIANTS)
    assert experiment.base_method(made, "gmp_linear") == "gmp"
    assert experiment.base_method(made, "gmp") == "gmp"
    settings = experiment.section(made, "gmp_linear")
    assert settings == made["gmp"] | {"power": 1, "sparsity_init": 0.3}
    assert "method" not in settings
    assert experiment.method_names(made)[-2:] == ["gmp_linear", "magnitude_dense1"]
    with pytest.raises(ValueError, match="unknown method 'lottery'"):
        experiment.base_method(made, "lottery")


def test_dense_epochs_count_in_what_a_method_spends():
    made = config(variants=VARIANTS)
    # magnitude: E_ft 1; with one dense epoch first, 2.
    assert experiment.epochs_spent(made, "magnitude") == 1
    assert experiment.epochs_spent(made, "magnitude_dense1") == 2


def test_a_sweep_cell_gets_the_target_the_sweep_settings_and_equal_training():
    made = config(
        variants=VARIANTS,
        sweeps={"s": sweep_entry(methods=["magnitude", "gmp_linear", "fw"], settings={})},
    )
    sweep = experiment.sweeps(made)["s"]
    # fw and gmp spend N E = 4 epochs; magnitude 1, so it fine-tunes 3 more.
    assert sweep.training_epochs(made) == 4
    magnitude = sweep.cell_settings(made, "magnitude", 0.9)
    assert magnitude["sparsity"] == 0.9 and magnitude["finetune_epochs"] == 4
    linear = sweep.cell_settings(made, "gmp_linear", 0.9)
    assert (linear["sparsity_final"], linear["power"], linear["sparsity_init"]) == (0.9, 1, 0.3)
    assert linear["finetune_epochs"] == 0
    # A schedule never starts above its target.
    assert sweep.cell_settings(made, "gmp_linear", 0.2)["sparsity_init"] == 0.2
    # gamma is not a setting harmonic FW reads; the keys come sorted (params are text).
    fw = sweep.cell_settings(made, "fw", 0.8)
    assert "gamma" not in fw and list(fw) == sorted(fw)
    filters = experiment.Sweep(**{**vars(sweep), "settings": {"granularity": "filter"}})
    assert filters.cell_settings(made, "fw", 0.5)["granularity"] == "filter"


def test_more_seeds_add_cells_only_where_asked():
    entry = sweep_entry(more_seeds=[{"seeds": [3, 4], "budgets": [1], "methods": ["fw"]}])
    sweep = experiment.sweeps(config(seeds=[0], sweeps={"s": entry}))["s"]
    cells = sweep.cells()
    assert len(cells) == len(set(cells)) == 1 * 2 * 2 * 2 + 2 * 1 * 1 * 2
    extra = {cell for cell in cells if cell[0] in (3, 4)}
    assert extra == {(s, 1, "fw", p) for s in (3, 4) for p in (0.8, 0.9)}
    # Seeds the sweep already has are not run twice.
    again = sweep_entry(more_seeds=[{"seeds": [0, 5]}])
    cells = experiment.sweeps(config(seeds=[0], sweeps={"s": again}))["s"].cells()
    assert len(cells) == len(set(cells)) == 2 * (1 * 2 * 2 * 2)


def test_a_sweep_defaults_to_the_run_methods_and_seeds():
    made = config(seeds=[5, 6], methods=["fw"], sweeps={"s": sweep_entry(methods=None)})
    cells = experiment.sweeps(made)["s"].cells()
    assert {(seed, method) for seed, _, method, _ in cells} == {(5, "fw"), (6, "fw")}


def test_rows_name_the_method_a_variant_runs():
    made = config(variants=VARIANTS)
    row = experiment.row_description(made, 0, 1, "gmp_linear")
    assert (row["method"], row["base_method"], row["param_power"]) == ("gmp_linear", "gmp", 1)
    base = experiment.row_description(made, 0, 1, "base")
    assert base["base_method"] == "base" and not any(k.startswith("param_") for k in base)


STEP_DECAY = [{"epochs": 6, "learning_rate": 0.05}, {"epochs": 3, "learning_rate": 0.002}]


def test_without_a_schedule_the_train_settings_are_those_from_before_the_key():
    """A null learning_rate_steps (the default) reaches no params and no row: the default
    run's jobs keep the params they had before the key existed."""
    made = config()
    assert made["train"]["learning_rate_steps"] is None
    old = {"batch_size": 128, "learning_rate": 0.01, "momentum": 0.0}
    assert experiment.train_settings(made) == old
    assert list(experiment.train_settings(made)) == sorted(old)
    row = experiment.row_description(made, 0, 1, "fw")
    assert {k: v for k, v in row.items() if k.startswith("train_")} == {
        f"train_{k}": v for k, v in sorted(old.items())
    }


def test_a_schedule_reaches_the_jobs_and_replaces_the_rate_in_rows():
    made = config(train=DEFAULTS["train"] | {"learning_rate_steps": STEP_DECAY})
    assert experiment.train_settings(made)["learning_rate_steps"] == STEP_DECAY
    row = experiment.row_description(made, 0, 6, "base")
    assert row["train_learning_rate_steps"] == "1-6: 0.05, 7+: 0.002"
    assert "train_learning_rate" not in row


def test_controls_follow_what_the_methods_spend():
    made = config(methods=["magnitude", "fw", "magnitude_dense1"], variants=VARIANTS)
    assert experiment.controls(made) == ["dense+1", "dense+2", "dense+4"]
    assert experiment.last_pretraining_epoch(made) == 10 + 4
    assert experiment.controls(config(dense_matched=False)) == []


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"variants": {"gmp_fast": {"method": "gmp", "power": 20}}},
            "config variants.gmp_fast.power: 20 is greater than the maximum of 10",
        ),
        (
            {"variants": {"gmp_x": {"method": "gmp", "powr": 1}}},
            "config variants.gmp_x: Additional properties are not allowed",
        ),
        (
            {"variants": {"x": {"method": "lottery"}}},
            "config variants.x.method: 'lottery' is not one of",
        ),
        ({"variants": {"fw": {"method": "gmp"}}}, "config variants.fw: the name must be"),
        ({"variants": {"base": {"method": "gmp"}}}, "config variants.base: the name must be"),
        ({"methods": ["fw", "lottery"]}, "config methods: unknown ['lottery']"),
        (
            {"sweeps": {"s": sweep_entry(methods=["fw", "gmp_cubic"])}},
            "config sweeps.s.methods: unknown ['gmp_cubic']",
        ),
        (
            {"sweeps": {"s": sweep_entry(more_seeds=[{"seeds": [3], "methods": ["x"]}])}},
            "config sweeps.s.more_seeds[0].methods: unknown ['x']",
        ),
        (
            {"variants": {"gmp_late": {"method": "gmp", "sparsity_init": 0.9}}},
            "config variants.gmp_late.sparsity_init (0.9) must not exceed "
            "variants.gmp_late.sparsity_final (0.6)",
        ),
        ({"sweeps": {"seed_sweep": sweep_entry()}}, "config sweeps.seed_sweep: a sweep's name"),
        (
            {"sweeps": {"s": sweep_entry(settings={"scope": "channel"})}},
            "config sweeps.s.settings.scope: 'channel' is not one of",
        ),
        (
            {"sweeps": {"s": sweep_entry(settings={"granularty": "filter"})}},
            "config sweeps.s.settings: Additional properties are not allowed",
        ),
        ({"sweeps": {"figures": sweep_entry()}}, "config sweeps.figures: a sweep's name"),
        (
            {"sweeps": {"s": sweep_entry(compare_with=["t"])}},
            "config sweeps.s.compare_with: 't' is not another sweep",
        ),
    ],
)
def test_a_bad_config_names_its_key(changes, message):
    with pytest.raises(ValueError) as error:
        experiment.check(config(**changes))
    assert message in str(error.value)


def test_the_default_config_passes():
    experiment.check(config())


def test_the_files_a_target_needs():
    made = config(seeds=[0], budgets=[1, 2], methods=["fw"], sweeps={"s": sweep_entry()})
    # base, fw and its control dense+4 (each at both budgets)
    assert experiment.models(made) == ["base", "fw", "dense+4"]
    sweep = experiment.sweeps(made)["s"]
    cells = paths.cell_files(sweep, "metrics.tsv")
    assert len(cells) == len(sweep.cells()) == 8
    assert "results/s/seed0/budget10/fw/sparsity0.9/metrics.tsv" in cells
    assert paths.sweep_outputs(sweep) == ["results/s/sparsity.pdf", "results/s/verdicts.md"]
    timed = experiment.Sweep(**{**vars(sweep), "timing": True})
    assert "results/s/tradeoffs.md" in paths.sweep_outputs(timed)
    assert paths.base_tables([sweep, timed]) == [
        "results/seed0/budget1/base/metrics.tsv",
        "results/seed0/budget10/base/metrics.tsv",
    ]
