rule pretrain:
    input:
        unpack(previous_checkpoint),
        data=DATA_FILE,
    output:
        **paths.bundle(paths.CHECKPOINT),
    log:
        text="results/seed{seed}/pretrain/epoch{epoch}.pretrain.log",
        work="results/seed{seed}/pretrain/epoch{epoch}.pretrain.work.json",
    benchmark:
        "results/seed{seed}/pretrain/epoch{epoch}.pretrain.benchmark.tsv"
    # The checkpoint chain is the critical path: every later budget waits for it.
    priority: 10
    conda:
        "../../envs/fwprune.yaml"
    threads: config["threads"]
    resources:
        mem_mb=retried(2500),
        runtime=training_minutes(1),
    params:
        data_sha256=DATA_SHA256,
        network=NETWORK,
        seed=lambda wildcards: int(wildcards.seed),
        train=TRAIN,
        data=DATA_SUBSET,
        code=code_meaning("pretrain"),
    script:
        "../scripts/pretrain.py"
