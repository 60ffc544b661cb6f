"""The package declares what it needs, the lock pins it, and the conda environment agrees.

pyproject.toml's `[project] dependencies` are what the pipeline and the library run on, its
extras what the SLURM profile, the tests and the linters add; requirements.lock pins all of
them and everything below them to exact versions with hashes (CI and README install it).
"""

import ast
import functools
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO, copy_workflow
from fwprune.code_digest import imported_names

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
LOCK = REPO / "requirements.lock"
# A pinned line of the lock: `name==version \`, its hashes on the lines below.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)
# What the Snakemake process itself runs on (the Snakefile reads its config with pyyaml);
# the jobs in the conda environment run with the code of the Snakemake that starts them.
SNAKEMAKES_OWN = {"snakemake", "pyyaml"}


def requirements(extras=()) -> list[Requirement]:
    """pyproject.toml's dependencies and those of `extras`, an extra naming others (`dev`)
    read as those."""
    found = [Requirement(line) for line in PROJECT["dependencies"]]
    pending = list(extras)
    while pending:
        for line in PROJECT["optional-dependencies"][pending.pop()]:
            requirement = Requirement(line)
            if requirement.name == PROJECT["name"]:
                pending.extend(requirement.extras)
            else:
                found.append(requirement)
    return found


def declared(extras=()) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements(extras)}


def locked() -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(LOCK.read_text())}


def test_the_lock_pins_every_requirement_within_its_bounds():
    pins = locked()
    for requirement in requirements(PROJECT["optional-dependencies"]):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: regenerate it (its header)"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} {requirement}"


def test_every_pin_of_the_lock_has_a_hash():
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text().split("\n", 2)[2])
    assert len(entries) == len(locked())
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_conda_env_pins_the_runtime_dependencies_at_the_locks_versions():
    environment = yaml.safe_load((REPO / "envs" / "fwprune.yaml").read_text())
    (pip_section,) = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    conda_pins = {canonicalize_name(n): v for n, v in (line.split("==") for line in pip_section)}
    assert set(conda_pins) == declared() - SNAKEMAKES_OWN
    pins = locked()
    for name, version in conda_pins.items():
        assert pins[name] == version, name


RULE_FILE_IMPORT = re.compile(r"^(?:import|from) (\w+)", re.M)


def imported_modules(path) -> set[str]:
    """Top-level names of the absolute imports of a Python file (in functions too), or of
    the import lines of a Snakefile or rule file, which `ast` cannot parse."""
    if path.suffix != ".py":
        return set(RULE_FILE_IMPORT.findall(path.read_text()))
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


def third_party_imports(paths, first_party) -> dict[str, str]:
    """{top-level module: a file importing it} of what `paths` import that is neither the
    standard library's nor in `first_party`."""
    return {
        name: str(path.relative_to(REPO))
        for path in paths
        for name in imported_modules(path)
        if name not in sys.stdlib_module_names and name not in first_party
    }


SCRIPTS = REPO / "workflow" / "scripts"
TESTS = REPO / "tests"
FIRST_PARTY = {"fwprune", "benchmarks", *(p.stem for p in [*SCRIPTS.glob("*.py")])}
IMPORTERS = {  # what imports, and the extras that may provide it beside the dependencies
    # the pipeline: its library, the jobs' scripts, the Snakefile and its rules
    "runtime": (
        [*SCRIPTS.rglob("*.py"), REPO / "Snakefile", *(REPO / "workflow" / "rules").glob("*.smk")],
        (),
    ),
    "tests and benchmarks": ([*TESTS.glob("*.py"), *(REPO / "benchmarks").glob("*.py")], ("test",)),
}


@pytest.mark.parametrize("importers", IMPORTERS)
def test_every_third_party_import_is_declared(importers):
    """Each module imported is provided by a distribution pyproject.toml declares (its
    dependencies, and for the tests the `test` extra), by the installed distributions'
    own record of the modules they provide."""
    paths, extras = IMPORTERS[importers]
    imports = third_party_imports(paths, FIRST_PARTY | {p.stem for p in TESTS.glob("*.py")})
    assert "numpy" in imports  # the scan sees the imports
    provided_by = importlib.metadata.packages_distributions()
    wanted = declared(extras)
    undeclared = {
        name: f"{path} imports it, from {provided_by.get(name, 'no installed distribution')}"
        for name, path in imports.items()
        if not {canonicalize_name(d) for d in provided_by.get(name, [])} & wanted
    }
    assert not undeclared, undeclared


