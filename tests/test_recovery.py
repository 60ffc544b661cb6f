"""Recovery: a killed job and a corrupt data file. (That two runs of one config give
identical metrics is shown by tests/test_slurm.py, which runs part of the smoke DAG again
from the pre-training on and compares its tables with the local run's.)"""

import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import psutil

from conftest import (
    deterministic_part,
    planned_jobs,
    run_snakemake,
)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def job_process(snakemake: psutil.Process, script: str):
    """The child process running `script`, if it has started."""
    for child in snakemake.children(recursive=True):
        try:
            if any(script in part for part in child.cmdline()):
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def test_killed_job_is_redone_with_its_dependants_only(finished_copy, smoke_metrics):
    # As if the first run had reached this node and no further: the outputs of the node
    # and of everything downstream are missing (the others' outputs are present).
    stage = finished_copy / "results/seed0/budget2/fw"
    shutil.rmtree(stage)
    shutil.rmtree(finished_copy / "results/figures")
    for table in ("metrics.parquet", "metrics.tsv", "benchmarks.parquet"):
        (finished_copy / "results" / table).unlink()
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--cores",
        "1",
        "--configfile",
        "tests/smoke.yaml",
    ]
    snakemake = subprocess.Popen(
        command, cwd=finished_copy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        job = wait_for(lambda: job_process(psutil.Process(snakemake.pid), "prune.py"), 120, "job")
        # Kill it while it trains: after the first pruning event, before its last epoch.
        wait_for(lambda: "FW iteration 2" in _read(stage / "prune.log"), 120, "training")
        job.send_signal(signal.SIGKILL)
        assert snakemake.wait(timeout=120) != 0
    finally:
        if snakemake.poll() is None:
            snakemake.kill()
    assert "FW iteration 4" not in _read(stage / "prune.log"), "the job finished before the kill"
    assert not list(stage.glob("pruned.*")), "a killed job left an output behind"
    assert not list(stage.glob(".pruned*")), "a killed job left a temporary file behind"

    redo = {
        "prune": 1,
        "finetune": 1,
        "evaluate": 1,
        "time_inference": 1,
        "int8": 1,
        "time_int8": 1,
    }
    rest = {"aggregate": 1, "plot": 1, "claims": 1, "benchmarks": 1, "all": 1}
    assert planned_jobs(finished_copy) == redo | rest
    run_snakemake(finished_copy, "--cores", "2", "--configfile", "tests/smoke.yaml")
    rerun = pd.read_parquet(finished_copy / "results/metrics.parquet")
    pd.testing.assert_frame_equal(deterministic_part(rerun), deterministic_part(smoke_metrics))


def test_corrupt_data_file_stops_the_run_with_a_clear_error(finished_copy):
    data = finished_copy / "data" / "mnist.npz"
    data.write_bytes(data.read_bytes()[:1_000_000])
    metrics = finished_copy / "results/metrics.parquet"
    before = metrics.stat().st_mtime_ns
    result = run_snakemake(
        finished_copy, "--cores", "1", "--configfile", "tests/smoke.yaml", check=False
    )
    logs = "".join(_read(p) for p in finished_copy.glob("results/seed0/pretrain/*.log"))
    assert result.returncode != 0
    assert "data/mnist.npz is unreadable" in logs + result.stderr
    assert "delete it and run again" in logs + result.stderr
    assert metrics.stat().st_mtime_ns == before, "a job downstream of the bad file ran"
    assert not (finished_copy / "results/seed0/pretrain/epoch1.npz").exists()


def test_corrupt_arrays_are_refused_by_digest(finished_copy):
    import numpy as np

    data = finished_copy / "data" / "mnist.npz"
    with np.load(data) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["y_test"][0] ^= 1
    np.savez(data, **arrays)
    result = run_snakemake(
        finished_copy, "--cores", "1", "--configfile", "tests/smoke.yaml", check=False
    )
    logs = "".join(_read(p) for p in finished_copy.glob("results/seed0/pretrain/*.log"))
    assert result.returncode != 0
    assert "data/mnist.npz has SHA-256" in logs and "not the pinned" in logs


def _read(path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""
