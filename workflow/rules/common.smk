import dataclasses
import functools
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
from fwprune import names, networks
from fwprune.code_digest import code_digests
from fwprune.methods import REGISTRY, config_schema  # numpy only: cheap to import here
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

# A schedule must not start above its target.
for name, method in REGISTRY.items():
    section, target = config[name], method.target_key
    if section.get("sparsity_init", 0) > section[target]:
        raise ValueError(
            f"config {name}.sparsity_init ({section['sparsity_init']}) "
            f"must not exceed {name}.{target} ({section[target]})"
        )

METHODS = config["methods"]
RUN = "results/seed{seed}/budget{budget}"


def epochs_spent(method):
    """Epochs `method` trains after the checkpoint with its configured settings."""
    return REGISTRY[method].epochs(config[method])


# Compute-matched dense controls: the unpruned checkpoint trained as many more epochs as
# a method spends after pruning, i.e. pre-training checkpoint budget + E.
CONTROLS = (
    [names.control(e) for e in sorted({epochs_spent(m) for m in METHODS} - {0})]
    if config["dense_matched"]
    else []
)
MODELS = [names.BASE, *METHODS, *CONTROLS]
LAST_EPOCH = max(config["budgets"]) + max(
    map(names.control_epochs, CONTROLS), default=0
)


def canonical(settings):
    """Settings as params in a fixed key order: Snakemake compares params by their text,
    so reordering keys in a config file must not rerun anything."""
    return dict(sorted(settings.items()))


# The data settings that change the numbers (not, say, the download timeout).
DATA_SUBSET = canonical(
    {key: config["data"][key] for key in ("train_size", "test_size", "subset_seed")}
)
TRAIN = canonical(config["train"])
# Timing settings that change the measurement (the thread count reaches the job as threads).
TIMING = canonical(
    {key: value for key, value in config["timing"].items() if key != "threads"}
)
DATASET = config["data"]["dataset"]
DATA_FILE = f"data/{DATASET}.npz"
# Every job reading the data file checks it against the pin, its param: a new pin reruns
# them, a new source or data set does not (README, "What reruns when").
DATA_SHA256 = DATASETS[DATASET].sha256
# The network every job that builds a model builds (a param of exactly those rules).
NETWORK = config["network"]


def used_settings(settings):
    """A method's settings without `gamma` unless the step size is constant: a value the
    method never reads must not rerun it."""
    unused = {"gamma"} if settings.get("step_size") == "harmonic" else set()
    return canonical({key: settings[key] for key in settings.keys() - unused})


def pruning_settings(settings):
    """What pruning reads: all but `finetune_epochs`, which only the finetune rule reads."""
    return {key: value for key, value in settings.items() if key != "finetune_epochs"}


def method_params(wildcards):
    return pruning_settings(used_settings(config[wildcards.method]))


def code_meaning(script):
    """The digests of what the rule's script and the library modules it imports mean, as
    params: a changed line reruns exactly the rules that reach it, a comment reruns nothing
    (README, "What reruns when")."""
    return code_digests(LIBRARY.parent / f"{script}.py", LIBRARY)


wildcard_constraints:
    seed=r"\d+",
    budget=r"\d+",
    epoch=r"\d+",
    method="|".join(REGISTRY),
    model=names.model_pattern(REGISTRY),
    dataset="|".join(DATASETS),
    sparsity=r"0\.\d+",


# Resources, from the benchmark files of a full run on a 2-core machine (docs/performance.md):
# peak memory 0.9-1.5 GB per job, a full-data training epoch 12-15 s of one core (50 s on
# a loaded machine). Each retry asks for `attempt` times as much, so that a job a cluster
# killed for memory or time gets more.
MINUTES_PER_EPOCH = 2


def retried(amount):
    """A resource of `amount` times the attempt."""
    return lambda wildcards, attempt: amount * attempt


def training_minutes(epochs):
    """Run time of a job that trains at most `epochs` epochs: 5 minutes plus 2 per epoch."""
    return retried(5 + MINUTES_PER_EPOCH * epochs)


# A job that trains nothing (an evaluation, a fine-tune of 0 epochs, which copies): 5-25 s
# measured. Grouped on a cluster, these minutes add up to a group job's request.
SHORT_JOB_MINUTES = 2


def finetune_epochs(wildcards):
    """The run's fine-tuning epochs of a method."""
    return config[wildcards.method]["finetune_epochs"]


