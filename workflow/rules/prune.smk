rule prune:
    input:
        state=lambda wildcards: f"{budget_checkpoint(wildcards)}.npz",
        data=DATA_FILE,
    output:
        # With its LiteRT twins: a fine-tune of 0 epochs copies them, with no TensorFlow.
        **paths.bundle(f"{RUN}/{{method}}/pruned"),
    log:
        text=f"{RUN}/{{method}}/prune.log",
        work=f"{RUN}/{{method}}/prune.work.json",
    benchmark:
        f"{RUN}/{{method}}/prune.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: config["threads"]
    resources:
        mem_mb=retried(2500),
        runtime=training_minutes(experiment.most_epochs(config)),
    params:
        data_sha256=DATA_SHA256,
        network=NETWORK,
        seed=lambda wildcards: int(wildcards.seed),
        algorithm=algorithm,
        method=method_params,
        train=method_training,
        data=DATA_SUBSET,
        code=pruning_code,
    script:
        "../scripts/prune.py"


rule finetune:
    input:
        **bundle_of(rules.prune),
        data=DATA_FILE,
    output:
        **paths.bundle(f"{RUN}/{{method}}/finetuned"),
    log:
        text=f"{RUN}/{{method}}/finetune.log",
        work=f"{RUN}/{{method}}/finetune.work.json",
    benchmark:
        f"{RUN}/{{method}}/finetune.benchmark.tsv"
    group:
        SHORT_GROUP
    conda:
        "../../envs/fwprune.yaml"
    threads: config["threads"]
    resources:
        mem_mb=retried(2500),
        runtime=training_minutes(finetune_epochs),
    params:
        data_sha256=DATA_SHA256,
        network=NETWORK,
        seed=lambda wildcards: int(wildcards.seed),
        epochs=finetune_epochs,
        # The exported model: physically smaller with filter pruning.
        granularity=lambda wildcards: job_settings(wildcards)["granularity"],
        train=method_training,
        data=DATA_SUBSET,
        code=code_meaning("finetune"),
    script:
        "../scripts/finetune.py"
