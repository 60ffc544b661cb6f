rule download:
    output:
        "data/{dataset}.npz",
    log:
        text="data/{dataset}.download.log",
        work="data/{dataset}.download.work.json",
    benchmark:
        "data/{dataset}.download.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    # The file is defined by its pinned digest, which the download checks: that, not the
    # fetching code, is what reruns it (README, "What reruns when").
    params:
        pinned=lambda wildcards: DATASETS[wildcards.dataset].sha256,
    script:
        "../scripts/download.py"
