"""Every command the docs give runs as written (README.md, docs/*.md, docs/runs/*/README.md).

A command is an inline code span, or a line of a code block, that starts with `snakemake`,
`pytest`, `python`, `pip` or `PYTHONPATH=...` (after `/usr/bin/time` and its options, which
are dropped); a code line ending in `\\` or inside an open quote goes on with the next, and
the `echo ... > FILE` lines above a command in its block run before it. Each runs through
bash as typed (braces, `&&` and `VAR=value` as in a terminal), in one copy of the
repository as a clone has it, with the committed tables of docs/runs put where the
commands read a run's results (RESULTS), where

- `snakemake` plans and runs nothing: a dry run (`-n --quiet rules`; with `--lint`, the lint);
- `pytest` collects the tests and runs none (`--collect-only`);
- `pip` resolves against what is installed and downloads nothing (`--dry-run --no-index`):
  CI installs the lock first;
- `python` runs as written, but for the measurements of AS_HELP, which print their help;
- the commands of NOT_RUN (a command, or the start of one) do not run, each for the
  reason it gives.

Placeholders (PLACEHOLDERS) become a real value; `my.yaml` is README's sweep example.
Commands that differ only in options that change neither the plan nor the tests collected
(SAME_RUN: `--cores N`, `-n`, `--quiet rules`; pytest's `-v`, `--durations=N`) run once.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO

DOCS = [
    REPO / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
    *sorted((REPO / "docs" / "runs").glob("*/README.md")),
]
COMMAND = re.compile(r"^(snakemake|pytest|python3?|pip|PYTHONPATH=\S+)(\s|$)")
# What only measures or lowers the priority of a command, after its environment if any.
RUN_PREFIX = re.compile(
    r"^(\w+=\S+\s+)?(nice(\s+-n\s*\d+)?\s+)?(/usr/bin/time(\s+-v|\s+-o\s+\S+)*\s+)?"
)
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
# An indented block: 4 spaces or more after a blank line (in a list item, more).
INDENTED = re.compile(r"(?<=\n\n)((?: {4,}\S.*\n)+)")
SETUP = re.compile(r"^echo .*>\s*\S+$")
SAME_RUN = re.compile(r" (--cores \d+|-n|--quiet rules|-v|--durations=\d+)(?= |$)")

# What bash runs for each command word: the plan, the collection, the resolution.
PRELUDE = """
snakemake() { "$PYTHON" -m snakemake -n --quiet=rules "$@"; }
pytest() { "$PYTHON" -m pytest "$@" --collect-only -q -p no:cacheprovider; }
pip() { "$PYTHON" -m pip "$@" --dry-run --no-index --quiet; }
python() { "$PYTHON" "$@"; }
python3() { "$PYTHON" "$@"; }
"""
PLACEHOLDERS = {"NAME": "sweep", "FIGURE": "docs/figures/nonzero.png"}  # real ones
RESULTS = {  # committed table: where the commands read it
    "docs/runs/mnist-grid/metrics.tsv": "results/metrics.parquet",
    "docs/runs/sweeps-mnist/sweep.tsv": "results/sweep/metrics.parquet",
}
MEASURES = "measures for minutes"
AS_HELP = {
    "PYTHONPATH=workflow/scripts python -m benchmarks.bench": MEASURES,
    "PYTHONPATH=workflow/scripts python -m benchmarks.bench --threads 1": MEASURES,
    "PYTHONPATH=workflow/scripts python -m benchmarks.job_start --rounds 6": MEASURES,
    "PYTHONPATH=workflow/scripts python -m benchmarks.cost RUN --time-log time.txt": (
        "measures a plain fit epoch, after a finished run"
    ),
    "PYTHONPATH=workflow/scripts python -m benchmarks.cost . --time-log time.txt": (
        "measures a plain fit epoch, after a finished run"
    ),
    "PYTHONPATH=workflow/scripts python -m benchmarks.cost docs/runs/cost-grid/records "
    "--time-log docs/runs/cost-grid/time.txt --plain-epoch-cpu 14.71 --job-rounds 0": (
        "tests/test_cost.py recomputes this report from the same records"
    ),
    "PYTHONPATH=workflow/scripts:. python -m benchmarks.cost . --time-log time.txt": (
        "measures a plain fit epoch, after a finished run"
    ),
    "PYTHONPATH=workflow/scripts:. python -m benchmarks.cost docs/runs/cost-grid-cores2/records "
    "--time-log docs/runs/cost-grid-cores2/time.txt --plain-epoch-cpu 12.56 --job-rounds 0": (
        "tests/test_cost.py recomputes this report from the same records"
    ),
    "python docs/runs/snakemake-own-smoke/main_process.py "
    "--cores 2 --configfile tests/smoke.yaml": ("the smoke run, timed; its --help is Snakemake's"),
    "PYTHONPATH=workflow/scripts python -m benchmarks.cost docs/runs/scheduler-smoke/ilp/records "
    "--time-log docs/runs/scheduler-smoke/ilp/time.txt --plain-epoch-cpu 0.7355 --job-rounds 0": (
        "tests/test_cost.py recomputes this report from the same records"
    ),
}
NOT_RUN = {
    "snakemake --report report.html": (
        "needs a finished run: tests/test_workflow.py makes the smoke run's report"
    ),
    "snakemake --cores 8 --sdm conda": "needs conda or mamba, which CI does not install",
    "python -c": "names the tool a benchmark timed, no command",
    "PYTHONPATH=.:workflow/scripts python -c": (
        "measures for minutes; `python -m benchmarks.bench` prints the same rows"
    ),
    "PYTHONPATH=workflow/scripts python -m fwprune.bench --threads 1": (
        "ran at commit b421177; the module is benchmarks.bench since"
    ),
    "python examples/cifar10_npz.py": "downloads CIFAR-10 (170 MB) from Keras's storage",
    "snakemake --cores 2 --configfile cifar.yaml": (
        "needs the CIFAR-10 file that command writes; tests/test_user_models.py runs the "
        "default DAG on a builder file and a .npz of its own"
    ),
    "snakemake --cores 2 filter_sweep --configfile cifar.yaml": (
        "needs the CIFAR-10 file, as the command above"
    ),
    "snakemake --cores 2 --configfile par.yaml --until prune": (
        "par.yaml is given in the prose below its block"
    ),
    "snakemake --cores 2 --configfile par.yaml --config threads=$threads -q "
    "--forcerun prune --until prune": "a step of a shell loop over $threads",
}


def code_lines(text: str) -> list[list[str]]:
    """The lines of each code block of a markdown text, fenced or indented."""
    fenced = [block.splitlines() for block in FENCED.findall(text)]
    indented = [block.splitlines() for block in INDENTED.findall(FENCED.sub("", text))]
    return fenced + indented


def logical_lines(block: list[str]) -> list[str]:
    """A block's lines with continuations joined: after a `\\` at the end by a space, in
    an open quote by the line break."""
    lines, pending = [], None
    for line in block:
        pending = line.strip() if pending is None else pending + line.strip()
        if pending.endswith("\\"):
            pending = pending.removesuffix("\\") + " "
            continue
        try:
            shlex.split(pending)
        except ValueError:  # an open quote
            pending += "\n"
            continue
        lines.append(pending)
        pending = None
    return lines


def as_command(text: str) -> str | None:
    """The command a code span or line gives (without a `nice` or timing prefix and a
    comment), or None when it gives none."""
    text = " ".join(shlex.split(text, comments=True, posix=False))
    text = RUN_PREFIX.sub(r"\1", text)
    return text if COMMAND.match(text) else None


def commands(text: str) -> dict[str, list[str]]:
    """{command: the `echo ... > FILE` lines above it in its block} of a markdown text."""
    found = {}
    for block in code_lines(text):
        setup = []
        for line in logical_lines(block):
            if SETUP.match(line):
                setup.append(line)
            elif command := as_command(line):
                found.setdefault(command, list(setup))
    for span in re.findall(r"`([^`]+)`", FENCED.sub("", text)):
        if command := as_command(span):
            found.setdefault(command, [])
    return found


def documented() -> dict[str, list[str]]:
    found = {}
    for doc in DOCS:
        for command, setup in commands(doc.read_text()).items():
            found.setdefault(command, setup)
    return found


def not_run(command: str) -> str | None:
    """Why `command` does not run (NOT_RUN), or None."""
    for key, reason in NOT_RUN.items():
        if command == key or command.startswith(key + " "):
            return reason
    return None


def one_of_each_run(commands) -> list[str]:
    """The commands, one of each SAME_RUN group (the first the docs give)."""
    groups = {}
    for command in commands:
        groups.setdefault(SAME_RUN.sub("", command), command)
    return list(groups.values())


DOCUMENTED = documented()


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The repository as a clone has it, with committed tables as a run's results and
    README's sweep example as `my.yaml`."""
    workdir = tmp_path_factory.mktemp("clone") / "fwprune"
    untracked = shutil.ignore_patterns(
        ".git", ".snakemake", "__pycache__", "*.egg-info", ".*_cache", "report.html", "build",
    )  # fmt: skip

    def ignored(folder, names):
        # A run's own results and data, at the top only: docs/runs keeps records in both.
        top = {"results", "data"} & set(names) if Path(folder) == REPO else set()
        return untracked(folder, names) | top

    shutil.copytree(REPO, workdir, ignore=ignored)
    for table, target in RESULTS.items():
        (workdir / target).parent.mkdir(parents=True, exist_ok=True)
        pd.read_csv(REPO / table, sep="\t").to_parquet(workdir / target)
    (workdir / "my.yaml").write_text(sweep_example())
    return workdir


