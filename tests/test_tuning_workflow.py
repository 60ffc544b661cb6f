"""Tuning through the real Snakefile (`snakemake tune_NAME`), on a copy of the finished
smoke run: a winner per cell, chosen on validation accuracy, and what reruns when the
number of trials or a method's search space changes."""

import shutil

import pandas as pd
import pytest
import yaml

from conftest import REPO, job, logged_jobs, run_snakemake
from fwprune.methods import REGISTRY

TUNING = yaml.safe_load((REPO / "tests" / "tuning.yaml").read_text())["sweeps"]["tuning"]
CONFIGS = ("--configfile", "tests/smoke.yaml", "tests/tuning.yaml")


@pytest.fixture(scope="module")
def tuned_run(smoke_run, tmp_path_factory):
    """The smoke run's copy with the tiny tuning of tests/tuning.yaml run in it."""
    workdir = tmp_path_factory.mktemp("tuning") / "run"
    shutil.copytree(smoke_run, workdir, symlinks=True)
    shutil.copy2(REPO / "tests" / "tuning.yaml", workdir / "tests" / "tuning.yaml")
    run_snakemake(workdir, "--cores", "2", *CONFIGS, "--", "tune_tuning")
    return workdir


def trial_jobs(method: str, trials: int) -> set[str]:
    cell = {"sweep": "tuning", "seed": 0, "budget": 2, "method": method, "sparsity": 0.9}
    return {
        job(rule, trial=t, **cell)
        for rule in ("tune_prune", "tune_finetune", "tune_evaluate")
        for t in range(trials)
    }


SELECTION = {job("tune_select", sweep="tuning"), job("tune_tuning")}


def test_each_cell_keeps_its_best_trial_by_validation_accuracy(tuned_run):
    trials = pd.read_csv(tuned_run / "results/tuning/tune/trials.tsv", sep="\t")
    assert sorted(trials["method"]) == ["fw", "fw", "magnitude", "magnitude"]
    assert trials[["validation_accuracy", "test_accuracy"]].notna().all().all()
    winners = yaml.safe_load((tuned_run / "results/tuning/tune/winners.yaml").read_text())
    for winner in winners:
        cell = trials[trials["method"] == winner["method"]]
        best = cell.loc[cell["validation_accuracy"].idxmax()]
        assert winner["trial"] == best["trial"]
        # The searched settings the trial used (fw's gamma only under constant steps).
        space = REGISTRY[winner["method"]].search_space
        used = {key for key in space if pd.notna(best.get(f"param_{key}"))}
        assert set(winner["settings"]) == used and used >= set(space) - {"gamma"}
        for key, value in winner["settings"].items():
            assert best[f"param_{key}"] == value


def planned(workdir, *extra: str) -> set[str]:
    dry = run_snakemake(workdir, "-n", *CONFIGS, *extra, "--", "tune_tuning")
    return logged_jobs(dry.stdout)


def test_a_finished_tuning_plans_nothing(tuned_run):
    assert planned(tuned_run) == set()


def test_more_trials_rerun_every_trial_of_the_sweep(tuned_run, tmp_path):
    # A Latin hypercube of K + 1 points is a new design: every trial gets a new point.
    changed = tmp_path / "more.yaml"
    changed.write_text(yaml.safe_dump({"sweeps": {"tuning": TUNING | {"tune": {"trials": 3}}}}))
    expected = trial_jobs("magnitude", 3) | trial_jobs("fw", 3) | SELECTION
    assert planned(tuned_run, str(changed)) == expected


def test_a_changed_search_space_reruns_its_methods_trials_alone(tuned_run, tmp_path):
    workdir = tmp_path / "run"
    shutil.copytree(tuned_run, workdir, symlinks=True)
    source = workdir / "workflow/scripts/fwprune/methods/fw.py"
    text = source.read_text()
    assert '"gamma": Range(0.05, 1.0, log=True)' in text
    source.write_text(text.replace('"gamma": Range(0.05, 1.0', '"gamma": Range(0.1, 1.0'))
    assert planned(workdir) == trial_jobs("fw", 2) | SELECTION
