"""A throwaway one-node SLURM cluster on localhost (munged, slurmctld, slurmd) for tests.

Everything but the config file lives in a private directory: its own munge key and socket,
free TCP ports, state and logs. The config has to be /etc/slurm/slurm.conf, because the
SLURM executor's job step drops SLURM_CONF; the original file is put back on exit.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

SLURM_CONF = Path("/etc/slurm/slurm.conf")
COMMANDS = "mungekey munged slurmctld slurmd sbatch squeue scancel scontrol sinfo".split()
DEBIAN_PACKAGES = "munge slurmctld slurmd slurm-client"
START_TIMEOUT = 60  # seconds for each daemon to come up
MIN_JOB_AGE = 300  # seconds finished jobs stay visible to squeue; the executor needs >= 120

CONFIG = """\
ClusterName=fwprune-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={slurmctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={home}/munge.socket
StateSaveLocation={home}/state
SlurmdSpoolDir={home}/spool
SlurmctldPidFile={home}/slurmctld.pid
SlurmdPidFile={home}/slurmd.pid
# No systemd, no cgroups: track job processes through /proc and do not bind tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
# No accounting database: sacct cannot answer, so jobs are followed with squeue.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge={min_job_age}
ReturnToService=2
{node} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, or None if one can."""
    if os.geteuid() != 0:
        return f"needs root to write {SLURM_CONF} and run the SLURM daemons"
    missing = [command for command in COMMANDS if shutil.which(command) is None]
    if missing:
        return f"{', '.join(missing)} not found (apt-get install {DEBIAN_PACKAGES})"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def node_definition() -> str:
    """This machine as slurmd sees it, e.g. `NodeName=vm CPUs=2 ... RealMemory=24105`."""
    output = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True)
    return output.stdout.splitlines()[0]


def write_config(home: Path) -> None:
    node = node_definition()
    host = node.split()[0].removeprefix("NodeName=")
    SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
    SLURM_CONF.write_text(
        CONFIG.format(
            host=host,
            home=home,
            node=node,
            slurmctld_port=free_port(),
            slurmd_port=free_port(),
            min_job_age=MIN_JOB_AGE,
        )
    )


@contextlib.contextmanager
def config_file(home: Path) -> Iterator[None]:
    """Our slurm.conf in place of the system's for the duration; the original comes back."""
    original = SLURM_CONF.read_bytes() if SLURM_CONF.exists() else None
    try:
        write_config(home)
        yield
    finally:
        if original is None:
            SLURM_CONF.unlink(missing_ok=True)
        else:
            SLURM_CONF.write_bytes(original)


def launch(home: Path, *command: str) -> subprocess.Popen:
    """Start a daemon in the foreground as our child, its messages going to `home`/NAME.log."""
    with open(home / f"{command[0]}.log", "w") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def wait_until(ready, daemon: subprocess.Popen, home: Path) -> None:
    """Wait for `ready()`; if the daemon dies or takes too long, stop it and show its log."""
    name = Path(daemon.args[0]).name
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if daemon.poll() is not None or time.monotonic() > deadline:
            stop(daemon)
            log = (home / f"{name}.log").read_text()[-3000:]
            raise RuntimeError(f"{name} did not come up (exit {daemon.returncode}):\n{log}")
        time.sleep(0.5)


def succeeds(*command: str) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def node_state() -> str:
    result = subprocess.run(["sinfo", "--noheader", "--Node", "--format=%T"], capture_output=True)
    return result.stdout.decode().strip()


def start_munged(home: Path) -> subprocess.Popen:
    key = home / "munge.key"
    subprocess.run(["mungekey", "--create", f"--keyfile={key}"], check=True)
    # --force: munged runs as root here, with its files in a private directory.
    daemon = launch(
        home,
        "munged",
        "--foreground",
        "--force",
        f"--socket={home}/munge.socket",
        f"--key-file={key}",
        f"--pid-file={home}/munged.pid",
        f"--seed-file={home}/munged.seed",
    )
    wait_until((home / "munge.socket").exists, daemon, home)
    return daemon


def start_slurmctld(home: Path) -> subprocess.Popen:
    # -i: ignore state left by an earlier run.
    daemon = launch(home, "slurmctld", "-D", "-i")
    wait_until(lambda: succeeds("scontrol", "ping"), daemon, home)
    return daemon


def start_slurmd(home: Path) -> subprocess.Popen:
    daemon = launch(home, "slurmd", "-D")
    wait_until(lambda: node_state() == "idle", daemon, home)
    return daemon


def cancel_jobs() -> None:
    """Cancel jobs a failed run left: their slurmstepd processes would outlive slurmd."""
    subprocess.run(["scancel", "--user", "root"], capture_output=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and unfinished_jobs():
        time.sleep(1)


def unfinished_jobs() -> str:
    """squeue lists finished jobs only when asked to with --states."""
    result = subprocess.run(["squeue", "--noheader", "--format=%i"], capture_output=True)
    return result.stdout.decode().strip()


def job_endings(home: Path) -> dict[str, str]:
    """SLURM job id -> how it ended ("WEXITSTATUS 0" is success), from slurmctld's log.

    Without accounting, the log is the only record that outlives MinJobAge.
    """
    log = (home / "slurmctld.log").read_text()
    return dict(re.findall(r"_job_complete: JobId=(\d+) (W\w+ \d+)", log))


def whole_node_jobs() -> set[str]:
    """Ids of the jobs that had their node to themselves (sbatch --exclusive: squeue says
    their resources cannot be shared), among those squeue lists, finished ones included
    (for MinJobAge seconds)."""
    result = subprocess.run(
        ["squeue", "--noheader", "--states=all", "--format=%i %h"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = (line.split() for line in result.stdout.splitlines())
    return {jobid for jobid, shared in rows if shared == "NO"}


def stop(daemon: subprocess.Popen) -> None:
    daemon.terminate()
    try:
        daemon.wait(timeout=30)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()


@contextlib.contextmanager
def local_cluster(home: Path) -> Iterator[Path]:
    """Run a one-node cluster with its files in `home`; stop every daemon it started on exit."""
    for directory in ("state", "spool"):
        (home / directory).mkdir(parents=True, exist_ok=True)
    daemons: list[subprocess.Popen] = []
    with config_file(home):
        try:
            for start in (start_munged, start_slurmctld, start_slurmd):
                daemons.append(start(home))
            yield home
        finally:
            if len(daemons) == 3:
                cancel_jobs()
            for daemon in reversed(daemons):
                stop(daemon)
