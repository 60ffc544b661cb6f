# The rule set a stage's rule file joins without being named anywhere else (README, "Adding
# a stage"): a *per-model stage* is a rule whose outputs all lie in a model's folder of the
# main run (RUN/{method}/ or RUN/{model}/). Each gets a sweep twin (sweep.smk,
# `derive_sweep_rule`); its .tsv outputs become columns of the metrics table (`model_tables`,
# `sweep_tables`); its jobs are in the benchmark records (records.smk). Timing jobs are the
# rules named time_*; a sweep runs them only if timed, and on SLURM each gets a node.
import itertools

from snakemake.io import strip_wildcard_constraints, unpack as unpack_input
from snakemake.iocontainers import Wildcards

MODEL_FOLDERS = (f"{RUN}/{{method}}/", f"{RUN}/{{model}}/")
# The SLURM groups, whose widths slurm/config.yaml sets. Each rule names its own in its
# `group`, and a sweep twin's short jobs form groups of their sweep's.
SHORT_GROUP = "short_s{seed}_b{budget}"
TIMING_GROUP = "timing_s{seed}_b{budget}"
REPORT_GROUP = "report"
SWEEP_GROUPS = {
    SHORT_GROUP: "{sweep}_s{seed}_b{budget}",
    REPORT_GROUP: "{sweep}_report",
}
# What a timing job asks of SLURM beside its resources: a whole node (no other job beside it).
WHOLE_NODE = "'--exclusive'"


def is_timing(base) -> bool:
    return base.name.removeprefix("sweep_").startswith("time_")


def template(path) -> str:
    """A rule's file as written in its rule (Snakemake adds the wildcard constraints)."""
    return strip_wildcard_constraints(str(path))


def model_folder(path) -> str | None:
    """The main run's model folder template `path` lies in, if any."""
    return next(
        (folder for folder in MODEL_FOLDERS if template(path).startswith(folder)), None
    )


def per_model_stages() -> list:
    """The main run's rules whose outputs all lie in a model's folder, in definition order."""
    return [
        base
        for base in workflow.rules
        if base.output and all(model_folder(path) for path in base.output)
    ]


def in_cell(path: str, rule_name: str = "") -> str:
    """A main-run path template moved to a sweep cell: the model folder becomes the cell,
    and a log or benchmark file (`rule_name` given) named after the rule is named after
    its twin."""
    folder = model_folder(path)
    if folder is None:
        return path
    name = template(path).removeprefix(folder)
    stem, dot, rest = name.partition(f"{rule_name}.")
    if rule_name and dot and (not stem or stem.endswith(".")):
        name = f"{stem}sweep_{rule_name}.{rest}"
    return f"{CELL}/{name}"


def concrete_in_cell(path: str, wildcards) -> str:
    """A main-run file of a cell's seed, budget and method moved to the cell."""
    folder = f"{RUN}/{{method}}/".format(**wildcards)
    if not path.startswith(folder):
        return path
    return f"{CELL}/".format(**wildcards) + path.removeprefix(folder)


def cell_input(function):
    """An input function of a main rule, for its sweep twin: called as for the cell's
    method in the main run (wildcard model = method), its files moved to the cell."""

    def moved(wildcards):
        main = Wildcards(fromdict=dict(wildcards.items()) | {"model": wildcards.method})
        found = function(main)
        if isinstance(found, dict):
            return {
                key: concrete_in_cell(path, wildcards) for key, path in found.items()
            }
        if isinstance(found, str):
            return concrete_in_cell(found, wildcards)
        return [concrete_in_cell(path, wildcards) for path in found]

    return moved


def named(files) -> tuple[list, dict]:
    """A rule's input, output or log as positional items and named ones."""
    names = {start: name for name, (start, _) in files._names.items()}
    positional = [item for index, item in enumerate(files) if index not in names]
    return positional, {name: files[index] for index, name in names.items()}


def twin_input(item):
    """One input of a main rule, as its sweep twin reads it."""
    if callable(item):  # a named input's function
        return cell_input(item)
    if not item.is_callable():
        return in_cell(item)
    # An unpacked function: snakemake 9's _IOFile keeps it in `_file`, wrapped in an
    # AnnotatedString that holds it in `callable`.
    return unpack_input(cell_input(getattr(item._file, "callable", None) or item._file))


def derive_sweep_rule(base) -> None:
    """Declare sweep_RULE, the rule `base` on a sweep's cells, as Snakemake's parser
    declares a `use rule ... with` statement (the same params, script and resources)."""
    inputs, named_inputs = named(base.input)
    outputs, named_outputs = named(base.output)
    logs, named_logs = named(base.log)
    modifiers = [
        workflow.userule(
            rules=[base.name], name_modifier=f"sweep_{base.name}", lineno=1
        ),
        workflow.input(
            *map(twin_input, inputs),
            **{name: twin_input(item) for name, item in named_inputs.items()},
        ),
        workflow.output(
            *map(in_cell, outputs),
            **{name: in_cell(path) for name, path in named_outputs.items()},
        ),
        workflow.log(
            *(in_cell(path, base.name) for path in logs),
            **{name: in_cell(path, base.name) for name, path in named_logs.items()},
        ),
        workflow.benchmark(in_cell(base.benchmark, base.name)),
        workflow.group(SWEEP_GROUPS.get(base._group, base._group)),
    ]
    # Like the parser's empty function body; a builtin, so that no rule file holds it.
    declared = workflow.run(print)
    for modify in reversed(modifiers):
        declared = modify(declared)


def stage_tables(stage):
    """(input name, folder template, file name) of each .tsv output of a per-model stage:
    evaluate's metrics.tsv is each model's row (`tables`), any other a stage's columns.
    """
    for path in stage.output:
        folder = model_folder(path)
        name = template(path).removeprefix(folder)
        if name.endswith(".tsv"):
            yield ("tables" if name == "metrics.tsv" else stage.name), folder, name


def model_tables(config) -> dict[str, list[str]]:
    """Every table of the main run's metrics table (`stage_tables`), for each model (or
    method) its stage runs on."""
    values = {"{model}": MODELS, "{method}": config["methods"]}
    grid = list(itertools.product(config["seeds"], config["budgets"]))
    tables = {}
    for stage in per_model_stages():
        for key, folder, name in stage_tables(stage):
            kind = Path(folder).name  # {model} or {method}
            tables[key] = [
                f"{folder}{name}".replace(kind, model).format(seed=seed, budget=budget)
                for seed, budget in grid
                for model in values[kind]
            ]
    return tables


def sweep_tables(wildcards):
    """A sweep's cells' tables, as `model_tables`: each cell's row and each stage's
    columns (a timing stage's only if the sweep is timed)."""
    sweep = SWEEPS[wildcards.sweep]
    return {
        key: paths.cell_files(sweep, name)
        for stage in per_model_stages()
        if sweep.timing or not is_timing(stage)
        for key, _, name in stage_tables(stage)
    }
