# The benchmark records of the default run: each job upstream of the metrics table, its
# rule, wildcards and benchmark file (`rules.<rule>.benchmark`). Derived from the rules:
# every rule of the main run with a benchmark file (no sweep, no tuning trial), but those
# that read the metrics table (the figures, the claims) and the records' own reader;
# tests/test_workflow.py compares these jobs with those the smoke run ran.


def main_run_values():
    """The values each wildcard of a main-run rule takes in the default run."""
    epochs = range(1, experiment.last_pretraining_epoch(config) + 1)
    return {
        "dataset": [] if USER_DATA else [DATASET],  # a user's file is never downloaded
        "seed": config["seeds"],
        "epoch": list(epochs),
        "budget": config["budgets"],
        "method": config["methods"],
        "model": MODELS,
    }


def upstream_of_the_table(base) -> bool:
    """A rule of the main run that the metrics table waits for."""
    table = set(map(str, rules.aggregate.output))
    return (
        base.benchmark is not None
        and not {"sweep", "trial"} & base.wildcard_names
        and not table & set(map(str, base.input))
        and "records" not in base.params.keys()  # the records' own reader
    )


def main_run_jobs():
    """(rule, wildcards) of every job upstream of the default run's metrics table."""
    values = main_run_values()
    jobs = []
    for base in filter(upstream_of_the_table, workflow.rules):
        names = sorted(base.wildcard_names)
        for combination in itertools.product(*(values[name] for name in names)):
            jobs.append((base.name, dict(zip(names, combination))))
    return jobs


def benchmark_records():
    """Each job's rule, wildcards and benchmark file, sorted (params compare as text)."""
    records = [
        {
            "rule": name,
            **wildcards,
            "path": str(getattr(rules, name).benchmark).format(**wildcards),
        }
        for name, wildcards in main_run_jobs()
    ]
    return sorted(records, key=lambda record: (record["rule"], record["path"]))
