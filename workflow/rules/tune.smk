# Tuning (a sweep's `tune` entry, `snakemake tune_NAME`): every method of the sweep tried
# with the same number K of settings from its declared search space at each of the
# sweep's budgets and sparsities, trained on the training split at the tuning seed and
# scored on the validation split; the best by validation accuracy, per cell, is written to
# results/{sweep}/tune/winners.yaml, which the sweep's `tuned` key then reads. A trial is
# a sweep cell with its point on top: the sweep's rules, with the trial's settings.
TRIAL = paths.TRIAL


use rule sweep_prune as tune_prune with:
    output:
        **paths.bundle(f"{TRIAL}/pruned"),
    log:
        text=f"{TRIAL}/tune_prune.log",
        work=f"{TRIAL}/tune_prune.work.json",
    benchmark:
        f"{TRIAL}/tune_prune.benchmark.tsv"


use rule sweep_finetune as tune_finetune with:
    input:
        **bundle_of(rules.tune_prune),
        data=DATA_FILE,
    output:
        **paths.bundle(f"{TRIAL}/finetuned"),
    log:
        text=f"{TRIAL}/tune_finetune.log",
        work=f"{TRIAL}/tune_finetune.work.json",
    benchmark:
        f"{TRIAL}/tune_finetune.benchmark.tsv"


use rule sweep_evaluate as tune_evaluate with:
    input:
        **bundle_of(rules.tune_finetune),
        dense=lambda wildcards: paths.bundle(budget_checkpoint(wildcards))["model"],
        dense_litert=lambda wildcards: paths.bundle(budget_checkpoint(wildcards))[
            "litert"
        ],
        data=DATA_FILE,
    output:
        f"{TRIAL}/metrics.tsv",
    log:
        text=f"{TRIAL}/tune_evaluate.log",
        work=f"{TRIAL}/tune_evaluate.work.json",
    benchmark:
        f"{TRIAL}/tune_evaluate.benchmark.tsv"


rule tune_select:
    input:
        trials=lambda wildcards: paths.trial_files(
            SWEEPS[wildcards.sweep], "metrics.tsv"
        ),
    output:
        trials="results/{sweep}/tune/trials.tsv",
        winners="results/{sweep}/tune/winners.yaml",
    log:
        text="results/{sweep}/tune/tune_select.log",
        work="results/{sweep}/tune/tune_select.work.json",
    benchmark:
        "results/{sweep}/tune/tune_select.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        # The keys each method searched: the winners table holds those settings.
        searched=lambda wildcards: SWEEPS[wildcards.sweep].searched_keys(config),
        code=code_meaning("tune_select"),
    script:
        "../scripts/tune_select.py"


# One target per tuned sweep: `snakemake tune_NAME`.
for sweep in SWEEPS:
    if SWEEPS[sweep].tune["trials"]:

        rule:
            name:
                f"tune_{sweep}"
            input:
                f"results/{sweep}/tune/winners.yaml",
