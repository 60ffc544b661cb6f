rule download:
    input:
        library("data", "io"),
    output:
        "data/mnist.npz",
    log:
        "data/mnist.download.log",
    benchmark:
        "data/mnist.download.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        timeout=config["data"]["download_timeout"],
    script:
        "../scripts/download.py"
