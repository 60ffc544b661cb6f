"""What reruns when: one change per row, on a private copy of the finished smoke run, and
the exact jobs a dry run then plans (README, "What reruns when")."""

import pytest
import yaml

from conftest import job, logged_jobs, run_snakemake

SMOKE = yaml.safe_load(open(__file__.replace("test_reruns.py", "smoke.yaml")))
BUDGETS = SMOKE["budgets"]  # [1, 2]; one seed, 0
METHODS = SMOKE["methods"]
# magnitude and random spend 1 epoch after pruning, the others 4 (tests/test_workflow.py
# checks the epochs spent against the registry)
CONTROLS = ["dense+1", "dense+4"]
LIBRARY = "workflow/scripts/fwprune"


def per_budget(rule: str, budgets=BUDGETS, seed=0, **wildcards) -> set[str]:
    return {job(rule, seed=seed, budget=budget, **wildcards) for budget in budgets}


def evaluations(*models, budgets=BUDGETS, seed=0, stages=("evaluate",)) -> set[str]:
    return {j for m in models for s in stages for j in per_budget(s, budgets, seed, model=m)}


def model_jobs(*models, budgets=BUDGETS, seed=0) -> set[str]:
    """What follows a model's (re)training: its evaluation and its int8 twin."""
    return evaluations(*models, budgets=budgets, seed=seed, stages=("evaluate", "int8"))


def method_jobs(*methods, budgets=BUDGETS, seed=0) -> set[str]:
    """A method's jobs from pruning on: pruning, fine-tuning, both timings, evaluation and
    its int8 twin."""
    stages = ("prune", "finetune", "time_inference", "time_int8")
    jobs = {j for m in methods for s in stages for j in per_budget(s, budgets, seed, method=m)}
    return jobs | model_jobs(*methods, budgets=budgets, seed=seed)


def pretraining(*epochs, seed=0) -> set[str]:
    return {job("pretrain", seed=seed, epoch=epoch) for epoch in epochs}


# The jobs after the metrics rows: they rerun whenever any row does.
TABLE = {job(rule) for rule in ("aggregate", "plot", "claims", "benchmarks", "all")}
# Every timing job of the smoke run, float32 and int8.
TIMINGS = {
    j for m in METHODS for r in ("time_inference", "time_int8") for j in per_budget(r, method=m)
}
# Every int8 twin of the smoke run (int8.smk).
INT8 = evaluations("base", *METHODS, *CONTROLS, stages=("int8",))
# Every training and evaluation job of the smoke run: all but the download.
TRAINING = pretraining(*range(1, 7)) | method_jobs(*METHODS) | model_jobs("base", *CONTROLS)


def merged(base: dict, change: dict) -> dict:
    """`base` with `change` applied section by section."""
    return base | {
        key: merged(base.get(key, {}), value) if isinstance(value, dict) else value
        for key, value in change.items()
    }


def config(**change):
    """A row's change: these config values on top of tests/smoke.yaml."""

    def apply(workdir):
        (workdir / "changed.yaml").write_text(yaml.safe_dump(merged(SMOKE, change)))
        return "changed.yaml"

    return apply


def edit(path: str, old: str, new: str):
    """A row's change: the first `old` in `path` (under the workflow copy) becomes `new`."""

    def apply(workdir):
        file = workdir / path
        text = file.read_text()
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1))
        return "tests/smoke.yaml"

    return apply


def add_method(name: str):
    """A row's change: a new method file, magnitude's code under another name."""

    def apply(workdir):
        methods = workdir / LIBRARY / "methods"
        text = (methods / "magnitude.py").read_text()
        (methods / f"{name}.py").write_text(text.replace('name="magnitude"', f'name="{name}"'))
        return "tests/smoke.yaml"

    return apply


