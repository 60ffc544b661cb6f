# The sweeps (config `sweeps`, one entry each): every method of a sweep at each of its
# sparsities and budgets, with equal training after the checkpoint, into results/{sweep}/.
# Each sweep is its own target (`snakemake NAME`), not part of the default run. One rule
# set serves them all: a new sweep is a config entry. Every log, work record and benchmark
# file, here and in the other rule files, is named [STEM.]RULE.log, [STEM.]RULE.work.json
# and [STEM.]RULE.benchmark.tsv, so that whatever reads them later (benchmarks/cost.py)
# finds the rule in the path.


use rule prune as sweep_prune with:
    output:
        state=f"{CELL}/pruned.npz",
        model=f"{CELL}/pruned.keras",
        litert=f"{CELL}/pruned.tflite",
        litert_sparse=f"{CELL}/pruned.sparse.tflite",
    log:
        text=f"{CELL}/sweep_prune.log",
        work=f"{CELL}/sweep_prune.work.json",
    benchmark:
        f"{CELL}/sweep_prune.benchmark.tsv"
    params:
        data_sha256=DATA_SHA256,
        network=NETWORK,
        seed=lambda wildcards: int(wildcards.seed),
        algorithm=algorithm,
        method=method_params,
        train=method_training,
        data=DATA_SUBSET,
        code=pruning_code,


use rule finetune as sweep_finetune with:
    input:
        state=rules.sweep_prune.output.state,
        model=rules.sweep_prune.output.model,
        litert=rules.sweep_prune.output.litert,
        litert_sparse=rules.sweep_prune.output.litert_sparse,
        data=DATA_FILE,
    output:
        state=f"{CELL}/finetuned.npz",
        model=f"{CELL}/finetuned.keras",
        litert=f"{CELL}/finetuned.tflite",
        litert_sparse=f"{CELL}/finetuned.sparse.tflite",
    log:
        text=f"{CELL}/sweep_finetune.log",
        work=f"{CELL}/sweep_finetune.work.json",
    benchmark:
        f"{CELL}/sweep_finetune.benchmark.tsv"
    params:
        data_sha256=DATA_SHA256,
        network=NETWORK,
        seed=lambda wildcards: int(wildcards.seed),
        epochs=finetune_epochs,
        granularity=lambda wildcards: job_settings(wildcards)["granularity"],
        train=method_training,
        data=DATA_SUBSET,
        code=code_meaning("finetune"),


use rule evaluate as sweep_evaluate with:
    input:
        state=rules.sweep_finetune.output.state,
        model=rules.sweep_finetune.output.model,
        litert=rules.sweep_finetune.output.litert,
        litert_sparse=rules.sweep_finetune.output.litert_sparse,
        dense=lambda wildcards: f"{budget_checkpoint(wildcards)}.keras",
        dense_litert=lambda wildcards: f"{budget_checkpoint(wildcards)}.tflite",
        data=DATA_FILE,
    output:
        f"{CELL}/metrics.tsv",
    log:
        text=f"{CELL}/sweep_evaluate.log",
        work=f"{CELL}/sweep_evaluate.work.json",
    benchmark:
        f"{CELL}/sweep_evaluate.benchmark.tsv"


# The latency of each cell's exported model over the dense checkpoint, timed alone.
use rule time_inference as sweep_time_inference with:
    input:
        pruned=rules.sweep_finetune.output.model,
        dense=lambda wildcards: f"{budget_checkpoint(wildcards)}.keras",
        pruned_litert=rules.sweep_finetune.output.litert,
        dense_litert=lambda wildcards: f"{budget_checkpoint(wildcards)}.tflite",
        data=DATA_FILE,
    output:
        f"{CELL}/timing.tsv",
    log:
        text=f"{CELL}/sweep_time_inference.log",
        work=f"{CELL}/sweep_time_inference.work.json",
    benchmark:
        f"{CELL}/sweep_time_inference.benchmark.tsv"


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
