# Settling a sweep's verdicts (`snakemake settle_NAME`, README "Settling verdicts"): the
# sweep's cells at its seeds, then every comparison judged by the sequential rule
# (fwprune.sequential), and `round` more seeds given to both cells of each comparison
# still undecided, up to `max_seeds` (the sweep's `settle` entry). Each look is a
# checkpoint: the cells of the next look are known only once it is judged. The cells are
# the sweep's own (sweep_prune, sweep_finetune, sweep_evaluate), so the cells a sweep or an
# earlier look finished are not run again.
wildcard_constraints:
    look=r"\d+",


checkpoint settle_look:
    input:
        metrics=lambda wildcards: cells_through(wildcards.sweep, int(wildcards.look)),
    output:
        "results/{sweep}/settle/look{look}.json",
    log:
        text="results/{sweep}/settle/look{look}.settle_look.log",
        work="results/{sweep}/settle/look{look}.settle_look.work.json",
    benchmark:
        "results/{sweep}/settle/look{look}.settle_look.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        settle=settle_params,
        verdicts=config["verdicts"],
        code=code_meaning("settle_look"),
    script:
        "../scripts/settle_look.py"


rule settle_report:
    input:
        unpack(settled_looks),
    output:
        table="results/{sweep}/settle/metrics.tsv",
        report=report(
            "results/{sweep}/settle/verdicts.md",
            caption="../report/settle_verdicts.rst",
            category="Sweeps",
            subcategory="{sweep}",
        ),
    log:
        text="results/{sweep}/settle/settle_report.log",
        work="results/{sweep}/settle/settle_report.work.json",
    benchmark:
        "results/{sweep}/settle/settle_report.benchmark.tsv"
    conda:
        "../../envs/fwprune.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        settle=settle_params,
        verdicts=config["verdicts"],
        code=code_meaning("settle_report"),
    script:
        "../scripts/settle_report.py"


# One target per sweep: `snakemake settle_NAME`.
for sweep in SWEEPS:

    rule:
        name:
            f"settle_{sweep}"
        input:
            f"results/{sweep}/settle/verdicts.md",
