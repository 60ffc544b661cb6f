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
from fwprune import data, experiment, names, networks, paths
from fwprune.code_digest import code_digests
from fwprune.methods import config_schema  # numpy only: cheap to import here
from fwprune import verdict_settings  # no scipy either
from fwprune.sources import DATASETS  # no TensorFlow either


def validate_config(schema_file):
    """Validate the config against the schema with each registered method's section, and
    the registered networks and data sets as allowed values, added (and fill in the
    defaults), naming the key and the bound of a bad value."""
    schema = networks.config_schema(
        config_schema(yaml.safe_load(Path(schema_file).read_text()))
    )
    schema = verdict_settings.config_schema(schema)
    schema["properties"]["data"]["properties"]["dataset"]["then"]["enum"] = list(
        DATASETS
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.schema.json"
        path.write_text(json.dumps(schema))
        validate(config, schema=str(path))


validate_config(LIBRARY.parents[1] / "schemas" / "config.schema.yaml")
experiment.check(config)
# A user's data file is checked now, before any job: its digest, then its arrays.
USER_DATA = not isinstance(config["data"]["dataset"], str)
if USER_DATA:
    data.check_user_file(
        config["data"]["dataset"],
        config["data"]["validation_size"],
        config["timing"]["large_batch_size"],
    )

SWEEPS = experiment.sweeps(config)
# Every model of the default run's metrics table: base, the methods, the controls.
MODELS = experiment.models(config)
RUN, CELL = paths.RUN, paths.CELL
# The data settings that change the numbers (not, say, the download timeout).
DATA_SUBSET = {key: config["data"][key] for key in experiment.DATA_SETTINGS}
# Without learning_rate_steps when it is null: the default run's params are those from
# before the key existed (experiment.train_settings).
TRAIN = experiment.train_settings(config)
# Every timing setting changes the measurement, the runtime's thread count too (the
# rule's `threads:` only keeps other jobs off the cores).
TIMING = dict(sorted(config["timing"].items()))
# The batch size the Keras model is scored at (keras_test_*), None if it is not
# (evaluate.keras_accuracy): its loss, a float32 mean taken batch by batch, moves with the
# batch size; the twin's outputs do not, so the twin's batch size is no param (README,
# "What reruns when").
KERAS_BATCH_SIZE = (
    config["evaluate"]["batch_size"] if config["evaluate"]["keras_accuracy"] else None
)
DATASET = config["data"]["dataset"]
# Every job reading the data file checks it against the pin, its param: a new pin reruns
# them, a new source or data set does not (README, "What reruns when"). A user's file is
# read where it is, pinned by its bytes (`fwprune.data.file_pin`), and never downloaded.
DATA_FILE = DATASET["npz"] if USER_DATA else f"data/{DATASET}.npz"
DATA_SHA256 = data.file_pin(DATASET) if USER_DATA else DATASETS[DATASET].sha256
# The network every job that builds a model builds (a param of exactly those rules): a
# registered name, or a user's builder with its file's meaning digest.
NETWORK = networks.build_param(config["network"])
# The registered network whose module the jobs run (none for a user's builder).
NETWORK_MODULES = [NETWORK] if isinstance(NETWORK, str) else []


def method_params(wildcards):
    """What a prune job reads of its method's settings."""
    return experiment.pruning_settings(job_settings(wildcards))


def algorithm(wildcards):
    """The registered method a job's method name runs (a variant runs its method)."""
    return experiment.base_method(config, wildcards.method)


def job_settings(wildcards):
    """A job's method's settings: a main-run method's section, a sweep cell's, or a tuning
    trial's (the cell's with the trial's point of the method's search space)."""
    if "sweep" not in wildcards.keys():
        return experiment.used_settings(experiment.section(config, wildcards.method))
    trial = int(wildcards.trial) if "trial" in wildcards.keys() else None
    return SWEEPS[wildcards.sweep].cell_settings(
        config,
        wildcards.method,
        float(wildcards.sparsity),
        budget=int(wildcards.budget),
        trial=trial,
    )


def method_training(wildcards):
    """The `train` settings of a job that trains a method's model (its learning rate)."""
    return experiment.method_training(config, job_settings(wildcards))


@functools.cache
def code_meaning(script, method=None):
    """The digests of what the rule's script and the library modules it imports mean, as
    params: a changed line reruns exactly the rules that reach it, a comment reruns nothing
    (README, "What reruns when"). Of the registries, only the run's network and, for a job
    that prunes, its method count."""
    only = {"networks": NETWORK_MODULES} | ({"methods": [method]} if method else {})
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
    trial=r"\d+",
    sweep="|".join(SWEEPS) or "(?!)",  # (?!) matches nothing: no sweep configured


def finetune_epochs(wildcards):
    """The fine-tuning epochs of a job's method."""
    return job_settings(wildcards)["finetune_epochs"]


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
    dense = paths.bundle(budget_checkpoint(wildcards))
    return paths.bundle(stem) | {
        "dense": dense["model"],
        "dense_litert": dense["litert"],
    }


def bundle_of(rule):
    """The model files a rule writes (`paths.BUNDLE`), as another rule's inputs."""
    return {name: rule.output[name] for name in paths.BUNDLE}


def row(wildcards):
    """The config values behind a row of a metrics table: the main run's, or a sweep
    cell's with its target sparsity and the cell's settings."""
    model = wildcards.get("model", wildcards.get("method"))
    described = experiment.row_description(
        config, int(wildcards.seed), int(wildcards.budget), model
    )
    if "sweep" not in wildcards.keys():
        return described
    settings = {f"param_{key}": value for key, value in job_settings(wildcards).items()}
    cell = {"target_sparsity": float(wildcards.sparsity)}
    if "trial" in wildcards.keys():
        cell["trial"] = int(wildcards.trial)
    return described | settings | cell


def compared(wildcards):
    """A sweep and the sweeps it is drawn and priced beside."""
    sweep = SWEEPS[wildcards.sweep]
    return [sweep, *(SWEEPS[name] for name in sweep.compare_with)]


# Settling a sweep's verdicts (settle.smk): each look's cells are read from the plans of
# the looks before it, which exist only once their checkpoints have run.
from fwprune import looks  # plain Python: cheap to import here


def settle_params(wildcards):
    """What a look's judge reads of the sweep's `settle` entry (fwprune.looks.job_params)."""
    entry = config["sweeps"][wildcards.sweep]["settle"]
    return looks.job_params(SWEEPS[wildcards.sweep], entry)


def cells_through(sweep, look):
    """The metrics tables of the cells judged at a look: the sweep's grid, then each
    earlier look's plan (read once that look's checkpoint has run)."""
    cells = looks.first_cells(SWEEPS[sweep])
    for earlier in range(look):
        plan = checkpoints.settle_look.get(sweep=sweep, look=earlier).output[0]
        cells += [tuple(cell) for cell in json.loads(Path(plan).read_text())["next"]]
    return paths.cell_files(SWEEPS[sweep], "metrics.tsv", dict.fromkeys(cells))


def settled_looks(wildcards):
    """Every look's plan up to the first that planned no more seeds, and its cells."""
    look = 0
    while True:
        plan = checkpoints.settle_look.get(sweep=wildcards.sweep, look=look).output[0]
        if not json.loads(Path(plan).read_text())["next"]:
            break
        look += 1
    return {
        "looks": [
            f"results/{wildcards.sweep}/settle/look{k}.json" for k in range(look + 1)
        ],
        "metrics": cells_through(wildcards.sweep, look),
    }
