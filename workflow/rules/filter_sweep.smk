# The filter sweep: every method pruning whole filters at every fraction, with the sweep's
# equal retraining and timing, and accuracy against latency and size of both sweeps. Its
# own target (`snakemake filter_sweep`), not part of the default run; it needs the sweep.


use rule sweep_prune as filter_sweep_prune with:
    output:
        state=f"{FILTER_SWEEP.run}/pruned.npz",
        model=f"{FILTER_SWEEP.run}/pruned.keras",
        litert=f"{FILTER_SWEEP.run}/pruned.tflite",
        litert_sparse=f"{FILTER_SWEEP.run}/pruned.sparse.tflite",
    log:
        f"{FILTER_SWEEP.run}/prune.log",
    benchmark:
        f"{FILTER_SWEEP.run}/prune.benchmark.tsv"
    params:
        **sweep_prune_params(FILTER_SWEEP),
        code=code_meaning("prune"),


use rule sweep_finetune as filter_sweep_finetune with:
    input:
        state=rules.filter_sweep_prune.output.state,
        model=rules.filter_sweep_prune.output.model,
        litert=rules.filter_sweep_prune.output.litert,
        litert_sparse=rules.filter_sweep_prune.output.litert_sparse,
        data=DATA_FILE,
    output:
        state=f"{FILTER_SWEEP.run}/finetuned.npz",
        model=f"{FILTER_SWEEP.run}/finetuned.keras",
        litert=f"{FILTER_SWEEP.run}/finetuned.tflite",
        litert_sparse=f"{FILTER_SWEEP.run}/finetuned.sparse.tflite",
    log:
        f"{FILTER_SWEEP.run}/finetune.log",
    benchmark:
        f"{FILTER_SWEEP.run}/finetune.benchmark.tsv"
    resources:
        mem_mb=retried(2500),
        runtime=finetune_minutes(sweep_finetune_epochs(FILTER_SWEEP)),
    params:
        **sweep_finetune_params(FILTER_SWEEP),
        code=code_meaning("finetune"),


use rule sweep_evaluate as filter_sweep_evaluate with:
    input:
        state=rules.filter_sweep_finetune.output.state,
        model=rules.filter_sweep_finetune.output.model,
        litert=rules.filter_sweep_finetune.output.litert,
        litert_sparse=rules.filter_sweep_finetune.output.litert_sparse,
        dense="results/seed{seed}/pretrain/epoch{budget}.keras",
        dense_litert="results/seed{seed}/pretrain/epoch{budget}.tflite",
        data=DATA_FILE,
    output:
        f"{FILTER_SWEEP.run}/metrics.tsv",
    log:
        f"{FILTER_SWEEP.run}/evaluate.log",
    benchmark:
        f"{FILTER_SWEEP.run}/evaluate.benchmark.tsv"
    params:
        **sweep_evaluate_params(FILTER_SWEEP),
        code=code_meaning("evaluate"),


use rule sweep_time_inference as filter_sweep_time_inference with:
    input:
        pruned=rules.filter_sweep_finetune.output.model,
        dense="results/seed{seed}/pretrain/epoch{budget}.keras",
        pruned_litert=rules.filter_sweep_finetune.output.litert,
        dense_litert="results/seed{seed}/pretrain/epoch{budget}.tflite",
        data=DATA_FILE,
    output:
        f"{FILTER_SWEEP.run}/timing.tsv",
    log:
        f"{FILTER_SWEEP.run}/timing.log",
    benchmark:
        f"{FILTER_SWEEP.run}/timing.benchmark.tsv"


use rule sweep_aggregate as filter_sweep_aggregate with:
    input:
        tables=FILTER_SWEEP.files("metrics.tsv"),
        timings=FILTER_SWEEP.files("timing.tsv"),
    output:
        table="results/filter_sweep/metrics.parquet",
        text="results/filter_sweep/metrics.tsv",
    log:
        "results/filter_sweep/aggregate.log",
    benchmark:
        "results/filter_sweep/aggregate.benchmark.tsv"


rule filter_sweep_plot:
    input:
        sweeps=[
            rules.sweep_aggregate.output.table,
            rules.filter_sweep_aggregate.output.table,
        ],
    output:
        pdf="results/figures/accuracy_vs_cost.pdf",
        png=report(
            "results/figures/accuracy_vs_cost.png",
            caption="../report/accuracy_vs_cost.rst",
            category="Filter sweep",
        ),
    log:
        "results/figures/accuracy_vs_cost.log",
    benchmark:
        "results/figures/accuracy_vs_cost.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("filter_sweep_plot"),
    script:
        "../scripts/filter_sweep_plot.py"


# What each model of both sweeps buys in ms and kB per point of accuracy it gives up,
# against the unpruned checkpoint's own evaluation.
rule filter_sweep_tradeoffs:
    input:
        sweeps=rules.filter_sweep_plot.input.sweeps,
        base=expand(
            f"{RUN}/base/metrics.tsv",
            seed=config["seeds"],
            budget=FILTER_SWEEP.budgets,
        ),
    output:
        report(
            "results/filter_sweep/tradeoffs.md",
            caption="../report/filter_sweep_tradeoffs.rst",
            category="Filter sweep",
        ),
    log:
        "results/filter_sweep/tradeoffs.log",
    benchmark:
        "results/filter_sweep/tradeoffs.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("filter_sweep_tradeoffs"),
    script:
        "../scripts/filter_sweep_tradeoffs.py"


rule filter_sweep:
    input:
        rules.filter_sweep_plot.output.pdf,
        rules.filter_sweep_tradeoffs.output,
