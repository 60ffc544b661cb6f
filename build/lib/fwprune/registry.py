"""Registries whose entries are files: a package that collects one declaration from every
module in its folder (`fwprune.methods`, `fwprune.networks`)."""

import importlib
import pkgutil


def discover(package: str, folder: list[str], attribute: str) -> dict:
    """{entry.name: entry} of the `attribute` of every module of `package` (its `__path__`
    is `folder`), in module-name order; two entries of one name are an error."""
    found = {}
    for module in pkgutil.iter_modules(folder):
        entry = getattr(importlib.import_module(f"{package}.{module.name}"), attribute)
        if entry.name in found:
            raise ValueError(f"two modules of {package} declare {entry.name!r}")
        found[entry.name] = entry
    return found
