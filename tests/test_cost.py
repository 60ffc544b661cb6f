"""The cost ratio's arithmetic (benchmarks.cost) on a tiny fake run directory: no real run."""

import json
import re
from pathlib import Path

import pytest

from benchmarks.cost import (
    Cost,
    Job,
    examples_per_epoch,
    job_records,
    report,
    rule_of,
    snakemake_own_cpu,
    time_log_cpu,
)
from conftest import REPO

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
EXAMPLES = 60000  # per epoch
# (path without .benchmark.tsv, CPU seconds, epochs its work record gives; None: no record)
JOBS = [
    ("data/mnist.download", 3.0, None),
    ("results/seed0/pretrain/epoch1.pretrain", 14.0, 1),
    ("results/seed0/pretrain/epoch2.pretrain", 15.0, 1),
    ("results/seed0/budget1/fw/prune", 50.0, 4),
    ("results/seed0/budget1/fw/finetune", 1.0, 0),
    ("results/seed0/budget1/fw/evaluate", 5.0, None),
    ("results/seed0/budget1/base/evaluate", 5.0, None),
    ("results/seed0/budget1/fw/time_inference", 4.0, None),
    ("results/aggregate", 1.0, None),
    ("results/sweep/sweep_plot", 2.0, None),  # the sweep's plot: not counted either
    ("results/sweep/seed0/budget2/fw/sparsity0.9/sweep_prune", 99.0, 4),  # not by default
    ("results/filter_sweep/seed0/budget2/fw/sparsity0.5/sweep_prune", 99.0, 4),  # nor this
    ("results/filter_sweep/sweep_cost_plot", 2.0, None),  # nor the filter sweep's figure
]


def write_run(run: Path, exact: bool = False) -> Path:
    """The jobs' benchmark files and work records: as before work records held the CPU
    (only training jobs have one), or, `exact`, as now: every job's record holds its CPU,
    and its benchmark's sampled cpu_time is a third short of it."""
    for stem, cpu, epochs in JOBS:
        path = run / stem
        path.parent.mkdir(parents=True, exist_ok=True)
        sampled = cpu * 2 / 3 if exact else cpu
        path.with_name(path.name + ".benchmark.tsv").write_text(
            HEADER + f"99.0\t0:01:39\t1000\t3000\t700\t800\t0\t0\t60\t{sampled}\n"
        )
        work = {"epochs": epochs or 0, "examples": (epochs or 0) * EXAMPLES}
        if exact:
            work["cpu_seconds"] = cpu
        if epochs is not None or exact:
            path.with_name(path.name + ".work.json").write_text(json.dumps(work))
    return run


@pytest.mark.parametrize("exact", [False, True], ids=["sampled", "exact"])
def test_jobs_rules_cpu_and_epochs_from_benchmarks_and_work_records(tmp_path, exact):
    jobs = job_records(write_run(tmp_path, exact))
    assert len(jobs) == 9  # the sweep's left out
    by_rule = {job.rule: job for job in jobs}
    assert by_rule["prune"].cpu == 50.0 and by_rule["prune"].epochs == 4
    assert by_rule["time_inference"].cpu == 4.0
    assert sum(job.epochs for job in jobs) == 6
    assert len(job_records(tmp_path, with_sweep=True)) == 13
    assert examples_per_epoch(jobs) == EXAMPLES


def test_epochs_of_different_sizes_are_refused(tmp_path):
    jobs = job_records(write_run(tmp_path))
    odd = tmp_path / "results/seed0/budget1/fw/finetune.work.json"
    odd.write_text(json.dumps({"epochs": 1, "examples": 3000}))
    with pytest.raises(ValueError, match="different numbers of examples"):
        examples_per_epoch(job_records(tmp_path))
    assert examples_per_epoch([job for job in jobs if job.rule == "download"]) is None


