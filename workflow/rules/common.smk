import json
import sys
import tempfile
from pathlib import Path

import yaml
from snakemake.utils import validate

# The library sits beside the scripts, where Snakemake puts every script's imports on
# sys.path: jobs find it installed or not, in conda envs and on cluster nodes alike.
LIBRARY = Path(workflow.basedir) / "workflow" / "scripts" / "fwprune"
sys.path.insert(0, str(LIBRARY.parent))
from fwprune import experiment, names, networks
from fwprune.code_digest import code_digests
from fwprune.methods import config_schema  # numpy only: cheap to import here
from fwprune.sources import DATASETS  # no TensorFlow either


def validate_config(schema_file):
    """Validate the config against the schema with each registered method's section, and
    the registered networks and data sets as allowed values, added (and fill in the
    defaults), naming the key and the bound of a bad value."""
    schema = networks.config_schema(
        config_schema(yaml.safe_load(Path(schema_file).read_text()))
    )
    schema["properties"]["data"]["properties"]["dataset"]["enum"] = list(DATASETS)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.schema.json"
        path.write_text(json.dumps(schema))
        validate(config, schema=str(path))


validate_config(LIBRARY.parents[1] / "schemas" / "config.schema.yaml")
experiment.check(config)

METHODS = config["methods"]
MODELS = experiment.models(config)
SWEEPS = experiment.sweeps(config)
RUN = "results/seed{seed}/budget{budget}"
# A cell of a sweep: results/{sweep}/ holds one folder per seed, budget, method, sparsity.
CELL = "results/{sweep}/seed{seed}/budget{budget}/{method}/sparsity{sparsity}"
CHECKPOINT = "results/seed{seed}/pretrain/epoch{epoch}"
# The data settings that change the numbers (not, say, the download timeout).
DATA_SUBSET = {
    key: config["data"][key] for key in ("subset_seed", "test_size", "train_size")
}
TRAIN = dict(sorted(config["train"].items()))
# Timing settings that change the measurement (the thread count reaches the job as threads).
TIMING = {
    key: value for key, value in sorted(config["timing"].items()) if key != "threads"
}
DATASET = config["data"]["dataset"]
DATA_FILE = f"data/{DATASET}.npz"
# Every job reading the data file checks it against the pin, its param: a new pin reruns
# them, a new source or data set does not (README, "What reruns when").
DATA_SHA256 = DATASETS[DATASET].sha256
# The network every job that builds a model builds (a param of exactly those rules).
NETWORK = config["network"]


def method_params(wildcards):
    """What a main-run prune job reads of its method's settings."""
    settings = experiment.section(config, wildcards.method)
    return experiment.pruning_settings(experiment.used_settings(settings))


def algorithm(wildcards):
    """The registered method a job's method name runs (a variant runs its method)."""
    return experiment.base_method(config, wildcards.method)


def cell_settings(wildcards):
    """A method's settings in a sweep's cell."""
    sweep = SWEEPS[wildcards.sweep]
    return sweep.cell_settings(config, wildcards.method, float(wildcards.sparsity))


def code_meaning(script):
    """The digests of what the rule's script and the library modules it imports mean, as
    params: a changed line reruns exactly the rules that reach it, a comment reruns nothing
    (README, "What reruns when")."""
    return code_digests(LIBRARY.parent / f"{script}.py", LIBRARY)


wildcard_constraints:
    seed=r"\d+",
    budget=r"\d+",
    epoch=r"\d+",
    method="|".join(experiment.method_names(config)),
    model=names.model_pattern(experiment.method_names(config)),
    dataset="|".join(DATASETS),
    sparsity=r"0\.\d+",
    sweep="|".join(SWEEPS) or "(?!)",  # (?!) matches nothing: no sweep configured


# Resources, from the benchmark files of a full run on a 2-core machine (docs/performance.md):
# peak memory 0.9-1.5 GB per job, a full-data training epoch 12-15 s of one core (50 s on
# a loaded machine). Each retry asks for `attempt` times as much, so that a job a cluster
# killed for memory or time gets more.
MINUTES_PER_EPOCH = 2
# A job that trains nothing (an evaluation, a fine-tune of 0 epochs, which copies): 5-25 s
# measured. Grouped on a cluster, these minutes add up to a group job's request.
SHORT_JOB_MINUTES = 2


def retried(amount):
    """A resource of `amount` times the attempt."""
    return lambda wildcards, attempt: amount * attempt


def training_minutes(epochs):
    """Run time of a job that trains at most `epochs` epochs (5 minutes plus 2 per epoch);
    a copy (0 epochs) is a short job. `epochs` may be a function of the wildcards."""

    def minutes(wildcards, attempt):
        count = epochs(wildcards) if callable(epochs) else epochs
        if count == 0:
            return SHORT_JOB_MINUTES * attempt
        return (5 + MINUTES_PER_EPOCH * count) * attempt

    return minutes