def test_the_installed_wheel_runs_the_verdicts_outside_the_repository(tmp_path):
    """The package is found, not listed, and declares its dependencies: a wheel built from
    the repository, installed in a fresh virtual environment (with this interpreter's
    packages for its dependencies), imports every module of the library, carries
    pyproject.toml's requirements, and runs `python -m fwprune.verdicts` on a committed
    sweep table from an empty folder, with no PYTHONPATH."""
    library = SCRIPTS / "fwprune"
    modules = sorted(
        ".".join(path.relative_to(library.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in library.rglob("*.py")
    )
    assert {"fwprune.methods.gmp", "fwprune.networks.cnn", "fwprune.experiment"} <= set(modules)
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = functools.partial(
        subprocess.run, check=True, capture_output=True, text=True, env=environment, cwd=tmp_path
    )
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(REPO)])  # fmt: skip
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python = str(venv / "bin" / "python")
    run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", *map(str, wheels.glob("*.whl"))]
    )
    script = (
        "import importlib, importlib.metadata, sys\n"
        "for name in sys.argv[1:]: importlib.import_module(name)\n"
        "print(importlib.import_module('fwprune').__file__)\n"
        "print(*importlib.metadata.requires('fwprune'), sep='\\n')"
    )
    where, *required = run([python, "-c", script, *modules]).stdout.splitlines()
    assert where.startswith(str(venv)), f"fwprune came from {where}, not the wheel"
    assert {str(Requirement(r)) for r in required} >= {str(r) for r in requirements()}
    sweep = REPO / "docs" / "runs" / "sweeps-mnist" / "sweep.tsv"
    report = run([python, "-m", "fwprune.verdicts", str(sweep)]).stdout
    assert report.startswith("### Which method") and "| fw_momentum |" in report


def test_jobs_import_the_workflows_library_not_an_installed_copy(tmp_path):
    """Snakemake's script preamble appends the scripts' folder to sys.path, after
    site-packages: a copy of the library installed there (`pip install .`) would run in
    the jobs instead of the workflow's own. A stand-in for it, first on PYTHONPATH, fails
    any job that imports it; the claims job, run alone on a committed metrics table, must
    not."""
    import pandas as pd

    workdir = copy_workflow(tmp_path / "run")
    (workdir / "results").mkdir()
    metrics = pd.read_csv(REPO / "docs" / "runs" / "mnist-grid" / "metrics.tsv", sep="\t")
    metrics.to_parquet(workdir / "results" / "metrics.parquet")
    installed = tmp_path / "site" / "fwprune"
    installed.mkdir(parents=True)
    (installed / "__init__.py").write_text("raise ImportError('the installed copy ran')\n")
    environment = dict(os.environ, PYTHONPATH=str(installed.parent))
    command = [sys.executable, "-m", "snakemake", "--cores", "1", "results/claims.md"]
    result = subprocess.run(
        [*command, "--allowed-rules", "claims"],
        cwd=workdir, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]  # "the installed copy ran"
    assert (
        "| after 1 epoch, FW and FW+momentum beat base"
        in (workdir / "results" / "claims.md").read_text()
    )


def test_every_rule_with_a_script_names_the_conda_environment():
    for rules in (REPO / "workflow" / "rules").glob("*.smk"):
        text = rules.read_text()
        # Rules derived with `use rule ... with:` inherit the environment with the script.
        assert text.count("script:") == text.count('"../../envs/fwprune.yaml"'), rules.name


def test_no_job_code_imports_the_benchmarks():
    """The benchmarks import the library, never the reverse: no job runs them, so editing
    them reruns nothing (a job's code digests follow only `fwprune` imports)."""
    for path in [*SCRIPTS.glob("*.py"), *SCRIPTS.glob("fwprune/**/*.py")]:
        assert not imported_names(path.read_text(), "benchmarks"), path.relative_to(REPO)
