"""The real Snakefile end to end on tests/smoke.yaml, in a temporary directory."""

import json
import re

import numpy as np
import pandas as pd
import yaml

from conftest import REPO, job, jobs_beside_timing_jobs, logged_jobs, planned_jobs, run_snakemake
from fwprune import experiment, names
from fwprune.methods import REGISTRY

SMOKE = yaml.safe_load(open(__file__.replace("test_workflow.py", "smoke.yaml")))
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())
# config.yaml, then tests/smoke.yaml, section by section
MERGED = CONFIG | {k: CONFIG[k] | v if isinstance(v, dict) else v for k, v in SMOKE.items()}
# and the schema's defaults of each method's section, as the workflow's validation fills them
MERGED |= {name: method.defaults() | MERGED.get(name, {}) for name, method in REGISTRY.items()}
PRUNABLE = 34_720
FILTERS = 32 + 64
# Each smoke method's settings, target sparsity and epochs spent after the checkpoint.
SETTINGS = {m: experiment.section(MERGED, m) for m in SMOKE["methods"]}
TARGETS = {m: SETTINGS[m][experiment.target_key(MERGED, m)] for m in SMOKE["methods"]}
SPENT = {m: experiment.epochs_spent(MERGED, m) for m in SMOKE["methods"]}
SWEEP, FILTER_SWEEP = SMOKE["sweeps"]["sweep"], SMOKE["sweeps"]["filter_sweep"]
CONTROLS = [names.control(e) for e in sorted(set(SPENT.values()))]


def test_every_seed_budget_and_method_has_a_row(smoke_metrics):
    keys = set(zip(smoke_metrics.seed, smoke_metrics.budget, smoke_metrics.method, strict=True))
    expected = {
        (seed, budget, method)
        for seed in SMOKE["seeds"]
        for budget in SMOKE["budgets"]
        for method in ["base", *SMOKE["methods"], *CONTROLS]
    }
    assert keys == expected and len(smoke_metrics) == len(expected)


def test_measured_sparsity_equals_the_configured_one(smoke_metrics):
    """Of the weights, or with filter granularity, of the filters."""
    for method, target in TARGETS.items():
        rows = smoke_metrics[smoke_metrics.method == method]
        if SETTINGS[method]["granularity"] == "filter":
            assert (rows.filters_removed == round(target * FILTERS) / FILTERS).all(), method
            assert (rows.sparsity > rows.filters_removed).all()  # a filter takes its readers
        else:
            assert (rows.zero_weights - round(target * PRUNABLE)).abs().max() <= 1, method
            # Its export keeps every filter, though a few may hold only zeros.
            assert (rows.physical_parameter_ratio == 1).all()
            assert (rows.physical_flops_ratio == 1).all()
    base = smoke_metrics[smoke_metrics.method == "base"]
    assert (base.nonzero_fraction == 1.0).all() and (base.epochs_after_checkpoint == 0).all()


def test_the_filter_pruned_export_is_physically_smaller(smoke_run, smoke_metrics):
    """Fewer filters in the exported model itself, and fewer parameters, FLOPs and bytes."""
    from fwprune.export import load_exported

    (method,) = [m for m in SMOKE["methods"] if SETTINGS[m]["granularity"] == "filter"]
    kept = FILTERS - round(TARGETS[method] * FILTERS)
    for budget in SMOKE["budgets"]:
        model = load_exported(smoke_run / f"results/seed0/budget{budget}/{method}/finetuned.keras")
        assert model.get_layer("conv1").filters + model.get_layer("conv2").filters == kept
    rows = smoke_metrics[smoke_metrics.method == method]
    assert (rows.physical_parameter_ratio < 0.75).all() and (rows.physical_flops_ratio < 0.75).all()
    assert (rows.model_bytes_ratio < 1).all() and (rows.model_gzip_ratio < 1).all()