def finetune_minutes(finetune_epochs):
    """Run time of a fine-tune of `finetune_epochs(wildcards)` epochs: a copy when it
    trains no epoch, else `training_minutes`."""

    def minutes(wildcards, attempt):
        epochs = finetune_epochs(wildcards)
        if epochs == 0:
            return SHORT_JOB_MINUTES * attempt
        return training_minutes(epochs)(wildcards, attempt)

    return minutes


def previous_checkpoint(wildcards):
    """Epoch k trains on from epoch k-1; epoch 1 starts from a fresh initialisation."""
    epoch = int(wildcards.epoch)
    if epoch == 1:
        return {}
    return {
        "state": f"results/seed{wildcards.seed}/pretrain/epoch{epoch - 1}.npz",
    }


def evaluated_model(wildcards):
    """A budget's base model is its checkpoint; a control's, the checkpoint E epochs on;
    a method's, its fine-tuned model. Each is compared with the budget's checkpoint."""
    if names.is_method(wildcards.model):
        stem = f"{RUN}/{wildcards.model}/finetuned".format(**wildcards)
    else:
        epoch = int(wildcards.budget) + names.extra_epochs(wildcards.model)
        stem = f"results/seed{wildcards.seed}/pretrain/epoch{epoch}"
    dense = f"results/seed{wildcards.seed}/pretrain/epoch{wildcards.budget}"
    return {
        "state": f"{stem}.npz",
        "model": f"{stem}.keras",
        "litert": f"{stem}.tflite",
        "litert_sparse": f"{stem}.sparse.tflite",
        "dense": f"{dense}.keras",
        "dense_litert": f"{dense}.tflite",
    }


def run_description(wildcards):
    """The config values behind one row of the metrics table. A method's row holds its
    section; base and dense+E rows hold none, so a method's settings never rerun them.
    """
    model = wildcards.get("model", wildcards.get("method"))
    method = used_settings(config[model] if names.is_method(model) else {})
    return {
        "seed": int(wildcards.seed),
        "budget": int(wildcards.budget),
        "method": model,
        "dataset": DATASET,
        "network": NETWORK,
        **{f"train_{key}": value for key, value in TRAIN.items()},
        **{f"data_{key}": value for key, value in DATA_SUBSET.items()},
        **{f"param_{key}": value for key, value in method.items()},
    }


@dataclasses.dataclass(frozen=True)
class Sweep:
    """A sweep, its own target, not part of the default run: each of `methods` at each
    target in `sparsities` at each of `budgets`, into results/{name}/, with equal total
    retraining (the most any of its methods spends: a method that spends less gets the rest
    as fine-tuning). `settings` replace these keys of every method's section."""

    name: str
    sparsities: list
    budgets: list
    methods: list
    settings: dict

    @property
    def run(self):
        return f"results/{self.name}/seed{{seed}}/budget{{budget}}/{{method}}/sparsity{{sparsity}}"

    @property
    def epochs(self):
        return max(REGISTRY[m].epochs(config[m] | self.settings) for m in self.methods)

    def files(self, name):
        """The file `name` of every cell of the sweep."""
        return expand(
            f"{self.run}/{name}",
            seed=config["seeds"],
            budget=self.budgets,
            method=self.methods,
            sparsity=self.sparsities,
        )


# The sparsity sweep (`snakemake sweep`): each method with its own granularity.
SWEEP = Sweep(
    name="sweep",
    sparsities=config["sweep"]["sparsities"],
    budgets=config["sweep"]["budgets"],
    methods=config["sweep"]["methods"] or METHODS,
    settings={},
)
# The filter sweep (`snakemake filter_sweep`): each method pruning whole filters, its
# sparsity the fraction of filters removed.
FILTER_SWEEP = Sweep(
    name="filter_sweep",
    sparsities=config["filter_sweep"]["fractions"],
    budgets=config["filter_sweep"]["budgets"],
    methods=config["filter_sweep"]["methods"] or SWEEP.methods,
    settings={"granularity": "filter"},
)
# A pruning job trains at most the most of any sweep's and of the run's methods.
MOST_EPOCHS = max(SWEEP.epochs, FILTER_SWEEP.epochs, *map(epochs_spent, METHODS))


