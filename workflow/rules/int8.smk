# The int8 stage (README, "Int8 twins"): every model of the metrics table (base, methods,
# controls) also as a full-integer int8 LiteRT model, scored on the test set (its row's
# int8_* columns), and each method's timed against the unpruned model's int8 twin, as
# time_inference times the float32 twins. The sweeps' twins, sweep_int8 and
# sweep_time_int8, derive from these rules (stages.smk).


rule int8:
    input:
        unpack(evaluated_model),
        data=DATA_FILE,
    output:
        int8=f"{RUN}/{{model}}/int8.tflite",
        table=f"{RUN}/{{model}}/int8.tsv",
    log:
        text=f"{RUN}/{{model}}/int8.log",
        work=f"{RUN}/{{model}}/int8.work.json",
    benchmark:
        f"{RUN}/{{model}}/int8.benchmark.tsv"
    group:
        SHORT_GROUP
    conda:
        "../../envs/fwprune.yaml"
    threads: config["threads"]
    resources:
        mem_mb=retried(2500),
        runtime=retried(SHORT_JOB_MINUTES),
    params:
        measure="scores",
        data_sha256=DATA_SHA256,
        seed=lambda wildcards: int(wildcards.seed),
        data=DATA_SUBSET,
        int8=config["int8"],
        code=code_meaning("int8"),
    script:
        "../scripts/int8.py"


rule time_int8:
    input:
        pruned_int8=lambda wildcards: f"{RUN}/{wildcards.method}/int8.tflite".format(
            **wildcards
        ),
        dense_int8=lambda wildcards: f"{RUN}/base/int8.tflite".format(**wildcards),
        data=DATA_FILE,
    output:
        table=f"{RUN}/{{method}}/int8_timing.tsv",
    log:
        text=f"{RUN}/{{method}}/time_int8.log",
        work=f"{RUN}/{{method}}/time_int8.work.json",
    benchmark:
        f"{RUN}/{{method}}/time_int8.benchmark.tsv"
    group:
        TIMING_GROUP
    conda:
        "../../envs/fwprune.yaml"
    # Every core, as time_inference: no other job beside a timing job.
    threads: workflow.resource_settings.cores or 1
    resources:
        mem_mb=retried(1500),
        runtime=retried(5),
        slurm_extra=WHOLE_NODE,
    params:
        measure="latency",
        data_sha256=DATA_SHA256,
        seed=lambda wildcards: int(wildcards.seed),
        timing=TIMING,
        code=code_meaning("int8"),
    script:
        "../scripts/int8.py"
