rule time_inference:
    input:
        pruned=rules.finetune.output.model,
        dense="results/seed{seed}/pretrain/epoch{budget}.keras",
        data=DATA_FILE,
    output:
        f"{RUN}/{{method}}/timing.tsv",
    log:
        f"{RUN}/{{method}}/timing.log",
    benchmark:
        f"{RUN}/{{method}}/timing.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: config["timing"]["threads"]
    resources:
        mem_mb=retried(1500),
        runtime=retried(5),
    params:
        dataset=DATASET,
        seed=lambda wildcards: int(wildcards.seed),
        timing=TIMING,
        code=code_meaning("time_inference"),
    script:
        "../scripts/time_inference.py"
