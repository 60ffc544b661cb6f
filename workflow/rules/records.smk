# The benchmark records of the default run: each job upstream of the metrics table, its
# rule, wildcards and benchmark file (`rules.<rule>.benchmark`). A rule feeding the table
# must be listed here: tests/test_workflow.py compares these jobs with those the smoke run
# ran, so one left out fails it.


def main_run_jobs():
    """(rule, wildcards) of every job upstream of the default run's metrics table."""
    seeds, budgets = config["seeds"], config["budgets"]
    epochs = range(1, experiment.last_pretraining_epoch(config) + 1)
    grid = [{"seed": s, "budget": b} for s in seeds for b in budgets]
    methods = config["methods"]
    return [
        *([] if USER_DATA else [("download", {"dataset": DATASET})]),
        *(("pretrain", {"seed": s, "epoch": e}) for s in seeds for e in epochs),
        *(
            (rule, job | {"method": m})
            for rule in ("prune", "finetune", "time_inference")
            for job in grid
            for m in methods
        ),
        *(("evaluate", job | {"model": m}) for job in grid for m in MODELS),
        ("aggregate", {}),
    ]


def benchmark_records():
    """Each job's rule, wildcards and benchmark file, sorted (params compare as text)."""
    records = [
        {
            "rule": rule,
            **wildcards,
            "path": str(getattr(rules, rule).benchmark).format(**wildcards),
        }
        for rule, wildcards in main_run_jobs()
    ]
    return sorted(records, key=lambda record: (record["rule"], record["path"]))
