import functools
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml
from snakemake.utils import validate

# The library sits beside the scripts, where Snakemake puts every script's imports on
# sys.path: jobs find it installed or not, in conda envs and on cluster nodes alike.
LIBRARY = Path(workflow.basedir) / "workflow" / "scripts" / "fwprune"
sys.path.insert(0, str(LIBRARY.parent))
# Snakemake's script preamble appends that folder to a job's sys.path, after site-packages,
# where a copy of the library installed with `pip install .` would win: the jobs this
# Snakemake starts (and those that Snakemakes on cluster nodes start) look here first.
# (Set, not required of the user: no `envvars:` entry.)
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        filter(None, [str(LIBRARY.parent), os.environ.get("PYTHONPATH")])
    )
)
from fwprune import experiment, names, networks, paths
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

SWEEPS = experiment.sweeps(config)
# Every model of the default run's metrics table: base, the methods, the controls.
MODELS = experiment.models(config)
RUN, CELL = paths.RUN, paths.CELL
# The data settings that change the numbers (not, say, the download timeout).
DATA_SUBSET = {
    key: config["data"][key] for key in ("subset_seed", "test_size", "train_size")
}
# Without learning_rate_steps when it is null: the default run's params are those from
# before the key existed (experiment.train_settings).
TRAIN = experiment.train_settings(config)
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


@functools.cache
def code_meaning(script, method=None):
    """The digests of what the rule's script and the library modules it imports mean, as
    params: a changed line reruns exactly the rules that reach it, a comment reruns nothing
    (README, "What reruns when"). Of the registries, only the run's network and, for a job
    that prunes, its method count."""
    only = {"networks": [NETWORK]} | ({"methods": [method]} if method else {})
    return code_digests(LIBRARY.parent / f"{script}.py", LIBRARY, only)


def pruning_code(wildcards):
    """The code a prune job runs: its script with its own method's module."""
    return code_meaning("prune", algorithm(wildcards))


wildcard_constraints:
    seed=r"\d+",
    budget=r"\d+",
    epoch=r"\d+",
    method="|".join(experiment.method_names(config)),
    model=names.model_pattern(experiment.method_names(config)),
    dataset="|".join(DATASETS),
    sparsity=r"0\.\d+",
    sweep="|".join(SWEEPS) or "(?!)",  # (?!) matches nothing: no sweep configured


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
    return {"state": paths.checkpoint(wildcards.seed, epoch - 1) + ".npz"}


def budget_checkpoint(wildcards):
    """The unpruned model of a job's budget, which it prunes or is compared with."""
    return paths.checkpoint(wildcards.seed, wildcards.budget)


def evaluated_model(wildcards):
    """A budget's base model is its checkpoint; a control's, the checkpoint E epochs on;
    a method's, its fine-tuned model. Each is compared with the budget's checkpoint."""
    if names.is_method(wildcards.model):
        stem = f"{RUN}/{wildcards.model}/finetuned".format(**wildcards)
    else:
        epoch = int(wildcards.budget) + names.extra_epochs(wildcards.model)
        stem = paths.checkpoint(wildcards.seed, epoch)
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


def sweep_tables(wildcards):
    """A sweep's cells' metrics tables, and their timing tables if the sweep is timed."""
    sweep = SWEEPS[wildcards.sweep]
    timings = paths.cell_files(sweep, "timing.tsv") if sweep.timing else []
    return {"tables": paths.cell_files(sweep, "metrics.tsv"), "timings": timings}


def compared(wildcards):
    """A sweep and the sweeps it is drawn and priced beside."""
    sweep = SWEEPS[wildcards.sweep]
    return [sweep, *(SWEEPS[name] for name in sweep.compare_with)]
