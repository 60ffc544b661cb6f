rule evaluate:
    input:
        unpack(evaluated_model),
        data=DATA_FILE,
    output:
        f"{RUN}/{{model}}/metrics.tsv",
    log:
        text=f"{RUN}/{{model}}/evaluate.log",
        work=f"{RUN}/{{model}}/evaluate.work.json",
    benchmark:
        f"{RUN}/{{model}}/evaluate.benchmark.tsv"
    group:
        SHORT_GROUP
    conda:
        "../../envs/fwprune.yaml"
    threads: config["threads"]
    resources:
        mem_mb=retried(2000),
        runtime=retried(SHORT_JOB_MINUTES),
    params:
        data_sha256=DATA_SHA256,
        row=row,
        data=DATA_SUBSET,
        keras_batch_size=KERAS_BATCH_SIZE,
        code=code_meaning("evaluate"),
    script:
        "../scripts/evaluate.py"


rule aggregate:
    input:
        # Each model's row, and the columns of every per-model stage (stages.smk).
        unpack(lambda wildcards: model_tables(config)),
    output:
        table="results/metrics.parquet",
        text=report(
            "results/metrics.tsv", caption="../report/metrics.rst", category="Metrics"
        ),
    log:
        text="results/aggregate.log",
        work="results/aggregate.work.json",
    benchmark:
        "results/aggregate.benchmark.tsv"
    group:
        REPORT_GROUP
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("aggregate"),
    script:
        "../scripts/aggregate.py"