def sweep_params(sweep, wildcards):
    """A method's settings in a cell of `sweep`, its spare epochs given to fine-tuning."""
    params = config[wildcards.method] | sweep.settings
    params[REGISTRY[wildcards.method].target_key] = float(wildcards.sparsity)
    if "sparsity_init" in params:  # a schedule must not start above its target
        params["sparsity_init"] = min(
            params["sparsity_init"], float(wildcards.sparsity)
        )
    params["finetune_epochs"] += sweep.epochs - REGISTRY[wildcards.method].epochs(
        params
    )
    return used_settings(params)


def sweep_finetune_epochs(sweep):
    return lambda wildcards: sweep_params(sweep, wildcards)["finetune_epochs"]


def sweep_row(sweep):
    """The config values behind a row of `sweep`'s metrics table."""

    def row(wildcards):
        described = run_description(wildcards) | {
            "target_sparsity": float(wildcards.sparsity)
        }
        settings = sweep_params(sweep, wildcards)
        return described | {f"param_{key}": value for key, value in settings.items()}

    return row


# The params of a sweep's prune, finetune and evaluate jobs: those of the run's rules, with
# the settings of the sweep's cell.
def sweep_prune_params(sweep):
    return {
        "seed": lambda wildcards: int(wildcards.seed),
        "method": lambda wildcards: pruning_settings(sweep_params(sweep, wildcards)),
        "train": TRAIN,
        "data": DATA_SUBSET,
        "data_sha256": DATA_SHA256,
        "network": NETWORK,
    }


def sweep_finetune_params(sweep):
    return {
        "seed": lambda wildcards: int(wildcards.seed),
        "epochs": sweep_finetune_epochs(sweep),
        "granularity": lambda wildcards: sweep_params(sweep, wildcards)["granularity"],
        "train": TRAIN,
        "data": DATA_SUBSET,
        "data_sha256": DATA_SHA256,
        "network": NETWORK,
    }


def sweep_evaluate_params(sweep):
    return {
        "row": sweep_row(sweep),
        "data": DATA_SUBSET,
        "data_sha256": DATA_SHA256,
        "keras_accuracy": config["evaluate"]["keras_accuracy"],
    }


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


FIGURES = ["accuracy", "loss", "nonzero", "inference_time"]


def final_outputs():
    return [
        *expand("results/figures/{figure}.pdf", figure=FIGURES),
        "results/claims.md",
        "results/benchmarks.parquet",
    ]


def producer(path):
    """The rule whose outputs (or log or benchmark) match `path`, None for a source file."""
    makers = [maker for maker in workflow.rules if maker.is_producer(path)]
    if len(makers) > 1:
        raise ValueError(f"{path} matches rules {[maker.name for maker in makers]}")
    return makers[0] if makers else None


def upstream_jobs(target):
    """(rule, wildcards) of the job making `target` and of every job upstream of it,
    walked as Snakemake's DAG walks: the rule producing a file, its wildcards from the
    path, its inputs for those wildcards. Call once every rule exists.

    Snakemake has no public API for its DAG inside a Snakefile; these are the methods of
    its rules that its DAG itself calls (`is_producer`, `get_wildcards`, `expand_input`).
    """
    jobs, pending, seen = set(), [target], set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        maker = producer(path)
        if maker is None:  # a source file
            continue
        wildcards = maker.get_wildcards(path)
        job = (maker, tuple(sorted(wildcards.items())))
        if job not in jobs:
            jobs.add(job)
            pending += map(str, maker.expand_input(wildcards)[0])
    return [(maker, dict(wildcards)) for maker, wildcards in jobs]


@functools.cache
def benchmark_records():
    """Each job upstream of the metrics table: its rule, wildcards (numbers as numbers)
    and benchmark file, from the DAG, so that none is left out. Sorted, as the records
    are params, which Snakemake compares as text."""
    jobs = upstream_jobs(rules.aggregate.output.table)
    unmeasured = sorted({maker.name for maker, _ in jobs if not maker.benchmark})
    if unmeasured:
        raise ValueError(
            f"rules {unmeasured} feed the metrics table without a benchmark:"
        )
    records = [
        {
            "rule": maker.name,
            **{key: int(v) if v.isdigit() else v for key, v in wildcards.items()},
            "path": str(maker.expand_benchmark(wildcards)),
        }
        for maker, wildcards in jobs
    ]
    return sorted(records, key=lambda record: (record["rule"], record["path"]))