def test_rows_record_training_spent_and_config(smoke_metrics):
    spent = smoke_metrics.groupby("method").epochs_after_checkpoint.unique().map(list).to_dict()
    expected = {"base": [0]} | {method: [epochs] for method, epochs in SPENT.items()}
    assert spent == expected | {control: [names.control_epochs(control)] for control in CONTROLS}
    # What the registry derives, by hand for the paper's methods.
    assert SPENT["magnitude"] == 1 and SPENT["fw"] == SPENT["fw_momentum"] == 4
    assert (smoke_metrics.data_train_size == SMOKE["data"]["train_size"]).all()
    assert smoke_metrics.test_accuracy.between(0, 1).all()
    # Every row is scored on the held-out validation images too (what tuning selects by).
    assert (smoke_metrics.data_validation_size == 5000).all()
    assert smoke_metrics.validation_accuracy.between(0, 1).all()
    assert (smoke_metrics.validation_accuracy != smoke_metrics.test_accuracy).any()


def test_each_job_records_its_cpu_and_the_epochs_it_trained(smoke_run):
    """The work records benchmarks.cost reads: every job's CPU; one pre-training epoch per
    checkpoint, and a method's pruning and fine-tuning together the epochs its rows say it
    spent, every epoch over the training subset."""

    def work(path):
        return json.loads((smoke_run / "results" / path).read_text())

    benchmarks = [*smoke_run.glob("results/**/*.benchmark.tsv"), *smoke_run.glob("data/*.tsv")]
    for benchmark in benchmarks:
        record = benchmark.with_name(benchmark.name.replace(".benchmark.tsv", ".work.json"))
        assert json.loads(record.read_text())["cpu_seconds"] > 0, record
    size = SMOKE["data"]["train_size"]
    for epoch in (1, 2):
        record = work(f"seed0/pretrain/epoch{epoch}.pretrain.work.json")
        assert record["epochs"] == 1 and record["examples"] == size
    for method, spent in SPENT.items():
        prune, finetune = (
            work(f"seed0/budget1/{method}/{rule}.work.json") for rule in ("prune", "finetune")
        )
        assert prune["epochs"] + finetune["epochs"] == spent, method
        assert prune["examples"] + finetune["examples"] == spent * size, method


def test_dense_control_is_the_checkpoint_trained_on(smoke_metrics):
    """dense+E at budget k is pre-training checkpoint k + E: the chain's own epochs."""
    rows = smoke_metrics.set_index(["budget", "method"])
    np.testing.assert_equal(
        rows.loc[(1, "dense+1"), "test_accuracy"], rows.loc[(2, "base"), "test_accuracy"]
    )
    assert (smoke_metrics[smoke_metrics.method.str.startswith("dense")].sparsity == 0).all()


def test_figures_and_logs_and_benchmarks_exist(smoke_run):
    for name in ("accuracy", "loss", "nonzero"):
        assert (smoke_run / "results" / "figures" / f"{name}.pdf").stat().st_size > 1000
    assert len(list(smoke_run.glob("results/**/*.benchmark.tsv"))) >= 24
    log = (smoke_run / "results/seed0/pretrain/epoch2.pretrain.log").read_text()
    assert re.search(r"epoch 2: loss [\d.]+ accuracy [\d.]+ \([\d.]+ s\)", log)


def test_benchmarks_table_holds_every_job_upstream_of_the_metrics_table(smoke_run):
    """The table's jobs come from the DAG: a rule left out of it, or without a `benchmark:`
    file, fails here. Compared with the jobs the smoke run's log says ran, less the ones
    after the metrics table."""
    first_run = sorted(smoke_run.glob(".snakemake/log/*.snakemake.log"))[0]
    after_table = {job(rule) for rule in ("plot", "claims", "benchmarks", "all")}
    ran = logged_jobs(first_run.read_text()) - after_table
    table = pd.read_parquet(smoke_run / "results" / "benchmarks.parquet")
    wildcards = table.drop(columns=["rule", "seconds", "max_rss_mb", "cpu_time"])
    tabled = {
        job(rule, **{key: wildcard(value) for key, value in row.dropna().items()})
        for rule, (_, row) in zip(table["rule"], wildcards.iterrows(), strict=True)
    }
    assert len(tabled) == len(table) and tabled == ran


def wildcard(value) -> str:
    """A wildcard's value as Snakemake prints it (a number column holds floats)."""
    return str(int(value)) if isinstance(value, float) else str(value)


def test_timing_jobs_ran_with_no_other_job_beside_them(smoke_run):
    # The smoke run has 2 cores for 1-thread jobs: without isolation, jobs run in pairs.
    assert jobs_beside_timing_jobs(smoke_run) == []


