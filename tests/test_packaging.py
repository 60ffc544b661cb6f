"""The conda environment the rules name pins the same versions as requirements.txt."""

import functools
import re
import subprocess
import sys

import yaml

from conftest import REPO
from fwprune.code_digest import imported_names

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)$")


def pins(lines) -> dict[str, str]:
    return {m[1].lower(): m[2] for line in lines if (m := PIN.match(line.split("#")[0].strip()))}


def test_conda_env_pins_agree_with_requirements():
    requirements = pins((REPO / "requirements.txt").read_text().splitlines())
    environment = yaml.safe_load((REPO / "envs" / "fwprune.yaml").read_text())
    (pip_section,) = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    conda_pins = pins(pip_section)
    assert conda_pins, "the conda environment pins nothing"
    for package, version in conda_pins.items():
        assert requirements.get(package) == version, package


def test_every_rule_with_a_script_names_the_conda_environment():
    for rules in (REPO / "workflow" / "rules").glob("*.smk"):
        text = rules.read_text()
        # Rules derived with `use rule ... with:` inherit the environment with the script.
        assert text.count("script:") == text.count('"../../envs/fwprune.yaml"'), rules.name


def test_no_job_code_imports_the_benchmarks():
    """The benchmarks import the library, never the reverse: no job runs them, so editing
    them reruns nothing (a job's code digests follow only `fwprune` imports)."""
    scripts = REPO / "workflow" / "scripts"
    for path in [*scripts.glob("*.py"), *scripts.glob("fwprune/**/*.py")]:
        assert not imported_names(path.read_text(), "benchmarks"), path.relative_to(REPO)


def test_the_wheel_installs_and_imports_every_module(tmp_path):
    """The package is found, not listed: a wheel built from the repository, installed in a
    fresh virtual environment (with this interpreter's packages for its dependencies),
    imports every module of the library."""
    library = REPO / "workflow" / "scripts" / "fwprune"
    modules = sorted(
        ".".join(path.relative_to(library.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in library.rglob("*.py")
    )
    wheels = tmp_path / "wheels"
    run = functools.partial(subprocess.run, check=True, capture_output=True, text=True)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(REPO)])  # fmt: skip
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python = str(venv / "bin" / "python")
    run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", *map(str, wheels.glob("*.whl"))]
    )
    script = "import importlib, sys\nfor name in sys.argv[1:]: importlib.import_module(name)"
    # From an empty folder, so that nothing but the installed wheel provides fwprune.
    run([python, "-c", script, *modules], cwd=tmp_path)
    assert {"fwprune.methods.gmp", "fwprune.networks.cnn", "fwprune.experiment"} <= set(modules)
