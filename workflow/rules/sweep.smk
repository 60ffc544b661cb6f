# The sparsity sweep: every method at every sweep sparsity, with equal total retraining,
# at a few budgets. Its own target (`snakemake sweep`), not part of the default run.


use rule prune as sweep_prune with:
    output:
        state=f"{SWEEP_RUN}/pruned.npz",
        model=f"{SWEEP_RUN}/pruned.keras",
    log:
        f"{SWEEP_RUN}/prune.log",
    benchmark:
        f"{SWEEP_RUN}/prune.benchmark.tsv"
    params:
        seed=lambda wildcards: int(wildcards.seed),
        method=lambda wildcards: pruning_settings(sweep_params(wildcards)),
        train=TRAIN,
        data=DATA_SUBSET,
        data_sha256=DATA_SHA256,
        network=NETWORK,
        code=code_meaning("prune"),


use rule finetune as sweep_finetune with:
    input:
        state=rules.sweep_prune.output.state,
        model=rules.sweep_prune.output.model,
        data=DATA_FILE,
    output:
        state=f"{SWEEP_RUN}/finetuned.npz",
        model=f"{SWEEP_RUN}/finetuned.keras",
    log:
        f"{SWEEP_RUN}/finetune.log",
    benchmark:
        f"{SWEEP_RUN}/finetune.benchmark.tsv"
    params:
        seed=lambda wildcards: int(wildcards.seed),
        epochs=lambda wildcards: sweep_params(wildcards)["finetune_epochs"],
        granularity=lambda wildcards: sweep_params(wildcards)["granularity"],
        train=TRAIN,
        data=DATA_SUBSET,
        data_sha256=DATA_SHA256,
        network=NETWORK,
        code=code_meaning("finetune"),


use rule evaluate as sweep_evaluate with:
    input:
        state=rules.sweep_finetune.output.state,
        model=rules.sweep_finetune.output.model,
        dense="results/seed{seed}/pretrain/epoch{budget}.keras",
        data=DATA_FILE,
    output:
        f"{SWEEP_RUN}/metrics.tsv",
    log:
        f"{SWEEP_RUN}/evaluate.log",
    benchmark:
        f"{SWEEP_RUN}/evaluate.benchmark.tsv"
    params:
        row=sweep_row,
        data=DATA_SUBSET,
        data_sha256=DATA_SHA256,
        code=code_meaning("evaluate"),


use rule aggregate as sweep_aggregate with:
    input:
        tables=sweep_tables(),
        timings=[],
    output:
        table="results/sweep/metrics.parquet",
        text="results/sweep/metrics.tsv",
    log:
        "results/sweep/aggregate.log",
    benchmark:
        "results/sweep/aggregate.benchmark.tsv"


rule sweep_plot:
    input:
        metrics=rules.sweep_aggregate.output.table,
    output:
        pdf="results/figures/sparsity_sweep.pdf",
        png=report(
            "results/figures/sparsity_sweep.png",
            caption="../report/sparsity_sweep.rst",
            category="Sparsity sweep",
        ),
    log:
        "results/figures/sparsity_sweep.log",
    benchmark:
        "results/figures/sparsity_sweep.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("sweep_plot"),
    script:
        "../scripts/sweep_plot.py"


rule sweep_verdicts:
    input:
        metrics=rules.sweep_aggregate.output.table,
    output:
        report(
            "results/sweep/verdicts.md",
            caption="../report/sweep_verdicts.rst",
            category="Sparsity sweep",
        ),
    log:
        "results/sweep/verdicts.log",
    benchmark:
        "results/sweep/verdicts.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("sweep_verdicts"),
    script:
        "../scripts/sweep_verdicts.py"


rule sweep:
    input:
        rules.sweep_plot.output.pdf,
        rules.sweep_verdicts.output,
