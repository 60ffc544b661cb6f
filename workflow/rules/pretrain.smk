rule pretrain:
    input:
        unpack(previous_checkpoint),
        data=DATA_FILE,
    output:
        state="results/seed{seed}/pretrain/epoch{epoch}.npz",
        model="results/seed{seed}/pretrain/epoch{epoch}.keras",
        # The model's LiteRT twins: float32, and in the converter's sparse format.
        litert="results/seed{seed}/pretrain/epoch{epoch}.tflite",
        litert_sparse="results/seed{seed}/pretrain/epoch{epoch}.sparse.tflite",
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
