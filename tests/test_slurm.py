"""The smoke DAG through a real one-node SLURM cluster, with the repository's `slurm` profile."""

import os
import re
import shutil
from collections import Counter

import pandas as pd
import pytest
import yaml

from conftest import (
    REPO,
    copy_workflow,
    deterministic_part,
    job_stats,
    jobs_beside_timing_jobs,
    run_snakemake,
)
from slurm_cluster import job_endings, local_cluster, unavailable_reason

SLURM_TIMEOUT = 20 * 60  # seconds; the run takes a few minutes on 2 cores
SLURM_FLAGS = (
    # The test cluster has no accounting database, so the executor has to poll squeue.
    "--slurm-status-command=squeue",
    # First look at a job after 10 s, not 40 s: these jobs take seconds, not hours.
    "--slurm-init-seconds-before-status-checks=10",
)
# The executor logs each submission with its SLURM log file: .../slurm_logs/rule_RULE/...
# for a job, .../slurm_logs/group_GROUPID_RULE1_RULE2.../ for a group job.
SUBMITTED = re.compile(
    r"submitted with SLURM jobid (\d+) \(log: \S*/slurm_logs/(rule|group)_(\w+)/"
)
PROFILE = yaml.safe_load((REPO / "slurm" / "config.yaml").read_text())
SMOKE = yaml.safe_load((REPO / "tests" / "smoke.yaml").read_text())


@pytest.fixture(scope="session")
def slurm_available():
    """Skip where no cluster can be started (fail instead on CI, which must run this)."""
    reason = unavailable_reason()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"CI has to run the SLURM test, but {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture
def cluster(slurm_available, tmp_path_factory, monkeypatch):
    # A SLURM_CONF from the environment would send the jobs to another cluster.
    monkeypatch.delenv("SLURM_CONF", raising=False)
    with local_cluster(tmp_path_factory.mktemp("slurm")) as home:
        yield home


def expected_groups(planned: Counter) -> Counter:
    """Group jobs the profile makes of the planned jobs: one per group id (a template's
    {seed} and {budget} filled in), named as the executor names them, GROUPID_RULES."""
    rules_by_template: dict[str, set[str]] = {}
    for rule, template in PROFILE["groups"].items():
        if planned[rule]:
            rules_by_template.setdefault(template, set()).add(rule)
    names = Counter()
    for template, rules in rules_by_template.items():
        members = "_".join(sorted(rules))
        ids = {
            template.format(seed=seed, budget=budget)
            for seed in SMOKE["seeds"]
            for budget in SMOKE["budgets"]
        }
        names.update(f"{groupid}_{members}" for groupid in ids)
    return names


def slurm_checkout(destination, smoke_run):
    """A fresh copy of the workflow and profile, with the smoke run's data (no download)."""
    workdir = copy_workflow(destination)
    shutil.copytree(REPO / "slurm", workdir / "slurm")
    # All of the download's outputs (its benchmark too), or Snakemake downloads again.
    shutil.copytree(smoke_run / "data", workdir / "data")
    return workdir


# Checked first, so that a machine without SLURM skips before the minutes of the smoke run.
@pytest.mark.usefixtures("slurm_available")
def test_smoke_dag_runs_through_slurm(cluster, smoke_run, smoke_metrics, tmp_path):
    workdir = slurm_checkout(tmp_path, smoke_run)
    result = run_snakemake(
        workdir,
        "--profile",
        "slurm",
        "--configfile",
        "tests/smoke.yaml",
        *SLURM_FLAGS,
        timeout=SLURM_TIMEOUT,
    )
    log = result.stdout + result.stderr
    submitted = SUBMITTED.findall(log)
    endings = job_endings(cluster)
    assert {endings.get(jobid) for jobid, _, _ in submitted} == {"WEXITSTATUS 0"}, endings
    planned = Counter(job_stats(log))
    assert "download" not in planned  # the data was copied in
    # Every job Snakemake planned went through sbatch, but `all`, which has nothing to run:
    # an ungrouped rule's jobs one by one, the grouped ones (slurm/config.yaml) in one group
    # job per group id, e.g. one per seed and budget for the evaluations and fine-tunes.
    grouped = set(PROFILE["groups"])
    alone = Counter({rule: n for rule, n in planned.items() if rule not in grouped})
    assert Counter(name for _, kind, name in submitted if kind == "rule") == alone - Counter(all=1)
    groups = Counter(name for _, kind, name in submitted if kind == "group")
    assert groups == expected_groups(planned)
    # Smoke DAG (data copied in, no download): grouping at least halves the sbatch calls.
    ungrouped_submissions = planned.total() - 1
    assert len(submitted) <= ungrouped_submissions // 2, (len(submitted), ungrouped_submissions)
    metrics = pd.read_parquet(workdir / "results" / "metrics.parquet")
    pd.testing.assert_frame_equal(deterministic_part(metrics), deterministic_part(smoke_metrics))
    # The profile asks for a whole node per timing job (--exclusive); the cluster has one.
    assert jobs_beside_timing_jobs(workdir) == []
