"""The experiment a config describes: which models exist, the settings each job uses, and
the sweeps. Plain Python over the validated config dict, no Snakemake, so that the rules
stay thin and every decision here has a unit test (tests/test_experiment.py).

- A *method name* is a registered method (`fwprune.methods`) or a *variant*: a registered
  method again under its own name with some of its settings changed (config `variants`),
  e.g. gmp on a linear schedule beside the cubic one. A variant is a method everywhere:
  in `methods`, in a sweep's `methods`, in every table, figure and verdict.
- A *sweep* (config `sweeps`, one entry each) runs its methods at each of its sparsities
  and budgets, with equal training after the checkpoint (the most any of its methods
  spends: a method that spends less gets the rest as fine-tuning), into results/{sweep}/.
  A sweep is a config entry: adding one touches no rule file.
"""

import dataclasses
import itertools

import jsonschema

from fwprune import names, networks, tuning
from fwprune.data import dataset_title
from fwprune.learning_rates import describe_learning_rates
from fwprune.methods import REGISTRY

# The data settings that change the numbers (not, say, the download timeout): the jobs'
# `data` param and the rows' data_* columns.
DATA_SETTINGS = ("subset_seed", "test_size", "train_size", "validation_size")
# Folder names under results/ that a sweep must not take.
RESERVED_SWEEP_NAMES = ("figures",)


def variants(config: dict) -> dict[str, dict]:
    """Each variant's name and its entry: `method` (the registered method) and the settings
    it changes."""
    return config.get("variants") or {}


def method_names(config: dict) -> list[str]:
    """Every name a method list may hold: the registered methods, then the variants."""
    return [*REGISTRY, *variants(config)]


def base_method(config: dict, name: str) -> str:
    """The registered method a method name runs."""
    if name in REGISTRY:
        return name
    if name in variants(config):
        return variants(config)[name]["method"]
    raise ValueError(f"unknown method {name!r}: use one of {method_names(config)}")


def section(config: dict, name: str) -> dict:
    """The full settings of a method name: its method's config section, a variant's
    changes on top."""
    base = base_method(config, name)
    changes = {k: v for k, v in variants(config).get(name, {}).items() if k != "method"}
    return config[base] | changes


# A method's own optimiser settings, each replacing the run's `train` value when set.
OPTIMISER_SETTINGS = ("learning_rate", "sgd_momentum")


def used_settings(settings: dict) -> dict:
    """Settings in a fixed key order, without `gamma` unless the step size is constant and
    without an unset (null) optimiser setting: Snakemake compares params by their text, so
    neither reordering keys nor a value the method never reads may rerun a job."""
    unused = {"gamma"} if settings.get("step_size") == "harmonic" else set()
    unused |= {key for key in OPTIMISER_SETTINGS if settings.get(key) is None}
    return dict(sorted((k, v) for k, v in settings.items() if k not in unused))


def pruning_settings(settings: dict) -> dict:
    """What pruning reads: all but `finetune_epochs`, which only fine-tuning reads."""
    return {key: value for key, value in settings.items() if key != "finetune_epochs"}


def epochs_spent(config: dict, name: str, settings: dict | None = None) -> int:
    """Epochs a method name trains after the checkpoint with `settings` (default: its own)."""
    method = REGISTRY[base_method(config, name)]
    return method.epochs(section(config, name) if settings is None else settings)


def target_key(config: dict, name: str) -> str:
    return REGISTRY[base_method(config, name)].target_key


