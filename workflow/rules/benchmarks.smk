rule benchmarks:
    input:
        benchmarks=lambda wildcards: [record["path"] for record in benchmark_records()],
    output:
        table="results/benchmarks.parquet",
        figure="results/figures/time_per_stage.pdf",
        figure_png=report(
            "results/figures/time_per_stage.png",
            caption="../report/time_per_stage.rst",
            category="Performance",
        ),
    log:
        text="results/benchmarks.log",
        work="results/benchmarks.work.json",
    benchmark:
        "results/benchmarks.benchmark.tsv"
    group:
        REPORT_GROUP
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        records=lambda wildcards: benchmark_records(),
        code=code_meaning("benchmarks"),
    script:
        "../scripts/benchmarks.py"
