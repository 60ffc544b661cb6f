"""Tuning (fwprune.tuning, and the sweeps' `tune` and `tuned` in fwprune.experiment): the
sampler stays inside each method's declared space, the same K for every method; the winner
is chosen on validation accuracy alone; a space is checked against its method's schema."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from test_experiment import config, sweep_entry

from fwprune import doctables, experiment, tuning
from fwprune.methods import REGISTRY, Method
from fwprune.tuning import Choice, Range

TUNED_METHODS = ["magnitude", "fw", "fw_momentum", "gmp", "random"]


def tuned_config(trials=8, seed=1000, **entry) -> dict:
    changes = {"methods": TUNED_METHODS, "tune": {"trials": trials, "seed": seed}} | entry
    return config(sweeps={"tuned": sweep_entry(**changes)})


def inside(dimension, value) -> bool:
    if isinstance(dimension, Choice):
        return value in dimension.options
    return dimension.low <= value <= dimension.high and (
        isinstance(value, int) if dimension.integer else isinstance(value, float)
    )


def test_every_method_gets_k_settings_inside_its_declared_space():
    made = tuned_config(trials=8)
    sweep = experiment.sweeps(made)["tuned"]
    for method in TUNED_METHODS:
        space = REGISTRY[method].search_space
        points = sweep.trial_points(made, method)
        assert len(points) == 8 and len({repr(p) for p in points}) == 8
        for point in points:
            assert set(point) == set(space)
            assert all(inside(space[key], value) for key, value in point.items()), point


def test_a_latin_hypercube_puts_one_point_in_each_of_k_strata_of_every_range():
    space = {"a": Range(0.0, 1.0), "b": Range(1.0, 100.0, log=True)}
    points = tuning.draw(space, 10, seed=3)
    # Each key's K values fall one in each tenth of its (log) range: an even cover that a
    # plain random draw of 10 would give with probability 10!/10^10.
    for key, unit in (("a", lambda v: v), ("b", lambda v: math.log10(v) / 2)):
        strata = sorted(int(unit(point[key]) * 10) for point in points)
        assert strata == list(range(10)), (key, strata)


def test_the_same_space_count_and_seed_give_the_same_settings_and_a_new_seed_others():
    space = REGISTRY["fw"].search_space
    assert tuning.draw(space, 8, 1) == tuning.draw(space, 8, 1)
    assert tuning.draw(space, 8, 1) != tuning.draw(space, 8, 2)


def test_trials_differ_only_in_the_searched_settings_and_train_equally_long():
    made = tuned_config(trials=4)
    sweep = experiment.sweeps(made)["tuned"]
    epochs = sweep.training_epochs(made)
    for method in TUNED_METHODS:
        cell = sweep.cell_settings(made, method, 0.9, budget=1)
        space = REGISTRY[method].search_space
        for trial in range(4):
            settings = sweep.cell_settings(made, method, 0.9, budget=1, trial=trial)
            assert experiment.epochs_spent(made, method, settings) == epochs
            changed = {k for k in settings.keys() | cell.keys() if settings.get(k) != cell.get(k)}
            # sparsity_init is capped at the target; gamma drops out under harmonic.
            assert changed <= set(space), (method, changed)


def test_winners_are_chosen_by_validation_accuracy_never_by_test_accuracy():
    trials = [
        {
            "budget": 1,
            "method": "fw",
            "target_sparsity": 0.9,
            "trial": 0,
            "validation_accuracy": 0.90,
            "test_accuracy": 0.99,
        },
        {
            "budget": 1,
            "method": "fw",
            "target_sparsity": 0.9,
            "trial": 1,
            "validation_accuracy": 0.95,
            "test_accuracy": 0.80,
        },
        {
            "budget": 1,
            "method": "fw",
            "target_sparsity": 0.9,
            "trial": 2,
            "validation_accuracy": 0.95,
            "test_accuracy": 0.85,
        },
        {
            "budget": 1,
            "method": "gmp",
            "target_sparsity": 0.9,
            "trial": 0,
            "validation_accuracy": 0.50,
            "test_accuracy": 0.97,
        },
    ]
    winning = tuning.winners(trials, tuning.CELL_KEYS)
    # The best validation accuracy wins; of two equal, the lower trial number.
    assert [(w["method"], w["trial"]) for w in winning] == [("fw", 1), ("gmp", 0)]


def test_winners_round_trip_through_their_table(tmp_path):
    winning = [
        {
            "budget": 6,
            "method": "fw",
            "target_sparsity": 0.9,
            "trial": 3,
            "validation_accuracy": 0.98,
            "param_gamma": 0.3,
            "param_learning_rate": 0.02,
            "param_step_size": "constant",
            "param_subsample": 512,
            "param_iterations": 4,
        },
        # Under harmonic steps gamma is unused: the row has no param_gamma.
        {
            "budget": 6,
            "method": "fw",
            "target_sparsity": 0.98,
            "trial": 1,
            "validation_accuracy": 0.9,
            "param_learning_rate": 0.01,
            "param_step_size": "harmonic",
            "param_subsample": 256,
        },
    ]
    searched = {"fw": ["gamma", "learning_rate", "step_size", "subsample"]}
    tuning.write_winners(winning, searched, tmp_path / "winners.yaml")
    read = tuning.read_winners(tmp_path / "winners.yaml")
    assert read == {
        (6, "fw", 0.9): {
            "gamma": 0.3,
            "learning_rate": 0.02,
            "step_size": "constant",
            "subsample": 512,
        },
        (6, "fw", 0.98): {"learning_rate": 0.01, "step_size": "harmonic", "subsample": 256},
    }


def test_a_sweep_with_winners_runs_each_cell_with_its_own_winner(tmp_path):
    table = tmp_path / "winners.yaml"
    entries = [
        {
            "budget": b,
            "method": m,
            "target_sparsity": p,
            "trial": 0,
            "validation_accuracy": 0.9,
            "settings": {"learning_rate": 0.001 * (i + 1)},
        }
        for i, (b, m, p) in enumerate(
            [(1, "magnitude", 0.8), (1, "magnitude", 0.9), (1, "fw", 0.8), (1, "fw", 0.9)]
        )
    ]
    table.write_text(yaml.safe_dump(entries))
    made = config(sweeps={"tuned": sweep_entry(budgets=[1], tuned=str(table))})
    experiment.check(made)
    sweep = experiment.sweeps(made)["tuned"]
    assert sweep.cell_settings(made, "fw", 0.9, budget=1)["learning_rate"] == 0.004
    assert sweep.cell_settings(made, "magnitude", 0.8, budget=1)["learning_rate"] == 0.001
    train = experiment.method_training(made, sweep.cell_settings(made, "fw", 0.8, budget=1))
    assert train["learning_rate"] == 0.003
    table.write_text(yaml.safe_dump(entries[:3]))
    with pytest.raises(ValueError, match=r"sweeps.tuned.tuned: .* no winner for .*'fw', 0.9"):
        experiment.check(made)


def test_tuning_a_method_without_a_search_space_is_refused(monkeypatch):
    untunable = dataclasses.replace(REGISTRY["gmp"], search_space={})
    monkeypatch.setitem(REGISTRY, "gmp", untunable)
    with pytest.raises(ValueError, match="sweeps.tuned.tune: method 'gmp' declares no search"):
        experiment.check(tuned_config(trials=2))
    # Untuned, the same sweep is fine.
    experiment.check(tuned_config(trials=0))


@pytest.mark.parametrize(
    "space, message",
    [
        ({"learning_rate": Range(0.001, 20.0, log=True)}, "learning_rate = 20.0"),
        ({"retrain_epochs": Range(1, 3, integer=True)}, "changes the epochs"),
        ({"step_size": Choice(("harmonic", "armijo"))}, "step_size = 'armijo'"),
        ({"lottery": Range(0.0, 1.0)}, "'lottery' is no setting"),
    ],
)
def test_a_search_space_outside_its_methods_schema_is_refused(space, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(REGISTRY["fw"], search_space=space)


def test_a_method_learning_rate_replaces_the_runs_rate_and_schedule():
    steps = [{"epochs": 2, "learning_rate": 0.05}]
    made = config()
    made["train"] = made["train"] | {"learning_rate_steps": steps}
    assert experiment.method_training(made, {"learning_rate": None}) == (
        experiment.train_settings(made)
    )
    train = experiment.method_training(made, {"learning_rate": 0.02})
    assert train["learning_rate"] == 0.02 and "learning_rate_steps" not in train
    # Unset, it reaches no job's params (so adding the key reran nothing).
    assert "learning_rate" not in experiment.used_settings({"learning_rate": None, "a": 1})


def test_a_method_sgd_momentum_replaces_the_runs_momentum_alone():
    steps = [{"epochs": 2, "learning_rate": 0.05}]
    made = config()
    made["train"] = made["train"] | {"learning_rate_steps": steps, "momentum": 0.0}
    train = experiment.method_training(made, {"learning_rate": None, "sgd_momentum": 0.9})
    assert train == experiment.train_settings(made) | {"momentum": 0.9}
    assert experiment.method_training(made, {"sgd_momentum": 0.0})["momentum"] == 0.0
    assert "sgd_momentum" not in experiment.used_settings({"sgd_momentum": None, "a": 1})
    assert experiment.used_settings({"sgd_momentum": 0.0}) == {"sgd_momentum": 0.0}


def test_registered_methods_construct_with_their_spaces():
    assert all(isinstance(m, Method) and m.search_space for m in REGISTRY.values())


def sweep_rows(differences: dict[str, float], seeds=6) -> pd.DataFrame:
    """A one-cell sweep table: gmp at 0.95 with a little seed noise, each other method
    `differences[method]` above it on every seed (so each difference is exact)."""
    noise = np.linspace(-0.001, 0.001, seeds)
    rows = [
        {"budget": 6, "target_sparsity": 0.9, "seed": s, "method": m, "test_accuracy": a}
        for s in range(seeds)
        for m, a in [("gmp", 0.95 + noise[s])]
        + [(m, 0.95 + noise[s] + d + 0.0005 * (-1) ** s) for m, d in differences.items()]
    ]
    return pd.DataFrame(rows)


def test_the_changes_table_puts_each_pairs_verdict_before_and_after_side_by_side(tmp_path):
    before, after = tmp_path / "before.tsv", tmp_path / "after.tsv"
    sweep_rows({"fw": -0.03, "magnitude": 0.0}).to_csv(before, sep="\t", index=False)
    sweep_rows({"fw": 0.0, "magnitude": 0.0}).to_csv(after, sep="\t", index=False)
    lines = doctables.changes_table("fw:gmp,magnitude:gmp", before, after).splitlines()[2:]
    assert len(lines) == 2
    fw, magnitude = (line.split(" | ") for line in lines)
    assert fw[2] == "fw − gmp" and (fw[4], fw[6], fw[7]) == ("worse", "**equivalent**", "yes |")
    assert magnitude[2] == "magnitude − gmp" and magnitude[4] == "equivalent"
    assert magnitude[7] == "no |"


def test_the_trials_table_shows_each_cells_spread_and_its_winner(tmp_path):
    trials = pd.DataFrame(
        {
            "budget": 6,
            "method": "fw",
            "target_sparsity": 0.9,
            "trial": [0, 1, 2],
            "validation_accuracy": [0.91, 0.97, 0.93],
            "test_accuracy": [0.99, 0.96, 0.92],
        }
    )
    trials.to_csv(tmp_path / "trials.tsv", sep="\t", index=False)
    winning = tuning.winners(trials.to_dict("records"), tuning.CELL_KEYS)
    winning[0] |= {"param_gamma": 0.25}
    tuning.write_winners(winning, {"fw": ["gamma"]}, tmp_path / "winners.yaml")
    table = doctables.trials_table(tmp_path / "trials.tsv", tmp_path / "winners.yaml")
    row = table.splitlines()[2]
    assert row == "| 6 | 0.9 | fw | 3 | 0.9100 | 0.9300 | 0.9700 | 1 | 0.9600 | gamma 0.25 |"
