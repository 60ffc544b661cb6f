# The sparsity sweep: every method at every sweep sparsity, with equal total retraining,
# at a few budgets. Its own target (`snakemake sweep`), not part of the default run.


use rule prune as sweep_prune with:
    output:
        state=f"{SWEEP.run}/pruned.npz",
        model=f"{SWEEP.run}/pruned.keras",
        litert=f"{SWEEP.run}/pruned.tflite",
        litert_sparse=f"{SWEEP.run}/pruned.sparse.tflite",
    log:
        f"{SWEEP.run}/prune.log",
    benchmark:
        f"{SWEEP.run}/prune.benchmark.tsv"
    params:
        **sweep_prune_params(SWEEP),
        code=code_meaning("prune"),


use rule finetune as sweep_finetune with:
    input:
        state=rules.sweep_prune.output.state,
        model=rules.sweep_prune.output.model,
        litert=rules.sweep_prune.output.litert,
        litert_sparse=rules.sweep_prune.output.litert_sparse,
        data=DATA_FILE,
    output:
        state=f"{SWEEP.run}/finetuned.npz",
        model=f"{SWEEP.run}/finetuned.keras",
        litert=f"{SWEEP.run}/finetuned.tflite",
        litert_sparse=f"{SWEEP.run}/finetuned.sparse.tflite",
    log:
        f"{SWEEP.run}/finetune.log",
    benchmark:
        f"{SWEEP.run}/finetune.benchmark.tsv"
    resources:
        mem_mb=retried(2500),
        runtime=finetune_minutes(sweep_finetune_epochs(SWEEP)),
    params:
        **sweep_finetune_params(SWEEP),
        code=code_meaning("finetune"),


use rule evaluate as sweep_evaluate with:
    input:
        state=rules.sweep_finetune.output.state,
        model=rules.sweep_finetune.output.model,
        litert=rules.sweep_finetune.output.litert,
        litert_sparse=rules.sweep_finetune.output.litert_sparse,
        dense="results/seed{seed}/pretrain/epoch{budget}.keras",
        dense_litert="results/seed{seed}/pretrain/epoch{budget}.tflite",
        data=DATA_FILE,
    output:
        f"{SWEEP.run}/metrics.tsv",
    log:
        f"{SWEEP.run}/evaluate.log",
    benchmark:
        f"{SWEEP.run}/evaluate.benchmark.tsv"
    params:
        **sweep_evaluate_params(SWEEP),
        code=code_meaning("evaluate"),


# The latency of each cell's exported model over the dense checkpoint, timed alone.
use rule time_inference as sweep_time_inference with:
    input:
        pruned=rules.sweep_finetune.output.model,
        dense="results/seed{seed}/pretrain/epoch{budget}.keras",
        pruned_litert=rules.sweep_finetune.output.litert,
        dense_litert="results/seed{seed}/pretrain/epoch{budget}.tflite",
        data=DATA_FILE,
    output:
        f"{SWEEP.run}/timing.tsv",
    log:
        f"{SWEEP.run}/timing.log",
    benchmark:
        f"{SWEEP.run}/timing.benchmark.tsv"


use rule aggregate as sweep_aggregate with:
    input:
        tables=SWEEP.files("metrics.tsv"),
        timings=SWEEP.files("timing.tsv"),
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
