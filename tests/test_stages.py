"""A new stage is one rule file: dropped into workflow/rules/ of a copy of the workflow, it
runs on every method of the default run and of a sweep, its table joins the metrics, its
jobs join the benchmark records, and on SLURM they join their budget's group, with no
other file edited (workflow/rules/stages.smk). Dry runs only."""

import re
import shutil

import yaml

from conftest import REPO, copy_workflow, job_stats, run_snakemake

# A per-model stage after fine-tuning: a table of each fine-tuned model, in the short group.
STAGE = """
rule shrink:
    input:
        model=rules.finetune.output.model,
    output:
        f"{RUN}/{{method}}/shrink.tsv",
    log:
        text=f"{RUN}/{{method}}/shrink.log",
    benchmark:
        f"{RUN}/{{method}}/shrink.benchmark.tsv"
    group:
        SHORT_GROUP
    script:
        "../scripts/shrink.py"
"""
SMOKE = yaml.safe_load((REPO / "tests" / "smoke.yaml").read_text())


def with_stage(tmp_path):
    workdir = copy_workflow(tmp_path)
    shutil.copytree(REPO / "slurm", workdir / "slurm")
    (workdir / "workflow" / "rules" / "shrink.smk").write_text(STAGE)
    (workdir / "workflow" / "scripts" / "shrink.py").write_text("")  # never run: dry runs
    return workdir


def dry_run(workdir, *arguments) -> str:
    """The stdout of a dry run of the smoke config, every job forced."""
    return run_snakemake(workdir, "-n", "-F", *arguments, "--configfile", "tests/smoke.yaml").stdout


def test_a_new_stage_file_joins_the_runs_the_records_and_the_groups(tmp_path):
    workdir = with_stage(tmp_path)
    methods = len(SMOKE["methods"]) * len(SMOKE["seeds"]) * len(SMOKE["budgets"])
    planned = job_stats(dry_run(workdir, "results/benchmarks.parquet"))
    # The metrics table waits for every method's table, and the records for their benchmarks.
    assert planned["shrink"] == methods
    sweep = next(iter(SMOKE["sweeps"]))
    assert job_stats(dry_run(workdir, sweep))["sweep_shrink"] > 0
    grouped = dry_run(workdir, "--profile", "slurm", "results/metrics.parquet")
    groups = re.findall(
        r"Group job (\S+) \(jobs in lexicogr\. order\):\n\n((?:    .*\n)+)", grouped
    )
    in_groups = [name for name, members in groups if "rule shrink:" in members]
    assert len(in_groups) == len(SMOKE["seeds"]) * len(SMOKE["budgets"])
    assert all(name.startswith("short_s") for name in in_groups)
