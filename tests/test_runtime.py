"""Each job's work record: the exact CPU of the job's process and of its children."""

import json
import os
import resource
import subprocess
import sys

from conftest import REPO

# Seconds of CPU the job burns itself and in a child process: the child's more than the
# job's start-up (imports), so that a record without it falls short.
BURN, CHILD_BURN = 0.3, 1.0

JOB = f"""
import subprocess, sys, time
from fwprune import runtime

runtime.start(1, sys.argv[1], sys.argv[2])
start = time.process_time()
while time.process_time() - start < {BURN}:
    pass
child = "import time\\nwhile time.process_time() < {CHILD_BURN}: pass"
subprocess.run([sys.executable, "-c", child], check=True)
runtime.record_training(epochs=2, examples=100)
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_a_job_records_the_cpu_of_its_process_and_its_child(tmp_path):
    log, work = tmp_path / "job.log", tmp_path / "job.work.json"
    environment = dict(os.environ, PYTHONPATH=str(REPO / "workflow" / "scripts"))
    before = children_cpu()
    subprocess.run([sys.executable, "-c", JOB, log, work], check=True, env=environment)
    # The job's whole process tree, as its parent sees it once it has exited.
    measured = children_cpu() - before
    record = json.loads(work.read_text())
    assert record["epochs"] == 2 and record["examples"] == 100
    assert BURN + CHILD_BURN <= record["cpu_seconds"] <= measured
    # All but the end of the interpreter's exit, after the record is written.
    assert measured - record["cpu_seconds"] < 0.2


def test_a_job_that_trains_nothing_records_no_epochs(tmp_path):
    work = tmp_path / "job.work.json"
    environment = dict(os.environ, PYTHONPATH=str(REPO / "workflow" / "scripts"))
    job = "import sys\nfrom fwprune import runtime\nruntime.log_to(sys.argv[1], sys.argv[2])"
    subprocess.run(
        [sys.executable, "-c", job, tmp_path / "job.log", work], check=True, env=environment
    )
    record = json.loads(work.read_text())
    assert record["epochs"] == record["examples"] == 0 and record["cpu_seconds"] > 0
