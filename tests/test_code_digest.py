"""The code digests behind reruns: meaning, not bytes; imports read from the code."""

import re
import textwrap

import pytest

from conftest import REPO
from fwprune.code_digest import code_digests, imported_names, meaning_digest

MODULE = '''
"""A module."""

RATE = 0.01


def step(x):
    """One step."""
    return x * RATE
'''


def edited(source: str, old: str, new: str) -> str:
    assert old in source
    return source.replace(old, new)


@pytest.mark.parametrize(
    "old, new",
    [
        ("RATE = 0.01", "RATE = 0.01  # the paper's"),
        ('"""One step."""', '"""One step, documented at length."""'),
        ('"""A module."""', ""),
        ("def step(x):", "\n\ndef step(x):"),
        ("return x * RATE", "return (x *\n            RATE)"),
    ],
)
def test_comments_docstrings_and_layout_leave_the_digest(old, new):
    assert meaning_digest(edited(MODULE, old, new)) == meaning_digest(MODULE)


@pytest.mark.parametrize(
    "old, new",
    [
        ("RATE = 0.01", "RATE = 0.02"),
        ("return x * RATE", "return RATE * x"),
        ("def step(x):", "def step(y):"),
    ],
)
def test_a_changed_line_changes_the_digest(old, new):
    assert meaning_digest(edited(MODULE, old, new)) != meaning_digest(MODULE)


def test_imports_anywhere_in_the_code_are_found_with_their_packages():
    source = textwrap.dedent(
        """
        import numpy as np
        from fwprune import runtime
        from fwprune.masks import top_k_mask

        def main():
            import fwprune.training
            from . import io
        """
    )
    assert imported_names(source, "fwprune") == {
        "fwprune",
        "fwprune.runtime",
        "fwprune.masks",
        "fwprune.masks.top_k_mask",
        "fwprune.training",
        "fwprune.io",
    }


def write_library(root):
    """scripts/job.py -> lib.a -> lib.b; lib.c is imported by nobody."""
    library = root / "lib"
    library.mkdir()
    (library / "__init__.py").write_text("")
    (library / "a.py").write_text("from lib.b import f\n")
    (library / "b.py").write_text("def f():\n    return 1\n")
    (library / "c.py").write_text("import lib.a\n")
    (root / "job.py").write_text("from lib import a\n")
    return library


def test_modules_are_reached_transitively_and_only_those(tmp_path):
    library = write_library(tmp_path)
    digests = code_digests(tmp_path / "job.py", library)
    assert sorted(digests) == ["job.py", "lib/__init__.py", "lib/a.py", "lib/b.py"]
    (library / "b.py").write_text("def f():\n    return 2\n")
    changed = code_digests(tmp_path / "job.py", library)
    assert {name for name in digests if digests[name] != changed[name]} == {"lib/b.py"}


def test_the_workflow_scripts_reach_what_they_import():
    """The two drifts the hand-kept lists had: time_inference reaches model (through
    export), the claims (judge.py) reaches io."""
    library = REPO / "workflow" / "scripts" / "fwprune"
    timing = code_digests(library.parent / "time_inference.py", library)
    assert {"fwprune/export.py", "fwprune/model.py", "fwprune/timing.py"} <= set(timing)
    assert "fwprune/training.py" not in timing  # it loads a model, it trains none
    assert "fwprune/io.py" in code_digests(library.parent / "judge.py", library)
    download = code_digests(library.parent / "download.py", library)
    assert "fwprune/sources.py" in download and "fwprune/training.py" not in download
    pretrain = code_digests(library.parent / "pretrain.py", library)
    assert "fwprune/sources.py" not in pretrain and "fwprune/masks.py" not in pretrain
    assert "fwprune/learning_rates.py" in pretrain  # the rate of each epoch
    # The networks' registry, like the methods', reaches every module in its folder.
    assert {"fwprune/networks/cnn.py", "fwprune/networks/lenet5.py"} <= set(pretrain)


