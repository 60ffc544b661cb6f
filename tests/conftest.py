"""Shared fixtures: a copy of the workflow in a temporary directory, and one smoke run."""

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_FILES = ("Snakefile", "config.yaml", "profiles", "workflow", "envs", "tests/smoke.yaml")
SMOKE_TIMEOUT = 15 * 60  # seconds; the smoke DAG takes about one minute on 2 cores


def copy_workflow(destination: Path) -> Path:
    """Copy what a user clones (no results, no data) into `destination`."""
    for name in WORKFLOW_FILES:
        source, target = REPO / name, destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(
                source, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy2(source, target)
    return destination


def copy_from_run(run: Path, workdir: Path, *parts: str) -> Path:
    """Copy finished outputs of `run` (folders such as `data`) into `workdir`, their mtimes
    kept, so that Snakemake there takes them as done. Only for outputs made with the same
    settings: without Snakemake's metadata, a changed param would not rerun them."""
    for part in parts:
        shutil.copytree(run / part, workdir / part)
    return workdir


def run_snakemake(workdir: Path, *arguments: str, timeout: float = SMOKE_TIMEOUT, check=True):
    """Run the real Snakemake command line in `workdir`; its library is the copied one."""
    environment = dict(os.environ, PYTHONPATH=str(workdir / "workflow" / "scripts"))
    command = [sys.executable, "-m", "snakemake", *arguments]
    result = subprocess.run(
        command, cwd=workdir, env=environment, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
        )
    return result


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """The whole DAG of tests/smoke.yaml run once, locally, in a fresh directory."""
    workdir = copy_workflow(tmp_path_factory.mktemp("smoke"))
    run_snakemake(workdir, "--cores", "2", "--configfile", "tests/smoke.yaml")
    return workdir


@pytest.fixture
def finished_copy(smoke_run, tmp_path):
    """A private copy of the finished smoke run, Snakemake's metadata and mtimes included."""
    shutil.copytree(smoke_run, tmp_path / "run", symlinks=True)
    return tmp_path / "run"


@pytest.fixture(scope="session")
def smoke_sweep(smoke_run) -> Path:
    """The finished smoke run with its sparsity sweep run too."""
    run_snakemake(smoke_run, "--cores", "2", "sweep", "--configfile", "tests/smoke.yaml")
    return smoke_run


@pytest.fixture(scope="session")
def smoke_filter_sweep(smoke_sweep) -> Path:
    """The finished smoke run and sweep with the filter sweep and its figure run too."""
    run_snakemake(smoke_sweep, "--cores", "2", "filter_sweep", "--configfile", "tests/smoke.yaml")
    return smoke_sweep


@pytest.fixture(scope="session")
def smoke_metrics(smoke_run) -> pd.DataFrame:
    return pd.read_parquet(smoke_run / "results" / "metrics.parquet")


def job_stats(log: str) -> dict[str, int]:
    """Rule -> job count from the "Job stats" table Snakemake prints ({} if none)."""
    table = re.search(r"Job stats:\n(.*?)\n\n", log + "\n\n", re.S)
    if table is None:
        return {}
    rows = [line.split() for line in table.group(1).splitlines()[2:]]
    return {rule: int(count) for rule, count in rows if rule != "total"}


def planned_jobs(workdir, *targets, configfiles=("tests/smoke.yaml",)) -> dict[str, int]:
    """Rule -> job count of a dry run ({} when there is nothing to do)."""
    result = run_snakemake(workdir, "-n", *targets, "--configfile", *configfiles)
    return job_stats(result.stdout)


def job(rule: str, **wildcards) -> str:
    """A job as the tests name it: rule, then its wildcards in name order."""
    return " ".join([rule, *(f"{key}={value}" for key, value in sorted(wildcards.items()))])


# A job in Snakemake's output or log: "rule NAME:" (or "localrule", "checkpoint"), then, among its
# details, indented 4 more, "wildcards: a=1, b=2" when it has any. A group job's members
# (a run with job groups) are listed indented by 4 under "Group job GROUPID (...):".
JOB = re.compile(r"^( *)(?:local)?(?:rule|checkpoint) (\w+):\n((?:\1    .*\n)*)", re.M)
WILDCARDS = re.compile(r"^ +wildcards: (.*)$", re.M)


def logged_jobs(output: str) -> set[str]:
    """The jobs Snakemake's output or log names (planned by a dry run, run by a run)."""
    jobs = set()
    for _, rule, details in JOB.findall(output):
        found = WILDCARDS.search(details)
        pairs = found.group(1).split(", ") if found else []
        jobs.add(job(rule, **dict(pair.split("=", 1) for pair in pairs)))
    return jobs


def deterministic_part(frame: pd.DataFrame) -> pd.DataFrame:
    """The metrics without what differs between any two runs: wall-clock measurements, and
    the `.keras` file's size, which holds its save date (Keras' metadata.json), so that
    its bytes and their gzip differ by a few bytes from run to run."""
    measured = [
        c
        for c in frame
        # the int8 twin's timing columns as the float32 twin's (int8_inference_time_...)
        if c.removeprefix("int8_").startswith(("inference_time", "model_bytes", "model_gzip"))
        or c.endswith("latency_ms")
    ]
    return frame.drop(columns=measured).sort_values(KEYS).reset_index(drop=True)


KEYS = ["seed", "budget", "method"]  # one row of a metrics table per key


def job_window(log: Path) -> tuple[datetime, datetime]:
    """When a job ran: the times of the start and finish lines `runtime.log_to` writes
    (from its logging set-up, after the script's imports, to the exit of its process)."""
    from fwprune.runtime import JOB_FINISHED, JOB_STARTED

    stamps = {}
    for line in log.read_text().splitlines():
        stamp, _, message = line.partition(" INFO ")
        if message in (JOB_STARTED, JOB_FINISHED):
            stamps[message] = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
    assert set(stamps) == {JOB_STARTED, JOB_FINISHED}, f"{log} does not say when it ran"
    return stamps[JOB_STARTED], stamps[JOB_FINISHED]


def jobs_beside_timing_jobs(workdir: Path) -> list[tuple[str, str]]:
    """(timing job's log, other job's log) for every job whose run overlapped a timing job's,
    from the logs of every job of a run in `workdir`."""
    logs = [*workdir.glob("results/**/*.log"), *workdir.glob("data/*.log")]
    windows = {str(log.relative_to(workdir)): job_window(log) for log in logs}
    timing = {log: window for log, window in windows.items() if log.endswith("/time_inference.log")}
    assert timing, f"no timing job ran in {workdir}"
    return [
        (log, other)
        for log, (start, end) in timing.items()
        for other, (other_start, other_end) in windows.items()
        if other != log and other_start < end and start < other_end
    ]


@pytest.fixture(scope="session", autouse=True)
def tensorflow_configured_as_in_a_job():
    """TensorFlow fixes its thread pools at its first op, and refuses a change after: set
    them as every job does before any test touches TensorFlow, whatever the test order."""
    from fwprune import runtime

    runtime.configure(threads=1, seed=0)


@pytest.fixture(scope="module")
def data():
    """128 random images and labels: enough to run a method on the real model in seconds."""
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, size=(128, 28, 28, 1)).astype("float32")
    return x, rng.integers(0, 10, size=128).astype("int32")


def fresh_network():
    from fwprune.training import MaskedNetwork

    return MaskedNetwork(learning_rate=0.05, momentum=0.0, batch_size=32, seed=0)