def finetune_epochs(wildcards):
    """The fine-tuning epochs of a job: a main-run method's own, or its sweep cell's."""
    if "sweep" in wildcards.keys():
        return cell_settings(wildcards)["finetune_epochs"]
    return experiment.section(config, wildcards.method)["finetune_epochs"]


def previous_checkpoint(wildcards):
    """Epoch k trains on from epoch k-1; epoch 1 starts from a fresh initialisation."""
    epoch = int(wildcards.epoch)
    if epoch == 1:
        return {}
    return {"state": CHECKPOINT.format(seed=wildcards.seed, epoch=epoch - 1) + ".npz"}


def budget_checkpoint(wildcards):
    """The unpruned model of a job's budget, which it prunes or is compared with."""
    return CHECKPOINT.format(seed=wildcards.seed, epoch=wildcards.budget)


def evaluated_model(wildcards):
    """A budget's base model is its checkpoint; a control's, the checkpoint E epochs on;
    a method's, its fine-tuned model. Each is compared with the budget's checkpoint."""
    if names.is_method(wildcards.model):
        stem = f"{RUN}/{wildcards.model}/finetuned".format(**wildcards)
    else:
        epoch = int(wildcards.budget) + names.extra_epochs(wildcards.model)
        stem = CHECKPOINT.format(seed=wildcards.seed, epoch=epoch)
    dense = budget_checkpoint(wildcards)
    return {
        "state": f"{stem}.npz",
        "model": f"{stem}.keras",
        "litert": f"{stem}.tflite",
        "litert_sparse": f"{stem}.sparse.tflite",
        "dense": f"{dense}.keras",
        "dense_litert": f"{dense}.tflite",
    }


def row(wildcards):
    """The config values behind a row of a metrics table: the main run's, or a sweep
    cell's with its target sparsity and the cell's settings."""
    model = wildcards.get("model", wildcards.get("method"))
    described = experiment.row_description(
        config, int(wildcards.seed), int(wildcards.budget), model
    )
    if "sweep" not in wildcards.keys():
        return described
    settings = {
        f"param_{key}": value for key, value in cell_settings(wildcards).items()
    }
    return described | settings | {"target_sparsity": float(wildcards.sparsity)}


def metrics_tables():
    return expand(
        f"{RUN}/{{model}}/metrics.tsv",
        seed=config["seeds"],
        budget=config["budgets"],
        model=MODELS,
    )


def timing_tables():
    return expand(
        f"{RUN}/{{method}}/timing.tsv",
        seed=config["seeds"],
        budget=config["budgets"],
        method=METHODS,
    )


def cell_files(sweep, name):
    """The file `name` of every cell of a sweep."""
    return [
        f"{CELL}/{name}".format(
            sweep=sweep, seed=seed, budget=budget, method=method, sparsity=sparsity
        )
        for seed, budget, method, sparsity in SWEEPS[sweep].cells()
    ]


def sweep_tables(wildcards):
    """A sweep's cells' metrics tables, and their timing tables if the sweep is timed."""
    timed = SWEEPS[wildcards.sweep].timing
    return {
        "tables": cell_files(wildcards.sweep, "metrics.tsv"),
        "timings": cell_files(wildcards.sweep, "timing.tsv") if timed else [],
    }


def compared_sweeps(wildcards):
    """A sweep's table and those of the sweeps it is drawn and priced beside."""
    sweeps = [wildcards.sweep, *SWEEPS[wildcards.sweep].compare_with]
    return [f"results/{sweep}/metrics.parquet" for sweep in sweeps]


def compared_bases(wildcards):
    """The base evaluations of every seed and budget of the compared sweeps' cells."""
    sweeps = [wildcards.sweep, *SWEEPS[wildcards.sweep].compare_with]
    pairs = {(seed, budget) for s in sweeps for seed, budget, *_ in SWEEPS[s].cells()}
    return [
        f"{RUN}/base/metrics.tsv".format(seed=s, budget=b) for s, b in sorted(pairs)
    ]


def sweep_outputs(sweep):
    """What `snakemake SWEEP` makes: the figure, the verdicts and, if timed, accuracy
    against cost with its trade-off table."""
    outputs = [f"results/{sweep}/sparsity.pdf", f"results/{sweep}/verdicts.md"]
    if SWEEPS[sweep].timing:
        outputs += [
            f"results/{sweep}/accuracy_vs_cost.pdf",
            f"results/{sweep}/tradeoffs.md",
        ]
    return outputs


FIGURES = ["accuracy", "loss", "nonzero", "inference_time"]


def final_outputs():
    return [
        *expand("results/figures/{figure}.pdf", figure=FIGURES),
        "results/claims.md",
        "results/benchmarks.parquet",
    ]
