from pathlib import Path

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

if config["fw_momentum"]["sparsity_init"] > config["fw_momentum"]["sparsity_final"]:
    raise ValueError(
        "config fw_momentum.sparsity_init "
        f"({config['fw_momentum']['sparsity_init']}) must not exceed "
        f"fw_momentum.sparsity_final ({config['fw_momentum']['sparsity_final']})"
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


def method_params(wildcards):
    return canonical(config[wildcards.method])


wildcard_constraints:
    seed=r"\d+",
    budget=r"\d+",
    epoch=r"\d+",
    method="|".join(["magnitude", "fw", "fw_momentum"]),
    model="base|magnitude|fw|fw_momentum",


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
    return expand("results/figures/{figure}.pdf", figure=FIGURES)