@dataclasses.dataclass(frozen=True)
class Sweep:
    """One entry of config `sweeps` (`$defs/sweep` of workflow/schemas/config.schema.yaml),
    defaults filled."""

    name: str
    sparsities: list
    budgets: list
    methods: list
    seeds: list
    settings: dict  # replace these keys of every method's section (granularity, scope)
    timing: bool  # time every cell's model (a timing job keeps every core to itself)
    compare_with: list  # other sweeps drawn and priced beside this one (accuracy vs cost)
    more_seeds: list  # extra seeds for chosen cells: dicts of seeds, budgets, methods, sparsities
    tune: dict  # tuning of its cells: {trials: K (0: none), seed} (`snakemake tune_NAME`)
    # The winning settings its cells use, (budget, method, sparsity) -> settings, read from
    # a winners table of a finished tuning (`tuned`); empty: each method's own settings.
    tuned: dict

    @classmethod
    def from_config(cls, config: dict, name: str) -> "Sweep":
        entry = config["sweeps"][name]
        tuned = tuning.read_winners(entry["tuned"]) if entry["tuned"] else {}
        return cls(
            name=name,
            sparsities=entry["sparsities"],
            budgets=entry["budgets"],
            methods=entry["methods"] or config["methods"],
            seeds=entry["seeds"] or config["seeds"],
            settings=entry["settings"],
            timing=entry["timing"],
            compare_with=entry["compare_with"],
            more_seeds=entry["more_seeds"],
            tune=entry["tune"],
            tuned=tuned,
        )

    def cells(self) -> list[tuple[int, int, str, float]]:
        """(seed, budget, method, sparsity) of every cell, in a fixed order, each once: the
        full grid over `seeds`, then each `more_seeds` entry's grid (its budgets, methods
        and sparsities default to the sweep's)."""
        grids = [(self.seeds, self.budgets, self.methods, self.sparsities)]
        for extra in self.more_seeds:
            grids.append(
                (
                    extra["seeds"],
                    extra.get("budgets") or self.budgets,
                    extra.get("methods") or self.methods,
                    extra.get("sparsities") or self.sparsities,
                )
            )
        found = itertools.chain.from_iterable(itertools.product(*grid) for grid in grids)
        return list(dict.fromkeys(found))

    def method_names(self) -> list[str]:
        """Every method of its cells, `more_seeds` included."""
        return list(dict.fromkeys(method for _, _, method, _ in self.cells()))

    def training_epochs(self, config: dict) -> int:
        """Epochs every cell trains after the checkpoint: the most any of its methods spends."""
        return max(
            epochs_spent(config, m, section(config, m) | self.settings) for m in self.method_names()
        )

    def tuning_cells(self) -> list[tuple[int, str, float]]:
        """(budget, method, sparsity) of every cell tuning chooses settings for: those of
        its cells, whatever their seeds."""
        return list(dict.fromkeys((b, m, p) for _, b, m, p in self.cells()))

    def trial_points(self, config: dict, method: str) -> list[dict]:
        """The K settings tuning tries for a method (at every budget and sparsity), drawn
        from its method's declared search space with the tuning seed."""
        space = REGISTRY[base_method(config, method)].search_space
        if not space:
            raise ValueError(
                f"config sweeps.{self.name}.tune: method {method!r} declares no search space "
                f"(Method.search_space in its file): it cannot be tuned"
            )
        return tuning.draw(space, self.tune["trials"], self.tune["seed"])

    def searched_keys(self, config: dict) -> dict[str, list[str]]:
        """The settings tuning searches for each of its methods (their spaces' keys)."""
        return {
            method: sorted(REGISTRY[base_method(config, method)].search_space)
            for method in self.methods
        }

    def cell_settings(
        self, config: dict, method: str, sparsity: float, budget=None, trial=None
    ) -> dict:
        """A method's settings in a cell: the sweep's settings, then a tuning trial's point
        (`trial`) or the tuned winner of the cell, then the target sparsity on its section;
        a schedule's start no higher than the target, the spare epochs given to fine-tuning."""
        settings = section(config, method) | self.settings
        if trial is not None:
            settings |= self.trial_points(config, method)[trial]
        elif self.tuned:
            settings |= self.tuned[(budget, method, sparsity)]
        settings[target_key(config, method)] = sparsity
        if "sparsity_init" in settings:
            settings["sparsity_init"] = min(settings["sparsity_init"], sparsity)
        settings["finetune_epochs"] += self.training_epochs(config) - epochs_spent(
            config, method, settings
        )
        return used_settings(settings)


def sweeps(config: dict) -> dict[str, Sweep]:
    return {name: Sweep.from_config(config, name) for name in config.get("sweeps") or {}}


def train_settings(config: dict) -> dict:
    """The `train` settings the training jobs get (sorted by key): all of them, but
    `learning_rate_steps` only when a schedule is set, so that a run without one has the
    params and rows it had before the key existed (adding the key reran nothing)."""
    return {
        key: value
        for key, value in sorted(config["train"].items())
        if not (key == "learning_rate_steps" and value is None)
    }


def method_training(config: dict, settings: dict) -> dict:
    """The `train` settings of a method's jobs: the run's, with the method's own constant
    `learning_rate` replacing the run's rate or schedule, and its own `sgd_momentum` the
    run's `momentum`, when its section sets them."""
    train = train_settings(config)
    if settings.get("learning_rate") is not None:
        train.pop("learning_rate_steps", None)
        train["learning_rate"] = settings["learning_rate"]
    if settings.get("sgd_momentum") is not None:
        train["momentum"] = settings["sgd_momentum"]
    return train


def row_description(config: dict, seed: int, budget: int, model: str) -> dict:
    """The config values behind one row of the metrics table. A method's row holds its
    settings and the method it runs; base and dense+E rows hold none, so a method's
    settings never rerun them."""
    method = names.is_method(model)
    settings = used_settings(section(config, model)) if method else {}
    data = {k: config["data"][k] for k in DATA_SETTINGS}
    train = train_settings(config)
    if "learning_rate_steps" in train:
        # The schedule replaces the constant rate (which the jobs get, unused): the row
        # shows the rate of each absolute epoch instead, as one cell.
        del train["learning_rate"]
        train["learning_rate_steps"] = describe_learning_rates(train["learning_rate_steps"])
    return {
        "seed": seed,
        "budget": budget,
        "method": model,
        "base_method": base_method(config, model) if method else model,
        "dataset": dataset_title(config["data"]["dataset"]),
        "network": networks.title(config["network"]),
        **{f"train_{k}": v for k, v in train.items()},
        **{f"data_{k}": v for k, v in sorted(data.items())},
        **{f"param_{k}": v for k, v in settings.items()},
    }


