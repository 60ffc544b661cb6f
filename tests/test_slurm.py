"""A small part of the smoke DAG through a real one-node SLURM cluster, with the repository's
`slurm` profile: budget 1 of the smoke config for its base model and two methods, from the
pruning on (the data and pre-training checkpoints are copied in). It has a job of every
kind the profile submits in its own way: alone (pruning), in a group of fine-tunes and
evaluations, in a group of timing jobs, each on a node of its own. Its numbers must equal
the local smoke run's. (It ran the whole smoke DAG before, 66 jobs in about 7 minutes of
CI's time: more jobs of these kinds, and the report group at the end, aggregate, plot,
claims, benchmarks.)
"""

import os
import re
import shutil
from collections import Counter

import pandas as pd
import pytest
import yaml

from conftest import (
    REPO,
    copy_from_run,
    copy_workflow,
    deterministic_part,
    job_stats,
    jobs_beside_timing_jobs,
    logged_jobs,
    run_snakemake,
)
from fwprune.paths import RUN
from slurm_cluster import job_endings, local_cluster, unavailable_reason, whole_node_jobs

SLURM_TIMEOUT = 10 * 60  # seconds; the run takes about 2 minutes on 2 cores
SLURM_FLAGS = (
    # The test cluster has no accounting database, so the executor has to poll squeue.
    "--slurm-status-command=squeue",
    # Look at the jobs 5 s after a submission, not 40 s (then 10 s later each time than the
    # time before, until one finished): these jobs take 10-30 s, not hours. The run is a
    # chain of 3 rounds of submissions, each waiting for one of these looks.
    "--slurm-init-seconds-before-status-checks=5",
)
# The executor logs each submission with its SLURM log file: .../slurm_logs/rule_RULE/...
# for a job, .../slurm_logs/group_GROUPID_RULE1_RULE2.../ for a group job.
SUBMITTED = re.compile(
    r"submitted with SLURM jobid (\d+) \(log: \S*/slurm_logs/(rule|group)_(\w+)/"
)
SMOKE = yaml.safe_load((REPO / "tests" / "smoke.yaml").read_text())

# The target: budget 1's base evaluation and two methods' metrics and timing tables. Nine
# jobs in three rounds of submissions, four sbatch calls (pre-training epoch 1 is copied in
# from the smoke run): the two prunes, one sbatch each, side by side; one group job
# short_s0_b1 for both fine-tunes and all three evaluations, three disconnected parts
# (the base evaluation, each method's fine-tune and evaluation) that `group-components`
# joins; one group job timing_s0_b1 for both timing jobs, one after the other.
# random prunes filters and trains in its fine-tune; gmp_linear, a variant, copies its
# pruned model (0 fine-tuning epochs).
SEED, BUDGET = SMOKE["seeds"][0], SMOKE["budgets"][0]
METHODS = ("random", "gmp_linear")
BUDGET_RUN = RUN.format(seed=SEED, budget=BUDGET)
TABLES = [
    f"{BUDGET_RUN}/base/metrics.tsv",
    *(
        f"{BUDGET_RUN}/{method}/{table}.tsv"
        for method in METHODS
        for table in ("metrics", "timing")
    ),
]


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


# A group job in a dry run: "Group job GROUPID (jobs in lexicogr. order):", then its
# members' details indented by 4, each with its "rule NAME:".
GROUP_JOB = re.compile(r"Group job (\S+) \(jobs in lexicogr\. order\):\n\n((?: {4}.*\n)+)")
MEMBER = re.compile(r"rule (\w+):")


def planned_groups(workdir) -> Counter:
    """Group jobs the rules' `group:` make of the targets' jobs (workflow/rules/stages.smk),
    as a dry run with the profile plans them, named as the executor names them,
    GROUPID_RULES (its jobs' rules)."""
    arguments = ("-n", *TABLES, "--profile", "slurm", "--configfile", "tests/smoke.yaml")
    dry_run = run_snakemake(workdir, *arguments).stdout
    return Counter(
        f"{groupid}_{'_'.join(sorted(set(MEMBER.findall(members))))}"
        for groupid, members in GROUP_JOB.findall(dry_run)
    )


def slurm_checkout(destination, smoke_run):
    """A fresh copy of the workflow and profile, with the smoke run's data and pre-training
    checkpoints (all of their jobs' outputs, benchmarks too, or Snakemake makes them again)."""
    workdir = copy_workflow(destination)
    shutil.copytree(REPO / "slurm", workdir / "slurm")
    return copy_from_run(smoke_run, workdir, "data", f"results/seed{SEED}/pretrain")


def table(workdir, path) -> pd.DataFrame:
    """A metrics or timing table of a run without its measurements (a timing table keeps
    only its keys and runtime)."""
    return deterministic_part(pd.read_csv(workdir / path, sep="\t"))


# Checked first, so that a machine without SLURM skips before the minutes of the smoke run.
@pytest.mark.usefixtures("slurm_available")
def test_smoke_budget_runs_through_slurm(cluster, smoke_run, tmp_path):
    workdir = slurm_checkout(tmp_path, smoke_run)
    expected_groups = planned_groups(workdir)
    result = run_snakemake(
        workdir,
        "--profile",
        "slurm",
        "--configfile",
        "tests/smoke.yaml",
        *SLURM_FLAGS,
        *TABLES,
        timeout=SLURM_TIMEOUT,
    )
    log = result.stdout + result.stderr
    submitted = SUBMITTED.findall(log)
    endings = job_endings(cluster)
    assert {endings.get(jobid) for jobid, _, _ in submitted} == {"WEXITSTATUS 0"}, endings
    planned = Counter(job_stats(log))
    jobs = logged_jobs(log)
    assert planned.total() == len(jobs), (planned, jobs)
    # A job of every kind the profile submits its own way: data and checkpoints were
    # copied in, so no download or pre-training (a job alone, as a prune is).
    assert set(planned) == {"prune", "finetune", "evaluate", "time_inference"}
    # Every job Snakemake planned went through sbatch (file targets: no target rule): an
    # ungrouped rule's jobs one by one, the grouped ones (their rules' `group:`) in one group
    # job per group id, here one for the fine-tunes and evaluations, one for the timing jobs.
    assert set(expected_groups) == {"short_s0_b1_evaluate_finetune", "timing_s0_b1_time_inference"}
    grouped = {"finetune", "evaluate", "time_inference"}
    alone = Counter({rule: n for rule, n in planned.items() if rule not in grouped})
    assert Counter(name for _, kind, name in submitted if kind == "rule") == alone
    groups = Counter(name for _, kind, name in submitted if kind == "group")
    assert groups == expected_groups
    # Grouping at least halves the sbatch calls (9 jobs, 4 submissions).
    assert len(submitted) <= planned.total() // 2, (len(submitted), planned)
    # The same numbers as the local smoke run's for the same files: both prunes and
    # fine-tunes and the evaluations ran as they do there.
    for path in TABLES:
        pd.testing.assert_frame_equal(table(workdir, path), table(smoke_run, path), obj=path)
    # The profile asks for a whole node per timing job (--exclusive), for no other job.
    timing = {jobid for jobid, _, name in submitted if "time_inference" in name}
    assert timing and {jobid for jobid, _, _ in submitted} & whole_node_jobs() == timing
    # No job ran beside a timing job. Here every other job is done before the timing group
    # starts, so this sees the group's two timing jobs run one after the other (`cores: 1`).
    assert jobs_beside_timing_jobs(workdir) == []
