"""Each setting's default is written once: in the schema, or in a method's declared settings
that feed it (`fwprune.methods.config_schema`). Every reader gets it from there, through
the validated config (which fills defaults) or the method's declaration; a copy in the
library (`params.get("scope", "global")`, a keyword's or a field's default) would go
stale the day the schema's changes."""

import ast
from pathlib import Path

import yaml

from conftest import REPO
from fwprune import verdict_settings
from fwprune.methods import config_schema

LIBRARY = REPO / "workflow" / "scripts" / "fwprune"
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


def schema_defaults(node, found=None) -> dict[str, list]:
    """Every property name of a JSON schema (any depth) and the defaults it is given."""
    found = {} if found is None else found
    if isinstance(node, dict):
        for name, entry in (node.get("properties") or {}).items():
            if isinstance(entry, dict) and "default" in entry:
                found.setdefault(name, []).append(entry["default"])
        for value in node.values():
            schema_defaults(value, found)
    elif isinstance(node, list):
        for value in node:
            schema_defaults(value, found)
    return found


DEFAULTS = schema_defaults(
    verdict_settings.config_schema(config_schema(yaml.safe_load(SCHEMA.read_text())))
)


def literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast  # a sentinel equal to no default


def written_defaults(tree) -> list[tuple[str, object, int]]:
    """(name, default, line) of each default the code writes for a named value: the second
    argument of `.get("name", default)`, a keyword's default, a class field's value."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get" and len(node.args) == 2:
                key, default = node.args
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.append((key.value, literal(default), node.lineno))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults))
            defaults += node.args.defaults + node.args.kw_defaults
            for argument, default in zip(arguments, defaults, strict=True):
                if default is not None:
                    found.append((argument.arg, literal(default), node.lineno))
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                    name = getattr(statement.target, "id", None)
                    found.append((name, literal(statement.value), statement.lineno))
    return found


# The module whose declaration is where the schema takes its defaults from.
DECLARATIONS = {"verdict_settings.py"}
# A name shared with a setting, for another value that only happens to be equal:
# (module, name) and why.
NOT_SETTINGS = {
    # Timing's data: no subsets and no validation examples, so the seed draws nothing.
    ("data.py", "subset_seed"),
    # The network pre-training trains: no method prunes it, it has weights, not filters.
    ("training.py", "granularity"),
}


def duplicated_defaults(folder: Path) -> list[str]:
    """Each place in the modules under `folder` that writes a schema default again."""
    return [
        f"{path.relative_to(folder)}:{line}: {name} = {default!r}"
        for path in sorted(folder.rglob("*.py"))
        if str(path.relative_to(folder)) not in DECLARATIONS
        for name, default, line in written_defaults(ast.parse(path.read_text()))
        if (str(path.relative_to(folder)), name) not in NOT_SETTINGS
        and default is not None
        and any(default == d for d in DEFAULTS.get(name, []))
    ]


def test_the_library_writes_no_default_of_the_schema_again():
    assert duplicated_defaults(LIBRARY) == []


def test_a_copied_default_is_found(tmp_path):
    (tmp_path / "copy.py").write_text(
        "def prune(params, power=3):\n"
        "    return params.get('scope', 'global')\n"
        "class Settings:\n"
        "    collapsed_below: float = 0.2\n"
    )
    assert sorted(duplicated_defaults(tmp_path)) == [
        "copy.py:1: power = 3",
        "copy.py:2: scope = 'global'",
        "copy.py:4: collapsed_below = 0.2",
    ]
