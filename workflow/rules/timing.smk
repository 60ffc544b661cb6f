rule time_inference:
    input:
        pruned=rules.finetune.output.model,
        dense=lambda wildcards: f"{budget_checkpoint(wildcards)}.keras",
        # The LiteRT twins, timed with the default `timing.runtime: litert`.
        pruned_litert=rules.finetune.output.litert,
        dense_litert=lambda wildcards: f"{budget_checkpoint(wildcards)}.tflite",
        data=DATA_FILE,
    output:
        f"{RUN}/{{method}}/timing.tsv",
    log:
        text=f"{RUN}/{{method}}/time_inference.log",
        work=f"{RUN}/{{method}}/time_inference.work.json",
    benchmark:
        f"{RUN}/{{method}}/time_inference.benchmark.tsv"
    group:
        TIMING_GROUP
    conda:
        "../../envs/fwprune.yaml"
    # Every core of a local run (--cores), so that Snakemake starts no other job beside a
    # timing job: the runtime uses timing.threads, in the timing param. On SLURM the profile sets
    # cores: 1, so the job asks for one CPU and a node of its own (slurm/config.yaml).
    threads: workflow.resource_settings.cores or 1
    resources:
        mem_mb=retried(1500),
        runtime=retried(5),
        slurm_extra=WHOLE_NODE,
    params:
        data_sha256=DATA_SHA256,
        seed=lambda wildcards: int(wildcards.seed),
        timing=TIMING,
        code=code_meaning("time_inference"),
    script:
        "../scripts/time_inference.py"