def rule_blocks():
    """(header, body) of every rule in workflow/rules, `use rule` ones included."""
    for path in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        parts = re.split(r"^((?:use )?rule \w+.*:)\n", path.read_text(), flags=re.M)
        yield from zip(parts[1::2], parts[2::2], strict=True)


# The download's file is defined by its pinned digest, its only param (README).
UNTRACKED = {"download"}


def test_every_rule_with_a_script_passes_that_scripts_code_digests():
    """With Snakemake's code trigger off, a rule without its `code` param would never rerun
    for a change of code: the param must name the rule's own script."""
    scripts = {}  # rule -> the script it runs
    for header, body in rule_blocks():
        used = re.match(r"use rule (\w+) as (\w+)", header)
        rule = used[2] if used else re.match(r"rule (\w+)", header)[1]
        found = re.search(r'script:\s*"\.\./scripts/(\w+)\.py"', body)
        scripts[rule] = found[1] if found else scripts.get(used[1]) if used else None
        # A `use rule` that sets params replaces the original's: it must repeat the code.
        if scripts[rule] and rule not in UNTRACKED and (not used or "params:" in body):
            # A prune job's code is its script with its own method (`pruning_code`).
            code = (
                "pruning_code" if scripts[rule] == "prune" else f'code_meaning("{scripts[rule]}")'
            )
            assert f"code={code}" in body, header


def test_a_subpackage_reaches_every_module_in_it_and_relative_imports_resolve(tmp_path):
    """A registry subpackage imports its modules by discovery: reaching it reaches them all,
    and their relative imports are read from the subpackage."""
    library = write_library(tmp_path)
    (library / "reg").mkdir()
    (library / "reg" / "__init__.py").write_text("import importlib\n")
    (library / "reg" / "one.py").write_text("from .. import b\n")
    (library / "reg" / "two.py").write_text("from . import one\n")
    (tmp_path / "uses.py").write_text("from lib.reg import REGISTRY\n")
    assert sorted(code_digests(tmp_path / "uses.py", library)) == [
        "lib/__init__.py",
        "lib/b.py",
        "lib/reg/__init__.py",
        "lib/reg/one.py",
        "lib/reg/two.py",
        "uses.py",
    ]
    assert imported_names("from .. import b", "lib", "lib.reg") == {"lib", "lib.b"}


def test_pruning_reaches_its_own_method_and_what_that_imports():
    """Reruns at the grain of a method: a prune job's code is its method's module (and the
    modules that one imports), not its neighbours'; unrestricted, every method's."""
    library = REPO / "workflow" / "scripts" / "fwprune"
    script = library.parent / "prune.py"
    methods = {f"fwprune/methods/{path.name}" for path in (library / "methods").glob("*.py")}
    assert methods <= set(code_digests(script, library))
    gmp = set(code_digests(script, library, {"methods": ["gmp"]}))
    assert gmp & methods == {"fwprune/methods/__init__.py", "fwprune/methods/gmp.py"}
    assert "fwprune/masks.py" in gmp and "fwprune/schedules.py" in gmp
    # FW with momentum runs the FW loop of fw.py, which it imports.
    momentum = set(code_digests(script, library, {"methods": ["fw_momentum"]}))
    assert {"fwprune/methods/fw.py", "fwprune/methods/fw_momentum.py"} <= momentum
    assert "fwprune/methods/gmp.py" not in momentum
    # A job building the paper's CNN does not depend on LeNet-5's file.
    cnn = set(code_digests(library.parent / "pretrain.py", library, {"networks": ["cnn"]}))
    assert "fwprune/networks/cnn.py" in cnn and "fwprune/networks/lenet5.py" not in cnn


def test_a_module_shared_by_scripts_is_parsed_once():
    """The workflow asks for every script's digests: a module they share is read (parsed,
    walked, digested) once per text, not once per script."""
    library = REPO / "workflow" / "scripts" / "fwprune"
    scripts = [library.parent / f"{name}.py" for name in ("pretrain", "prune", "finetune")]
    meaning_digest.cache_clear()
    digests = [code_digests(script, library) for script in scripts]
    files = set().union(*digests)
    assert meaning_digest.cache_info().misses == len(files) < sum(map(len, digests))
