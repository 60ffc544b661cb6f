# The sweeps (config `sweeps`, one entry each): every method of a sweep at each of its
# sparsities and budgets, with equal training after the checkpoint, into results/{sweep}/.
# Each sweep is its own target (`snakemake NAME`), not part of the default run. One rule
# set serves them all: a new sweep is a config entry. Every log, work record and benchmark
# file, here and in the other rule files, is named [STEM.]RULE.log, [STEM.]RULE.work.json
# and [STEM.]RULE.benchmark.tsv, so that whatever reads them later (benchmarks/cost.py)
# finds the rule in the path.


# Each per-model stage of the main run (a rule whose files are all in a model's folder,
# RUN/{method} or RUN/{model}) has its sweep twin, sweep_RULE: the same job on a cell, its
# files in the cell's folder, its inputs the twin's where the main rule reads its own
# folder (`derive_sweep_rule` in common.smk). A new stage's rule file is all it takes.
for stage in per_model_stages():
    derive_sweep_rule(stage)


use rule aggregate as sweep_aggregate with:
    input:
        unpack(sweep_tables),
    output:
        table="results/{sweep}/metrics.parquet",
        text="results/{sweep}/metrics.tsv",
    log:
        text="results/{sweep}/sweep_aggregate.log",
        work="results/{sweep}/sweep_aggregate.work.json",
    benchmark:
        "results/{sweep}/sweep_aggregate.benchmark.tsv"
    group:
        SWEEP_GROUPS[REPORT_GROUP]


rule sweep_plot:
    input:
        metrics=rules.sweep_aggregate.output.table,
    output:
        pdf="results/{sweep}/sparsity.pdf",
        png=report(
            "results/{sweep}/sparsity.png",
            caption="../report/sparsity_sweep.rst",
            category="Sweeps",
            subcategory="{sweep}",
        ),
    log:
        text="results/{sweep}/sweep_plot.log",
        work="results/{sweep}/sweep_plot.work.json",
    benchmark:
        "results/{sweep}/sweep_plot.benchmark.tsv"
    group:
        SWEEP_GROUPS[REPORT_GROUP]
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        verdicts=config["verdicts"],
        code=code_meaning("sweep_plot"),
    script:
        "../scripts/sweep_plot.py"


rule sweep_verdicts:
    input:
        metrics=rules.sweep_aggregate.output.table,
    output:
        report(
            "results/{sweep}/verdicts.md",
            caption="../report/sweep_verdicts.rst",
            category="Sweeps",
            subcategory="{sweep}",
        ),
    log:
        text="results/{sweep}/sweep_verdicts.log",
        work="results/{sweep}/sweep_verdicts.work.json",
    benchmark:
        "results/{sweep}/sweep_verdicts.benchmark.tsv"
    group:
        SWEEP_GROUPS[REPORT_GROUP]
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        verdicts=config["verdicts"],
        code=code_meaning("judge"),
        judge="sweep",
    script:
        "../scripts/judge.py"


# Accuracy against latency, large-batch time and size, of a timed sweep and the sweeps it
# is compared with (the filter sweep beside the unstructured one).
rule sweep_cost_plot:
    input:
        sweeps=lambda wildcards: paths.compared_tables(compared(wildcards)),
    output:
        pdf="results/{sweep}/accuracy_vs_cost.pdf",
        png=report(
            "results/{sweep}/accuracy_vs_cost.png",
            caption="../report/accuracy_vs_cost.rst",
            category="Sweeps",
            subcategory="{sweep}",
        ),
    log:
        text="results/{sweep}/sweep_cost_plot.log",
        work="results/{sweep}/sweep_cost_plot.work.json",
    benchmark:
        "results/{sweep}/sweep_cost_plot.benchmark.tsv"
    group:
        SWEEP_GROUPS[REPORT_GROUP]
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        verdicts=config["verdicts"],
        code=code_meaning("sweep_cost_plot"),
    script:
        "../scripts/sweep_cost_plot.py"


# What each model of those sweeps buys in ms and kB per point of accuracy it gives up,
# against the unpruned checkpoint's own evaluation.
rule sweep_tradeoffs:
    input:
        sweeps=lambda wildcards: paths.compared_tables(compared(wildcards)),
        base=lambda wildcards: paths.base_tables(compared(wildcards)),
    output:
        report(
            "results/{sweep}/tradeoffs.md",
            caption="../report/sweep_tradeoffs.rst",
            category="Sweeps",
            subcategory="{sweep}",
        ),
    log:
        text="results/{sweep}/sweep_tradeoffs.log",
        work="results/{sweep}/sweep_tradeoffs.work.json",
    benchmark:
        "results/{sweep}/sweep_tradeoffs.benchmark.tsv"
    group:
        SWEEP_GROUPS[REPORT_GROUP]
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("sweep_tradeoffs"),
    script:
        "../scripts/sweep_tradeoffs.py"


# One target per sweep, named as the sweep: `snakemake sweep`, `snakemake filter_sweep`.
for sweep in SWEEPS:

    rule:
        name:
            sweep
        input:
            paths.sweep_outputs(SWEEPS[sweep]),