def test_every_timing_row_carries_its_control(smoke_run, smoke_metrics):
    timed = smoke_metrics.dropna(subset=["inference_time_ratio"])
    assert len(timed) == len(SMOKE["budgets"]) * len(SMOKE["methods"])
    for ratio in ("inference_time_ratio", "inference_time_control_ratio"):
        for column in (ratio, f"{ratio}_large_batch"):  # batch 1 and a large batch
            assert (timed[f"{column}_q25"] <= timed[column]).all()
            assert (timed[column] <= timed[f"{column}_q75"]).all()
    assert (timed[["dense_copy_latency_ms", "dense_copy_large_batch_latency_ms"]] > 0).all(
        axis=None
    )
    log = (smoke_run / "results/seed0/budget1/fw/time_inference.log").read_text()
    assert "timing at batch size 1\n" in log and "timing at batch size 256\n" in log


def test_a_second_run_has_nothing_to_do(smoke_run):
    assert planned_jobs(smoke_run) == {}


def test_reordered_config_keys_rerun_nothing(smoke_run):
    (smoke_run / "sorted.yaml").write_text(yaml.safe_dump(SMOKE, sort_keys=True))
    assert planned_jobs(smoke_run, configfiles=["sorted.yaml"]) == {}


def test_one_figure_builds_only_what_it_needs(finished_copy):
    (finished_copy / "results/figures/accuracy.pdf").unlink()
    jobs = planned_jobs(finished_copy, "results/figures/accuracy.pdf")
    assert jobs == {"plot": 1}


def test_verdict_table_judges_every_claim(smoke_run):
    table = (smoke_run / "results/claims.md").read_text().splitlines()
    assert table[0].startswith("| claim (paper §5) |") and len(table) == 2 + 9


def test_metrics_table_is_readable_with_pandas(smoke_run):
    frame = pd.read_parquet(smoke_run / "results" / "metrics.parquet")
    assert {"seed", "budget", "method", "test_accuracy", "test_loss", "sparsity"} <= set(frame)
    assert {"nonzero_fraction", "compression_ratio", "theoretical_speedup"} <= set(frame)


def test_sparsity_sweep_holds_sparsity_and_compute_equal(smoke_sweep):
    sweep = pd.read_parquet(smoke_sweep / "results/sweep/metrics.parquet")
    methods = SWEEP["methods"] or SMOKE["methods"]
    assert len(sweep) == len(methods) * len(SWEEP["sparsities"])
    # A method keeps its granularity in the sweep: the smoke's random prunes filters, and
    # removes a filter's readers too, so only the unstructured cells hit the sparsity exactly.
    weights = sweep[sweep.param_granularity == "unstructured"]
    assert ((weights.zero_weights - (weights.target_sparsity * PRUNABLE).round()).abs() <= 1).all()
    assert (sweep.epochs_after_checkpoint == 4).all()
    assert (smoke_sweep / "results/sweep/sparsity.pdf").stat().st_size > 1000
    # A variant runs its method with its own settings, under its own name.
    linear = sweep[sweep.method == "gmp_linear"]
    assert (linear.base_method == "gmp").all() and (linear.param_power == 1).all()
    assert (sweep[sweep.method == "gmp"].param_power == 3).all()


def test_filter_sweep_models_are_physically_smaller(smoke_filter_sweep):
    cells = pd.read_parquet(smoke_filter_sweep / "results/filter_sweep/metrics.parquet")
    assert len(cells) == len(FILTER_SWEEP["methods"]) * len(FILTER_SWEEP["sparsities"])
    assert (cells.param_granularity == "filter").all()
    assert (cells.physical_parameter_ratio < 1).all()
    assert ((cells.filters_removed - cells.target_sparsity) * FILTERS).abs().max() <= 1
    assert (cells.epochs_after_checkpoint == 4).all()  # fw's, given to every method


def test_both_sweeps_are_timed_and_drawn_by_cost(smoke_filter_sweep):
    for sweep in ("sweep", "filter_sweep"):
        cells = pd.read_parquet(smoke_filter_sweep / f"results/{sweep}/metrics.parquet")
        for column in ("inference_time_ratio", "inference_time_ratio_large_batch"):
            assert cells[column].notna().all(), (sweep, column)
    for suffix in ("pdf", "png"):
        figure = smoke_filter_sweep / f"results/filter_sweep/accuracy_vs_cost.{suffix}"
        assert figure.stat().st_size > 1000


