# The benchmark records of the default run: every job upstream of the metrics table.
import functools


def producer(path):
    """The rule whose outputs (or log or benchmark) match `path`, None for a source file."""
    makers = [maker for maker in workflow.rules if maker.is_producer(path)]
    if len(makers) > 1:
        raise ValueError(f"{path} matches rules {[maker.name for maker in makers]}")
    return makers[0] if makers else None


def upstream_jobs(target):
    """(rule, wildcards) of the job making `target` and of every job upstream of it,
    walked as Snakemake's DAG walks: the rule producing a file, its wildcards from the
    path, its inputs for those wildcards. Call once every rule exists.

    Snakemake has no public API for its DAG inside a Snakefile; these are the methods of
    its rules that its DAG itself calls (`is_producer`, `get_wildcards`, `expand_input`).
    """
    jobs, pending, seen = set(), [target], set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        maker = producer(path)
        if maker is None:  # a source file
            continue
        wildcards = maker.get_wildcards(path)
        job = (maker, tuple(sorted(wildcards.items())))
        if job not in jobs:
            jobs.add(job)
            pending += map(str, maker.expand_input(wildcards)[0])
    return [(maker, dict(wildcards)) for maker, wildcards in jobs]


@functools.cache
def benchmark_records():
    """Each job upstream of the metrics table: its rule, wildcards (numbers as numbers)
    and benchmark file, from the DAG, so that none is left out. Sorted, as the records
    are params, which Snakemake compares as text."""
    jobs = upstream_jobs(rules.aggregate.output.table)
    unmeasured = sorted({maker.name for maker, _ in jobs if not maker.benchmark})
    if unmeasured:
        raise ValueError(
            f"rules {unmeasured} feed the metrics table without a benchmark:"
        )
    records = [
        {
            "rule": maker.name,
            **{key: int(v) if v.isdigit() else v for key, v in wildcards.items()},
            "path": str(maker.expand_benchmark(wildcards)),
        }
        for maker, wildcards in jobs
    ]
    return sorted(records, key=lambda record: (record["rule"], record["path"]))
