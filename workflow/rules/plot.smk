rule plot:
    input:
        metrics=rules.aggregate.output[0],
        code=library("io", "plots"),
    output:
        accuracy="results/figures/accuracy.pdf",
        loss="results/figures/loss.pdf",
        nonzero="results/figures/nonzero.pdf",
        accuracy_png="results/figures/accuracy.png",
        loss_png="results/figures/loss.png",
        nonzero_png="results/figures/nonzero.png",
    log:
        "results/figures/plot.log",
    benchmark:
        "results/figures/plot.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/plot.py"
