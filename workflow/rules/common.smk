from pathlib import Path

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

for section in ("fw_momentum", "gmp"):
    if config[section]["sparsity_init"] > config[section]["sparsity_final"]:
        raise ValueError(
            f"config {section}.sparsity_init ({config[section]['sparsity_init']}) "
            f"must not exceed {section}.sparsity_final ({config[section]['sparsity_final']})"
        )

METHODS = config["methods"]
# The library sits beside the scripts, where Snakemake puts every script's imports on
# sys.path: jobs find it installed or not, in conda envs and on cluster nodes alike.
LIBRARY = Path(workflow.basedir) / "workflow" / "scripts" / "fwprune"
RUN = "results/seed{seed}/budget{budget}"


def canonical(settings):
    """Settings as params in a fixed key order: Snakemake compares params by their text,
    so reordering keys in a config file must not rerun anything."""
    return dict(sorted(settings.items()))


# The data settings that change the numbers (not, say, the download timeout).
DATA_SUBSET = canonical(
    {key: config["data"][key] for key in ("train_size", "test_size", "subset_seed")}
)
TRAIN = canonical(config["train"])
DATASET = config["data"]["dataset"]
DATA_FILE = f"data/{DATASET}.npz"


def method_params(wildcards):
    return canonical(config[wildcards.method])


wildcard_constraints:
    seed=r"\d+",
    budget=r"\d+",
    epoch=r"\d+",
    method="magnitude|fw|fw_momentum|gmp",
    model="base|magnitude|fw|fw_momentum|gmp",
    dataset="mnist|fashion_mnist",


def library(*modules):
    """The library modules a script imports: inputs, so that editing one reruns the rule."""
    return [
        str(LIBRARY / f"{module}.py") for module in ("__init__", "runtime", *modules)
    ]


def previous_checkpoint(wildcards):
    """Epoch k trains on from epoch k-1; epoch 1 starts from a fresh initialisation."""
    epoch = int(wildcards.epoch)
    if epoch == 1:
        return {}
    return {
        "state": f"results/seed{wildcards.seed}/pretrain/epoch{epoch - 1}.npz",
    }


def evaluated_model(wildcards):
    """The base model of a budget is its pre-training checkpoint; a method's, its fine-tuned one."""
    if wildcards.model == "base":
        stem = f"results/seed{wildcards.seed}/pretrain/epoch{wildcards.budget}"
    else:
        stem = f"{RUN}/{wildcards.model}/finetuned".format(**wildcards)
    return {"state": f"{stem}.npz", "model": f"{stem}.keras"}


def run_description(wildcards):
    """The config values that produced one row of the metrics table."""
    method = {} if wildcards.model == "base" else canonical(config[wildcards.model])
    return {
        "seed": int(wildcards.seed),
        "budget": int(wildcards.budget),
        "method": wildcards.model,
        "dataset": DATASET,
        **{f"train_{key}": value for key, value in TRAIN.items()},
        **{f"data_{key}": value for key, value in DATA_SUBSET.items()},
        **{f"param_{key}": value for key, value in method.items()},
    }


def metrics_tables():
    return expand(
        f"{RUN}/{{model}}/metrics.tsv",
        seed=config["seeds"],
        budget=config["budgets"],
        model=["base", *METHODS],
    )


def timing_tables():
    return expand(
        f"{RUN}/{{method}}/timing.tsv",
        seed=config["seeds"],
        budget=config["budgets"],
        method=METHODS,
    )


FIGURES = ["accuracy", "loss", "nonzero", "inference_time"]


def final_outputs():
    return [
        *expand("results/figures/{figure}.pdf", figure=FIGURES),
        "results/benchmarks.parquet",
    ]


def pipeline_jobs():
    """(rule, wildcards) of every job upstream of the metrics table."""
    jobs = [("download", {"dataset": DATASET}), ("aggregate", {})]
    for seed in config["seeds"]:
        jobs += [
            ("pretrain", {"seed": seed, "epoch": epoch})
            for epoch in range(1, max(config["budgets"]) + 1)
        ]
        for budget in config["budgets"]:
            run = {"seed": seed, "budget": budget}
            jobs += [
                ("evaluate", run | {"model": model}) for model in ["base", *METHODS]
            ]
            for method in METHODS:
                jobs += [
                    (rule, run | {"method": method})
                    for rule in ("prune", "finetune", "time_inference")
                ]
    return jobs


def benchmark_records():
    """Each job's rule, wildcards and benchmark file (call once all rules exist)."""
    return [
        {
            "rule": rule,
            **wildcards,
            "path": str(getattr(rules, rule).benchmark).format(**wildcards),
        }
        for rule, wildcards in pipeline_jobs()
    ]