def sweep_example() -> str:
    """README's config block of "Adding a sweep"."""
    (block,) = [
        block
        for block in code_lines((REPO / "README.md").read_text())
        if block[0].strip() == "variants:" and any("per_layer:" in line for line in block)
    ]
    return textwrap.dedent("\n".join(block)) + "\n"


def run(command: str, workdir, setup=()) -> subprocess.CompletedProcess:
    """`command` through bash in `workdir`, with the command words of PRELUDE."""
    if command in AS_HELP:
        command += " --help"
    for placeholder, value in PLACEHOLDERS.items():
        command = re.sub(rf"(?<![A-Za-z0-9]){placeholder}\b", value, command)  # tune_NAME too
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    script = "\n".join([PRELUDE, "set -e", *setup, command])
    return subprocess.run(
        ["bash", "-c", script],
        cwd=workdir,
        env=dict(environment, PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("command", one_of_each_run(DOCUMENTED))
def test_the_command_runs_as_written(command, clone):
    if reason := not_run(command):
        pytest.skip(reason)
    result = run(command, clone, DOCUMENTED[command])
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"


def test_a_target_after_configfile_fails(clone):
    """`--configfile` takes every word after it for a file: the dry run sees the mistake."""
    result = run("snakemake --cores 2 --configfile tests/smoke.yaml sweep", clone)
    assert result.returncode != 0
    assert "No such file or directory: 'sweep'" in result.stdout + result.stderr


def test_the_commands_are_found():
    """The extraction sees README's commands (its first ones, a table row, a block line)
    and the lists of exceptions name commands the docs still give."""
    assert {
        "pip install --require-hashes -r requirements.lock && "
        "pip install --no-deps --no-build-isolation -e .",
        "snakemake --cores 8",
        "pytest",
        "snakemake -n --quiet rules",
        "snakemake --profile slurm",
    } <= set(DOCUMENTED)
    assert set(AS_HELP) <= set(DOCUMENTED)
    for key, reason in NOT_RUN.items():
        assert any(c.startswith(key) and not_run(c) == reason for c in DOCUMENTED), key


def test_library_commands_set_their_path():
    """A `python -m` of the library or the benchmarks sets PYTHONPATH to the library's
    folder, so that it runs in a clone where nothing is installed."""
    for command in DOCUMENTED:
        for module in re.findall(r"python3? -m (\S+)", command):
            if module.split(".")[0] in ("fwprune", "benchmarks"):
                assert re.match(r"PYTHONPATH=(\.:)?workflow/scripts(:\.)? ", command), command


def test_the_headline_quotes_the_generated_claims_table():
    """README's first screen quotes claims and verdicts of docs/results.md's generated
    claims table of the MNIST grid, word for word."""
    readme = (REPO / "README.md").read_text()
    quoted = re.findall(r'^- "(.+)": \**(\w+)\**$', readme[: readme.index("## Quick start")], re.M)
    assert quoted, "README's first screen quotes no claim"
    results = (REPO / "docs" / "results.md").read_text()
    table = results.split("<!-- table: claims docs/runs/mnist-grid/metrics.tsv -->")[1]
    rows = [row.split(" | ") for row in table.split("<!-- end table -->")[0].splitlines()]
    verdicts = {row[0].removeprefix("| "): row[-1].removesuffix(" |").strip("*") for row in rows}
    for claim, verdict in quoted:
        assert verdicts.get(claim) == verdict, claim
