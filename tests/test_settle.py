"""Settling a sweep: the cells each look adds, the report, and `snakemake settle_NAME`
(the DAG by dry run; a tiny real run resumed after a look was cut short)."""

import itertools
import shutil

import pandas as pd
import pytest

from conftest import REPO, copy_workflow, job, logged_jobs, planned_jobs, run_snakemake
from fwprune import settle

SETTINGS = {"alpha": 0.05, "equivalence_margin": 0.005, "collapsed_below": 0.2}
PARAMS = {
    "schedule": {"first": 3, "round": 3, "cap": 9},
    "seeds": list(range(9)),
    "comparisons": None,
}
# Per-seed accuracy: fw far above magnitude on every seed (decided at 3 seeds), fw and gmp
# apart by noise whose sign changes (undecided).
ACCURACY = {
    "fw": [0.950, 0.951, 0.949, 0.950, 0.951, 0.949],
    "gmp": [0.960, 0.940, 0.955, 0.945, 0.958, 0.941],
    "magnitude": [0.900, 0.900, 0.899, 0.900, 0.901, 0.900],
}


def sweep_table(seeds_of) -> pd.DataFrame:
    """One cell (budget 1, sparsity 0.9), each method at the seeds `seeds_of` gives it."""
    rows = [
        {
            "budget": 1,
            "target_sparsity": 0.9,
            "seed": seed,
            "method": method,
            "base_method": method,
            "test_accuracy": ACCURACY[method][seed],
        }
        for method in ACCURACY
        for seed in seeds_of(method)
    ]
    return pd.DataFrame(rows)


def test_the_next_look_gives_seeds_to_both_cells_of_each_undecided_comparison_only():
    first = settle.plan(sweep_table(lambda method: range(3)), PARAMS, SETTINGS, look=0)
    assert first["undecided"] == [[1, 0.9, "fw", "gmp"]]
    expected = sorted(itertools.product((3, 4, 5), (1,), ("fw", "gmp"), (0.9,)))
    assert [tuple(cell) for cell in first["next"]] == expected


def test_a_look_judges_only_the_comparisons_that_took_part_in_it():
    seeds_of = {"fw": range(6), "gmp": range(6), "magnitude": range(3)}
    second = settle.plan(sweep_table(seeds_of.get), PARAMS, SETTINGS, look=1)
    assert second["seeds"] == 6 and second["undecided"] == [[1, 0.9, "fw", "gmp"]]
    assert {cell[0] for cell in second["next"]} == {6, 7, 8}
    # After the last look there is no next one, undecided or not.
    params = PARAMS | {"schedule": {"first": 3, "round": 3, "cap": 6}}
    assert settle.plan(sweep_table(seeds_of.get), params, SETTINGS, look=1)["next"] == []


def test_chosen_comparisons_replace_the_fw_against_baseline_ones():
    params = PARAMS | {"comparisons": ["fw:magnitude"]}
    assert settle.plan(sweep_table(lambda method: range(3)), params, SETTINGS, 0)["next"] == []


def test_the_report_names_each_comparisons_seeds_and_verdict():
    seeds_of = {"fw": range(6), "gmp": range(6), "magnitude": range(3)}
    text = settle.report(sweep_table(seeds_of.get), PARAMS, SETTINGS)
    rows = {line.split("|")[3].strip(): line for line in text.splitlines() if " − " in line}
    assert "| 3 |" in rows["fw − magnitude"] and "**better**" in rows["fw − magnitude"]
    assert "| 6 |" in rows["fw − gmp"] and "undecided" in rows["fw − gmp"]
    assert "looks at 3, 6, 9 seeds" in text


CONFIGS = ("--configfile", "tests/smoke.yaml", "tests/settle.yaml")


def test_settle_plans_the_first_look_for_every_configured_sweep(tmp_path):
    workdir = copy_workflow(tmp_path)
    shutil.copy2(REPO / "tests" / "settle.yaml", workdir / "tests" / "settle.yaml")
    planned = planned_jobs(workdir, "settle_settling", configfiles=CONFIGS[1:])
    # The first look: both methods at seeds 0 and 1, judged by one checkpoint; later looks
    # are planned once it has run.
    assert planned["sweep_evaluate"] == 4 and planned["settle_look"] == 1
    assert planned["pretrain"] == 2


@pytest.fixture(scope="module")
def settled_run(tmp_path_factory):
    """The tiny settled sweep of tests/settle.yaml run to its end (its own data copy)."""
    data = REPO / "data" / "mnist.npz"
    if not data.exists():
        pytest.skip("data/mnist.npz is not here (copy it as README says)")
    workdir = copy_workflow(tmp_path_factory.mktemp("settle"))
    shutil.copy2(REPO / "tests" / "settle.yaml", workdir / "tests" / "settle.yaml")
    (workdir / "data").mkdir()
    shutil.copy2(data, workdir / "data" / "mnist.npz")
    run_snakemake(workdir, "--cores", "2", *CONFIGS, "--", "settle_settling", timeout=LONG)
    return workdir


CELL = "results/settling/seed{seed}/budget1/{method}/sparsity0.9"
LONG = 45 * 60  # seconds: about 25 jobs, most of them a TensorFlow start, on a loaded machine


def test_a_look_cut_short_resumes_without_rerunning_finished_seeds(settled_run):
    folder = settled_run / "results" / "settling"
    # Three seeds at the cap: the 2-seed look cannot decide, so seed 2 was added.
    table = pd.read_csv(folder / "settle" / "metrics.tsv", sep="\t")
    assert sorted(table["seed"].unique()) == [0, 1, 2]
    finished = sorted(folder.glob("seed*/budget1/*/sparsity0.9/metrics.tsv"))
    assert len(finished) == 6
    # Cut the last look short, as a kill leaves it: random's seed-2 cell unfinished, the last
    # judgement and the report not made.
    cut = settled_run / CELL.format(seed=2, method="random")
    unmade = ["look1.json", "verdicts.md", "metrics.tsv"]
    for path in [*cut.glob("finetuned.*"), cut / "metrics.tsv"]:
        path.unlink()
    for name in unmade:
        (folder / "settle" / name).unlink()
    kept = {path: path.stat().st_mtime_ns for path in finished if path.parent != cut}
    run_snakemake(settled_run, "--cores", "2", *CONFIGS, "--", "settle_settling", timeout=LONG)
    rerun = sorted(settled_run.glob(".snakemake/log/*.snakemake.log"))[-1]
    cell = {"sweep": "settling", "seed": 2, "budget": 1, "method": "random", "sparsity": 0.9}
    expected = {job(rule, **cell) for rule in ("sweep_finetune", "sweep_evaluate")}
    expected |= {
        job("settle_look", sweep="settling", look=1),
        job("settle_report", sweep="settling"),
        job("settle_settling"),
    }
    assert logged_jobs(rerun.read_text()) == expected
    assert {path: path.stat().st_mtime_ns for path in kept} == kept
    assert (cut / "metrics.tsv").exists()