def test_every_cell_of_both_sweeps_is_priced_against_its_checkpoint(smoke_filter_sweep):
    text = (smoke_filter_sweep / "results/filter_sweep/tradeoffs.md").read_text()
    # The float32 table, then the int8 table beside it (the same cells), then int8 choices.
    float32, rest = text.split("### Int8 beside float32")
    int8 = rest.split("### The smallest")[0]

    def table_rows(part):
        lines = part.splitlines()
        return [line for line in lines if line.startswith("| ") and "| method |" not in line]

    rows = table_rows(float32)
    # (granularity, method, sparsity): the sparsity sweep runs each method with its own
    # granularity, so smoke's filter-pruned `random` at 0.5 is a cell of both sweeps.
    sweep = {
        (SETTINGS[m]["granularity"], m, p) for m in SMOKE["methods"] for p in SWEEP["sparsities"]
    }
    filters = {
        ("filter", m, p) for m in FILTER_SWEEP["methods"] for p in FILTER_SWEEP["sparsities"]
    }
    cells = [tuple(row.strip("| ").split(" | ")[:3]) for row in rows]
    assert len(cells) == len(set(cells))  # a cell both sweeps ran is shown once
    assert len(cells) == len(sweep | filters)  # both share budget 2, the filter sweep's one
    assert any(row.endswith("| yes |") for row in rows)  # the frontier is never empty
    int8_cells = [tuple(row.strip("| ").split(" | ")[:3]) for row in table_rows(int8)]
    assert sorted(int8_cells) == sorted(cells)


def test_the_sweep_is_judged_cell_by_cell(smoke_sweep):
    text = (smoke_sweep / "results/sweep/verdicts.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| 2 |")]  # budget 2
    # Per sparsity: one row of "which method", and one per FW method and baseline (a
    # variant of gmp is a baseline); one seed: no test, marked as such.
    methods = SWEEP["methods"] or SMOKE["methods"]
    frank_wolfe = [m for m in methods if experiment.base_method(MERGED, m).startswith("fw")]
    pairs = len(frank_wolfe) * (len(methods) - len(frank_wolfe))
    assert len(rows) == len(SWEEP["sparsities"]) * (1 + pairs)
    assert "(1 seed)" in text


def test_the_smoke_base_model_learns(smoke_metrics):
    """Numbers from a model at chance could not tell a working method from a broken one."""
    base = smoke_metrics[smoke_metrics.method == "base"].set_index("budget").test_accuracy
    assert base[2] >= 0.8


def test_frank_wolfe_is_not_magnitude_pruning_in_disguise(smoke_sweep):
    """At equal sparsity and training, each FW method ends with its own mask and its own
    accuracy: a method replaced by magnitude pruning would reproduce magnitude's."""
    sweep = pd.read_parquet(smoke_sweep / "results/sweep/metrics.parquet")
    accuracy = sweep.set_index(["method", "target_sparsity"]).test_accuracy
    for sparsity in SWEEP["sparsities"]:
        run = smoke_sweep / f"results/sweep/seed0/budget2/{{}}/sparsity{sparsity}/pruned.npz"
        magnitude = np.load(str(run).format("magnitude"))["mask"]
        for method in ("fw", "fw_momentum"):
            mask = np.load(str(run).format(method))["mask"]
            assert mask.sum() == magnitude.sum(), (method, sparsity)
            swapped = np.count_nonzero(mask & ~magnitude)
            assert swapped > 0.01 * mask.sum(), (method, sparsity)
            assert accuracy[method, sparsity] != accuracy["magnitude", sparsity]


def test_report_holds_every_figure_with_its_caption(smoke_run):
    run_snakemake(smoke_run, "--report", "report.html", "--configfile", "tests/smoke.yaml")
    html = (smoke_run / "report.html").read_text()
    for figure in ("accuracy", "loss", "nonzero", "inference_time", "time_per_stage"):
        assert f"{figure}.png" in html
    assert "measured interleaved in one" in html  # a caption (its lines break after "one")
    assert "metrics.tsv" in html and "claims.md" in html
