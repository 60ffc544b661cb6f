rule download:
    input:
        library("data", "io"),
    output:
        "data/{dataset}.npz",
    log:
        "data/{dataset}.download.log",
    benchmark:
        "data/{dataset}.download.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        dataset=lambda wildcards: wildcards.dataset,
        timeout=config["data"]["download_timeout"],
    script:
        "../scripts/download.py"