def controls(config: dict) -> list[str]:
    """The compute-matched dense controls `dense+E` of the run's methods (none when
    `dense_matched` is off)."""
    if not config["dense_matched"]:
        return []
    spent = {epochs_spent(config, m) for m in config["methods"]} - {0}
    return [names.control(e) for e in sorted(spent)]


def models(config: dict) -> list[str]:
    """Every model of the main run's metrics table: base, the methods, the controls."""
    return [names.BASE, *config["methods"], *controls(config)]


def last_pretraining_epoch(config: dict) -> int:
    """The longest chain of pre-training checkpoints the main run needs."""
    extra = max(map(names.control_epochs, controls(config)), default=0)
    return max(config["budgets"]) + extra


def most_epochs(config: dict) -> int:
    """The most epochs any pruning job trains (its time limit on a cluster)."""
    spent = [epochs_spent(config, m) for m in config["methods"]]
    spent += [sweep.training_epochs(config) for sweep in sweeps(config).values()]
    return max(spent)


def check(config: dict) -> None:
    """The invariants the schema cannot state, each checked here once, naming the key:
    variants run a registered method with settings its section allows; every method list
    names known methods; no schedule starts above its target; sweep names are folder names
    and their comparisons exist."""
    for name, entry in variants(config).items():
        _check_variant(config, name, entry)
    known = method_names(config)
    lists = {"methods": config["methods"]}
    for name, entry in (config.get("sweeps") or {}).items():
        lists[f"sweeps.{name}.methods"] = entry.get("methods") or []
        for index, extra in enumerate(entry.get("more_seeds") or []):
            lists[f"sweeps.{name}.more_seeds[{index}].methods"] = extra.get("methods") or []
    for key, listed in lists.items():
        unknown = [m for m in listed if m not in known]
        if unknown:
            raise ValueError(f"config {key}: unknown {unknown}; use names of {known}")
    for name in known:
        _check_schedule(config, name)
    for name, entry in (config.get("sweeps") or {}).items():
        _check_sweep(config, name, entry)


def _check_settings(key: str, method: str, settings: dict) -> None:
    """`settings` must be a valid section of the registered `method`."""
    try:
        jsonschema.validate(settings, REGISTRY[method].schema())
    except jsonschema.ValidationError as error:
        where = ".".join(map(str, error.absolute_path))
        raise ValueError(f"config {key}{'.' + where if where else ''}: {error.message}") from None


def _check_variant(config: dict, name: str, entry: dict) -> None:
    key = f"variants.{name}"
    if name in config or name in REGISTRY or not name.isidentifier() or not names.is_method(name):
        raise ValueError(f"config {key}: the name must be an identifier, not a config section")
    if entry.get("method") not in REGISTRY:
        raise ValueError(
            f"config {key}.method: {entry.get('method')!r} is not one of {list(REGISTRY)}"
        )
    schema = REGISTRY[entry["method"]].schema()
    schema["properties"]["method"] = {"enum": [entry["method"]]}
    try:
        jsonschema.validate({k: v for k, v in entry.items()}, schema)
    except jsonschema.ValidationError as error:
        where = ".".join(map(str, error.absolute_path))
        raise ValueError(f"config {key}{'.' + where if where else ''}: {error.message}") from None


def _check_schedule(config: dict, name: str) -> None:
    settings, target = section(config, name), target_key(config, name)
    if "sparsity_init" in settings and settings["sparsity_init"] > settings[target]:
        where = f"variants.{name}" if name in variants(config) else name
        raise ValueError(
            f"config {where}.sparsity_init ({settings['sparsity_init']}) "
            f"must not exceed {where}.{target} ({settings[target]})"
        )


def _check_sweep(config: dict, name: str, entry: dict) -> None:
    if name.startswith("seed") or name in RESERVED_SWEEP_NAMES or not name.isidentifier():
        raise ValueError(
            f"config sweeps.{name}: a sweep's name is its folder under results/: an "
            f"identifier, not starting with 'seed', not one of {RESERVED_SWEEP_NAMES}"
        )
    if not (entry.get("methods") or config["methods"]):
        raise ValueError(f"config sweeps.{name}.methods: no method to run")
    for method in entry.get("methods") or config["methods"]:
        settings = section(config, method) | entry["settings"]
        _check_settings(f"sweeps.{name}.settings", base_method(config, method), settings)
    for other in entry.get("compare_with") or []:
        if other not in config["sweeps"] or other == name:
            raise ValueError(f"config sweeps.{name}.compare_with: {other!r} is not another sweep")
    sweep = Sweep.from_config(config, name)
    if sweep.tune["trials"]:
        for method in sweep.methods:
            sweep.trial_points(config, method)  # refuses a method with no search space
    if sweep.tuned:
        missing = [cell for cell in sweep.tuning_cells() if cell not in sweep.tuned]
        if missing:
            raise ValueError(
                f"config sweeps.{name}.tuned: {entry['tuned']} has no winner for "
                f"(budget, method, sparsity) {missing}"
            )