ROWS = {
    "nothing": (config(), set()),
    "data.download_timeout": (config(data={"download_timeout": 60}), set()),
    # The twin's outputs are the same at any batch size; the Keras model is not scored.
    "evaluate.batch_size": (config(evaluate={"batch_size": 500}), set()),
    "evaluate.keras_accuracy": (
        config(evaluate={"keras_accuracy": True}),
        evaluations("base", *METHODS, *CONTROLS) | TABLE,
    ),
    "threads": (config(threads=2), set()),
    "timing.threads": (config(timing={"threads": 2}), TIMINGS | TABLE),
    "fw.gamma, unused by the harmonic step": (config(fw={"gamma": 0.3}), set()),
    "a sweep, not in the default target": (
        config(sweeps={"sweep": {"sparsities": [0.5, 0.8]}}),
        set(),
    ),
    "a new sweep": (config(sweeps={"mine": {"sparsities": [0.7], "budgets": [1]}}), set()),
    "timing.repeats": (config(timing={"repeats": 30}), TIMINGS | TABLE),
    "timing.large_batch_size": (config(timing={"large_batch_size": 128}), TIMINGS | TABLE),
    "fw.finetune_epochs": (
        # No pruning; fw now spends 5 epochs: a new control, dense+5, one epoch further.
        config(fw={"finetune_epochs": 1}),
        method_jobs("fw") - per_budget("prune", method="fw")
        | pretraining(7)
        | model_jobs("dense+5")
        | TABLE,
    ),
    "fw.iterations": (
        config(fw={"iterations": 3}),  # fw now spends 3 epochs: a new control, dense+3
        method_jobs("fw") | model_jobs("dense+3") | TABLE,
    ),
    "magnitude.sparsity": (config(magnitude={"sparsity": 0.6}), method_jobs("magnitude") | TABLE),
    "fw_momentum.momentum": (
        config(fw_momentum={"momentum": 0.8}),
        method_jobs("fw_momentum") | TABLE,
    ),
    # gmp_linear sets its own power: only gmp reruns.
    "gmp.power": (config(gmp={"power": 2}), method_jobs("gmp") | TABLE),
    # A variant's setting reruns the variant alone; its method's settings below it, both.
    "variants.gmp_linear.sparsity_init": (
        config(variants={"gmp_linear": {"sparsity_init": 0.2}}),
        method_jobs("gmp_linear") | TABLE,
    ),
    "gmp.iterations": (
        config(gmp={"iterations": 3}),  # both now spend 3 epochs: a new control, dense+3
        method_jobs("gmp", "gmp_linear") | model_jobs("dense+3") | TABLE,
    ),
    "magnitude.dense_epochs": (
        # magnitude now spends 2 epochs: a new control, dense+2
        config(magnitude={"dense_epochs": 1}),
        method_jobs("magnitude") | model_jobs("dense+2") | TABLE,
    ),
    "magnitude.scope": (config(magnitude={"scope": "layer"}), method_jobs("magnitude") | TABLE),
    "magnitude.granularity": (
        config(magnitude={"granularity": "filter"}),
        method_jobs("magnitude") | TABLE,
    ),
    "train.learning_rate": (config(train={"learning_rate": 0.02}), TRAINING | TABLE),
    "data.subset_seed": (config(data={"subset_seed": 1}), TRAINING | TABLE),
    # A param of the rules that build a model; the rest follows from their new outputs.
    "network": (config(network="lenet5"), TRAINING | TABLE),
    "a seed added": (
        config(seeds=[0, 1]),
        pretraining(*range(1, 7), seed=1)
        | method_jobs(*METHODS, seed=1)
        | model_jobs("base", *CONTROLS, seed=1)
        | TABLE,
    ),
    "a budget added": (
        config(budgets=[1, 2, 3]),  # budget 3's dense+4 is epoch 7
        pretraining(7)
        | method_jobs(*METHODS, budgets=[3])
        | model_jobs("base", *CONTROLS, budgets=[3])
        | TABLE,
    ),
    "dense_matched off": (config(dense_matched=False), TABLE),
    # The int8 twins' ranges: every twin, and the int8 timings that read them.
    "int8.representative_examples": (
        config(int8={"representative_examples": 100}),
        INT8 | {j for m in METHODS for j in per_budget("time_int8", method=m)} | TABLE,
    ),
    "a comment in io.py": (
        edit(f"{LIBRARY}/io.py", "import pandas as pd\n", "import pandas as pd  # tables\n"),
        set(),
    ),
    "a docstring in data.py": (
        edit(f"{LIBRARY}/data.py", "nothing else", "and nothing else"),
        set(),
    ),
    "a comment in a script": (
        edit("workflow/scripts/prune.py", "\nimport numpy", "\n# pruning\nimport numpy"),
        set(),
    ),
    "a changed line in model.py, shared by every training job": (
        edit(f"{LIBRARY}/model.py", "\nimport keras\n", "\nimport keras\n\nUNUSED = 1\n"),
        TRAINING | TABLE,
    ),
    "a changed line in masks.py, which only pruning imports": (
        edit(f"{LIBRARY}/masks.py", "\nimport numpy as np\n", "\nimport numpy as np\n\nX = 1\n"),
        method_jobs(*METHODS) | TABLE,
    ),
    "a changed line in metrics.py, which scoring, timing and int8 jobs import": (
        edit(f"{LIBRARY}/metrics.py", "\nimport numpy as np\n", "\nimport numpy as np\n\nX = 1\n"),
        evaluations("base", *METHODS, *CONTROLS) | INT8 | TIMINGS | TABLE,
    ),
    # Reruns at the grain of a method: a prune job's code is its own method's module.
    "a changed line in gmp.py": (
        edit(
            f"{LIBRARY}/methods/gmp.py", "\nimport numpy as np\n", "\nimport numpy as np\n\nX = 1\n"
        ),
        method_jobs("gmp", "gmp_linear") | TABLE,
    ),
    "a method file that no config names": (
        # Only the legends and the claims read the whole registry.
        add_method("unused"),
        {job("plot"), job("claims"), job("benchmarks"), job("all")},
    ),
    "a changed line in sources.py, the fetching code": (
        # A download is verified against the pinned digest: other code fetches the same file.
        edit(f"{LIBRARY}/sources.py", "\nimport gzip\n", "\nimport gzip\n\nX = 1\n"),
        set(),
    ),
    "the pinned MNIST digest in sources.py": (
        # A param of the download and of every job reading the data.
        edit(f"{LIBRARY}/sources.py", '"8690', '"0690'),
        {job("download", dataset="mnist")} | TRAINING | TABLE,
    ),
    "a data set added to sources.py": (
        edit(
            f"{LIBRARY}/sources.py", "DATASETS = {\n", 'DATASETS = {"x": Dataset("X", "0", ()),\n'
        ),
        set(),
    ),
    "a changed line in plots.py, the plot-only module": (
        edit(f"{LIBRARY}/plots.py", "\nimport matplotlib\n", "\nimport matplotlib\n\nX = 1\n"),
        {job("plot"), job("benchmarks"), job("all")},
    ),
}


def planned(workdir, configfile: str) -> set[str]:
    """The jobs a dry run plans, named as `job` names them."""
    return logged_jobs(run_snakemake(workdir, "-n", "--configfile", configfile).stdout)


@pytest.mark.parametrize("change, expected", ROWS.values(), ids=ROWS.keys())
def test_a_change_reruns_exactly_what_it_affects(finished_copy, change, expected):
    assert planned(finished_copy, change(finished_copy)) == expected