@pytest.mark.parametrize("exact", [False, True], ids=["sampled", "exact"])
def test_ratio_and_where_the_rest_goes(tmp_path, exact):
    jobs = job_records(write_run(tmp_path, exact))
    assert all(job.exact == exact for job in jobs)
    cost = Cost(jobs, snakemake_cpu=12.0, plain_epoch_cpu=10.0, job_fixed_cpu=4.0)
    assert cost.jobs_cpu == 98.0
    assert cost.training_cpu == 60.0  # 6 epochs × 10 s
    assert cost.ratio == pytest.approx((98.0 + 12.0) / 60.0)
    rows = {row["rule"]: row for row in cost.by_rule()}
    assert rows["prune"] == {"rule": "prune", "jobs": 1, "cpu": 50.0, "epochs": 4,
                                  "training": 40.0, "rest": 10.0, "fixed": 4.0}  # fmt: skip
    assert rows["evaluate"]["jobs"] == 2 and rows["evaluate"]["rest"] == 10.0
    assert rows["evaluate"]["fixed"] == 8.0
    assert sum(row["rest"] for row in rows.values()) == pytest.approx(98.0 - 60.0)
    text = report(cost)
    assert "**1.833**" in text and "not met" in text
    assert "| Snakemake (own) | 0 | 12 |" in text
    assert "| **all** | 9 | 110 |" in text


def test_snakemake_own_is_all_snakemake_when_every_job_recorded_its_cpu(tmp_path):
    jobs = job_records(write_run(tmp_path, exact=True))
    assert sum(job.unsampled_cpu for job in jobs) == 0  # no estimate for a recorded job
    text = report(Cost(jobs, snakemake_cpu=12.0, plain_epoch_cpu=10.0))
    assert "Every job's CPU is its own work record" in text and "unsampled" not in text


def test_sampled_jobs_tail_is_estimated_apart_from_snakemake(tmp_path):
    """Records without CPU (docs/runs/cost-grid's): the benchmark's samples, and the
    estimated CPU after the last of them named apart from Snakemake's processes."""
    jobs = job_records(write_run(tmp_path))
    tail = sum(job.unsampled_cpu for job in jobs)  # 99-s jobs, last sampled at 75 s
    assert tail == pytest.approx(98.0 * 24 / 75)
    text = report(Cost(jobs, snakemake_cpu=12.0 + tail, plain_epoch_cpu=10.0))
    assert f"about {tail:.0f} s is the jobs' CPU after" in text
    assert "the other 12 s (1.33 s per job) Snakemake's processes" in text
    assert "recorded no CPU" not in text


def test_a_run_mixing_recorded_and_sampled_jobs_says_how_many_are_which(tmp_path):
    write_run(tmp_path, exact=True)
    (tmp_path / "results/aggregate.work.json").unlink()
    jobs = job_records(tmp_path)
    assert [job.rule for job in jobs if not job.exact] == ["aggregate"]
    assert sum(job.cpu for job in jobs) == pytest.approx(98.0 - 1.0 / 3)
    text = report(Cost(jobs, snakemake_cpu=12.0, plain_epoch_cpu=10.0))
    assert text.count("1 of the 9 jobs recorded no CPU of their own") == 1


@pytest.mark.parametrize(
    ("seconds", "last_sample"),
    [(14.0, None), (44.0, 15.0), (45.0, 45.0), (100.0, 75.0)],  # samples: 0.5 s to 15, then 30
)
def test_cpu_after_the_last_benchmark_sample_at_the_mean_rate(seconds, last_sample):
    job = Job("prune", cpu=60.0, epochs=0, examples=0, seconds=seconds)
    expected = 0.0 if last_sample is None else (seconds - last_sample) * 60.0 / last_sample
    assert job.unsampled_cpu == pytest.approx(expected)


