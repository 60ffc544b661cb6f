"""Snakemake's command line in this process, which prints its own CPU and its children's
as it exits (docs/runs/snakemake-own-smoke/README.md)."""

import atexit
import resource
import sys

from snakemake.cli import main


def report():
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    sys.stderr.write(
        f"MAIN-SELF user {own.ru_utime:.2f} sys {own.ru_stime:.2f}; "
        f"CHILDREN user {children.ru_utime:.2f} sys {children.ru_stime:.2f}\n"
    )


atexit.register(report)
sys.argv = ["snakemake", *sys.argv[1:]]

main()
