rule plot:
    input:
        metrics=rules.aggregate.output.table,
    output:
        **{name: f"results/figures/{name}.pdf" for name in paths.FIGURES},
        **{
            f"{name}_png": report(
                f"results/figures/{name}.png",
                caption=f"../report/{name}.rst",
                category="Figures",
            )
            for name in paths.FIGURES
        },
    log:
        text="results/figures/plot.log",
        work="results/figures/plot.work.json",
    benchmark:
        "results/figures/plot.benchmark.tsv"
    group:
        REPORT_GROUP
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("plot"),
    script:
        "../scripts/plot.py"


rule claims:
    input:
        metrics=rules.aggregate.output.table,
    output:
        report("results/claims.md", caption="../report/claims.rst", category="Metrics"),
    log:
        text="results/claims.log",
        work="results/claims.work.json",
    benchmark:
        "results/claims.benchmark.tsv"
    group:
        REPORT_GROUP
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=code_meaning("judge"),
        judge="claims",
        verdicts=config["verdicts"],
    script:
        "../scripts/judge.py"