def test_snakemake_own_cpu_is_the_total_minus_the_jobs(tmp_path):
    time_log = tmp_path / "time.txt"
    time_log.write_text(
        '\tCommand being timed: "snakemake --cores 8"\n'
        "\tUser time (seconds): 1400.50\n\tSystem time (seconds): 100.25\n"
    )
    assert time_log_cpu(time_log.read_text()) == 1500.75
    assert snakemake_own_cpu(1400.0, time_log=time_log) == pytest.approx(100.75)
    assert snakemake_own_cpu(1400.0, total=1500.0) == 100.0
    assert snakemake_own_cpu(1400.0, own=42.0) == 42.0
    with pytest.raises(ValueError):
        snakemake_own_cpu(1400.0)


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("results/seed0/pretrain/epoch12.pretrain.benchmark.tsv", "pretrain"),
        ("data/fashion_mnist.download.benchmark.tsv", "download"),
        ("results/seed1/budget3/gmp/time_inference.benchmark.tsv", "time_inference"),
        ("results/figures/plot.benchmark.tsv", "plot"),
        (
            "results/sweep/seed0/budget1/fw/sparsity0.5/sweep_evaluate.benchmark.tsv",
            "sweep_evaluate",
        ),
        ("results/filter_sweep/sweep_cost_plot.benchmark.tsv", "sweep_cost_plot"),
    ],
)
def test_rule_of_a_benchmark_file(path, rule):
    assert rule_of(Path(path)) == rule


RULE = re.compile(r"^(?:rule (\w+):|use rule \w+ as (\w+) with:)\n(.*?)(?=^\S|\Z)", re.M | re.S)
RECORDS = re.compile(r"^    (?:log|benchmark):\n((?:        .*\n)+)", re.M)
RECORD_PATH = re.compile(r"^        (?:\w+=)?f?\"([^\"]+)\"", re.M)
RECORD_SUFFIXES = (".log", ".work.json", ".benchmark.tsv")


def test_every_job_has_a_log_work_record_and_benchmark_named_by_its_rule():
    """What benchmarks.cost reads from a path: [STEM.]RULE.log, [STEM.]RULE.work.json and
    [STEM.]RULE.benchmark.tsv, each of them declared by every rule that runs a job."""
    records = {}
    for rules in (REPO / "workflow" / "rules").glob("*.smk"):
        for plain, derived, body in RULE.findall(rules.read_text()):
            name = plain or derived
            for block in RECORDS.findall(body):
                for path in RECORD_PATH.findall(block):
                    suffix = next((s for s in RECORD_SUFFIXES if path.endswith(s)), None)
                    assert suffix, path
                    stem = path.removesuffix(suffix)
                    assert rule_of(Path(stem + ".benchmark.tsv")) == name, path
                    records.setdefault(name, set()).add(suffix)
    assert len(records) >= 19  # the rules that run a job
    assert records == dict.fromkeys(records, set(RECORD_SUFFIXES))


# Committed runs: a folder under docs/runs/ with a cost.md, made from its records/, its
# time.txt and plain_epoch_cpu.txt (the plain epoch its report used, s of CPU; the run's
# README says where it comes from).
COMMITTED_RUNS = sorted(path.parent for path in (REPO / "docs/runs").rglob("cost.md"))


def test_the_runs_behind_performance_md_are_found():
    names = {str(run.relative_to(REPO / "docs/runs")) for run in COMMITTED_RUNS}
    assert {"cost-grid", "scheduler-smoke/ilp", "scheduler-smoke/greedy"} <= names


@pytest.mark.parametrize("folder", COMMITTED_RUNS, ids=lambda folder: folder.name)
def test_a_committed_run_cost_is_what_its_records_give(folder):
    """docs/runs/RUN/cost.md, which docs/performance.md quotes, from the run's committed
    benchmark and work records, time log and plain epoch."""
    jobs = job_records(folder / "records")
    own = snakemake_own_cpu(sum(job.cpu for job in jobs), time_log=folder / "time.txt")
    plain_epoch = float((folder / "plain_epoch_cpu.txt").read_text())
    assert report(Cost(jobs, own, plain_epoch)) + "\n" == (folder / "cost.md").read_text()
