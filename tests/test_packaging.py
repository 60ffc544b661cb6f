"""The conda environment the rules name pins the same versions as requirements.txt."""

import re

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
