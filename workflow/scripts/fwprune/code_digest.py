"""What the code a job runs means, as digests: the workflow's rerun key for code.

A job must rerun when its code changes meaning, not when a comment, a docstring or the
formatting changes. A file's digest is the SHA-256 of its syntax tree with docstrings
removed (comments and layout never reach the tree). A job's code is its script plus every
library module the script imports, directly or through other modules, read from the
import statements themselves, so the list cannot drift from the code. A subpackage of the
library (`fwprune.methods`, `fwprune.networks`) is a registry that imports every module in
its folder by discovery, with no import statement naming them: reaching it reaches all of
them, unless the job says which of them it runs (`only`): a prune job runs one method, so
an edit in another method's module, or a new method file, does not rerun it.

Pure: no Snakemake here. The digests move between Python versions, whose `ast.dump`
differs; a new Python reruns everything once, which a new interpreter may warrant anyway.
"""

import ast
import functools
import hashlib
from pathlib import Path

DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


# Cached by source text: the workflow asks for the digests of ~15 scripts (and a prune
# job's per method), which share most library modules; an edited file is new text.
@functools.cache
def meaning_digest(source: str) -> str:
    """SHA-256 of the syntax tree of `source` without docstrings (so also without comments,
    blank lines and layout, which the parser drops)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, DOCUMENTED) and node.body and is_docstring(node.body[0]):
            node.body = node.body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()


@functools.cache  # as meaning_digest
def imported_names(source: str, package: str, here: str | None = None) -> frozenset[str]:
    """Dotted names under `package` that `source` imports, anywhere in its code (imports
    inside functions too), with the packages holding them, which run first. `from p.m import
    f` yields `p`, `p.m` and `p.m.f`: whether `f` is a module is for the caller to see.
    A relative import is resolved from `here`, the package holding the source (`package`
    if not given)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # `from . import x` is from `here`, each further dot one package up.
            origin = (here or package).split(".")
            origin = origin[: len(origin) - node.level + 1]
            module = ".".join(filter(None, [*(origin if node.level else []), node.module]))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    parts = [name.split(".") for name in names if name.split(".")[0] == package]
    return frozenset(".".join(name[:end]) for name in parts for end in range(1, len(name) + 1))


def module_file(name: str, library: Path) -> Path | None:
    """The file of module `name` of the package in folder `library`; None for a name that
    is not a module (a function or class imported from one)."""
    folder = library.joinpath(*name.split(".")[1:])
    for path in (folder / "__init__.py", folder.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def holding_package(path: Path, library: Path) -> str:
    """The dotted name of the package holding the file `path` (the library for a script)."""
    if not path.is_relative_to(library):
        return library.name
    return ".".join(path.relative_to(library.parent).parent.parts)


def reached_modules(script: Path, library: Path, only: dict | None = None) -> list[Path]:
    """The files of the package in `library` that running `script` imports, transitively;
    a subpackage brings every module in its folder, or, if `only` maps its folder name to
    module names, just those (see the module docstring)."""
    only = only or {}
    reached, pending = set(), [script]
    while pending:
        path = pending.pop()
        here = holding_package(path, library)
        for name in imported_names(path.read_text(), library.name, here):
            found = module_file(name, library)
            if found is None:
                continue
            modules = [found]
            if found.name == "__init__.py" and found.parent != library:
                chosen = only.get(found.parent.name)
                modules = sorted(found.parent.glob("*.py"))
                if chosen is not None:
                    modules = [found, *(found.parent / f"{name}.py" for name in chosen)]
            for module in modules:
                if module not in reached:
                    reached.add(module)
                    pending.append(module)
    return sorted(reached)


def code_digests(script: Path, library: Path, only: dict | None = None) -> dict[str, str]:
    """{file: meaning digest} of `script` and of each library module it reaches, the files
    named relative to the folder holding the library (the scripts sit there too)."""
    files = [script, *reached_modules(script, library, only)]
    return {
        file.relative_to(library.parent).as_posix(): meaning_digest(file.read_text())
        for file in files
    }
