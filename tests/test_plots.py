"""The sweep figures drawn from made-up metrics, checked on the matplotlib objects: the
accuracy axis spans the models that learned and keeps the collapsed ones in sight at its
bottom edge, the sweep's x axis is log compression, and methods and variants are told
apart by colour and marker."""

import itertools
import re
import runpy
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from fwprune import claims, plots, verdicts
from fwprune.io import read_table
from fwprune.methods import REGISTRY
from fwprune.stats import Settings

CHANCE = 0.1
SPARSITIES = (0.5, 0.9, 0.98)
COSTS = ["inference_time_ratio", "inference_time_ratio_large_batch", "model_gzip_ratio"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def rows(method, budget, sparsity, accuracies, granularity="unstructured"):
    """A cell's rows, one per seed, with every column the figures read."""
    return [
        {
            "method": method,
            "budget": budget,
            "seed": seed,
            "target_sparsity": sparsity,
            "sparsity": sparsity,
            "param_granularity": granularity,
            "test_accuracy": accuracy,
            "inference_time_ratio": 1 - sparsity / 2,
            "inference_time_ratio_large_batch": 1 - sparsity / 3,
            "model_gzip_ratio": 1 - sparsity,
        }
        for seed, accuracy in enumerate(accuracies)
    ]


def sweep(collapsed=True, granularity="unstructured"):
    """Two budgets; magnitude and fw learn at every sparsity, fw with five seeds where
    magnitude has three; random collapses to chance at 0.98 when `collapsed`."""
    frame = []
    for budget in (1, 10):
        for sparsity in SPARSITIES:
            frame += rows("magnitude", budget, sparsity, [0.97 - sparsity / 10] * 3, granularity)
            fw = 0.96 - sparsity / 10 + np.array([-0.01, 0, 0.01, 0, 0])
            frame += rows("fw", budget, sparsity, fw, granularity)
            random = CHANCE if collapsed and sparsity == 0.98 else 0.95 - sparsity / 6
            frame += rows("random", budget, sparsity, [random, random], granularity)
    return pd.DataFrame(frame)


def lowest_learned(frame):
    means = frame.groupby(["method", "budget", "target_sparsity"])["test_accuracy"].mean()
    return means[means >= Settings().collapsed_below].min()


def accuracy_panels(figure):
    return [axes for axes in figure.axes if axes.get_ylabel() or axes.get_title()]


def collapsed_points(axes):
    return [line for line in axes.get_lines() if line.get_gid() == "collapsed"]


@pytest.fixture(params=["sweep", "cost"])
def draw(request):
    figure_of = {"sweep": plots.sweep_figure, "cost": plots.accuracy_vs_cost_figure}
    return figure_of[request.param]


def test_the_accuracy_axis_spans_the_models_that_learned(draw):
    frame = sweep()
    panels = accuracy_panels(draw(frame))
    assert panels
    for axes in panels:
        low, high = axes.get_ylim()
        assert high == pytest.approx(1.0)
        # Chance is off the axis, and the lowest model that learned is near its bottom.
        assert CHANCE < low < lowest_learned(frame)
        assert (lowest_learned(frame) - low) / (high - low) < 0.2
        assert all(tick >= low for tick in axes.get_yticks() if low <= tick <= high)


def test_a_collapsed_model_is_drawn_at_the_bottom_edge(draw):
    figure = draw(sweep())
    drawn = [line for axes in accuracy_panels(figure) for line in collapsed_points(axes)]
    # One collapsed cell per budget; in the cost figure one per cost panel.
    assert len(drawn) == (2 if draw is plots.sweep_figure else 2 * len(COSTS))
    for line in drawn:
        low, high = line.axes.get_ylim()
        (y,) = line.get_ydata()
        assert low <= y and (y - low) / (high - low) < 0.06
        assert to_rgb(line.get_color()) == to_rgb(plots.METHOD_COLOURS["random"])
    legend = "\n".join(text.get_text() for legend in figure.legends for text in legend.texts)
    assert "collapsed (accuracy < 0.2)" in legend


def test_without_a_collapsed_model_there_is_no_strip(draw):
    figure = draw(sweep(collapsed=False))
    assert not any(collapsed_points(axes) for axes in figure.axes)
    legend = "\n".join(text.get_text() for legend in figure.legends for text in legend.texts)
    assert "collapsed" not in legend
    for axes in accuracy_panels(figure):
        assert axes.get_ylim()[0] > 0.5


def test_collapsed_below_is_a_parameter():
    # With the threshold above every model, none counts as learned: all at the edge.
    figure = plots.sweep_figure(sweep(collapsed=False), collapsed_below=0.99)
    assert sum(len(collapsed_points(axes)) for axes in figure.axes) == 2 * 3


@pytest.mark.parametrize(
    ("sparsity", "label"), [(0.25, "1.3×"), (0.75, "4×"), (0.98, "50×"), (0.995, "200×")]
)
def test_compression_labels_read_as_plain_numbers(sparsity, label):
    assert plots.compression_label(float(plots.compression(sparsity))) == label


def test_the_sweep_x_axis_is_log_compression_labelled_by_sparsity():
    figure = plots.sweep_figure(sweep())
    for axes in accuracy_panels(figure):
        assert axes.get_xscale() == "log"
        assert list(axes.get_xticks()) == pytest.approx([2, 10, 50])
        labels = [label.get_text() for label in axes.get_xticklabels()]
        assert labels == ["0.5\n(2×)", "0.9\n(10×)", "0.98\n(50×)"]
        # Points sit at their compression: magnitude's means at 2, 10 and 50.
        (points,) = [
            line
            for line in axes.get_lines()
            if line.get_gid() == "accuracy"
            and to_rgb(line.get_color()) == to_rgb(plots.METHOD_COLOURS["magnitude"])
        ]
        # (spread a little apart from the other methods' points, within 10 %)
        assert list(points.get_xdata()) == pytest.approx([2, 10, 50], rel=0.1)


def test_a_cell_is_the_mean_of_its_own_seeds():
    (extra,) = rows("fw", 1, 0.5, [0.5])
    extra["seed"] = 7  # an extra seed for one cell only
    frame = pd.concat([sweep(), pd.DataFrame([extra])], ignore_index=True)
    cells = plots.cell_means(frame, ["test_accuracy"])
    cell = cells.set_index(["method", "budget", "target_sparsity"]).loc[("fw", 1, 0.5)]
    assert cell["seeds"] == 6
    assert cell["test_accuracy"] == pytest.approx((5 * 0.91 + 0.5) / 6)
    assert cell["test_accuracy_low"] < cell["test_accuracy"] < cell["test_accuracy_high"]
    magnitude = cells.set_index(["method", "budget", "target_sparsity"]).loc[("magnitude", 1, 0.5)]
    assert magnitude["seeds"] == 3
    figure = plots.sweep_figure(frame)
    assert "2–6 seeds per point" in figure.get_suptitle()  # random has 2


def distance(first, second):
    return float(np.linalg.norm(np.subtract(to_rgb(first), to_rgb(second))))


def test_the_registered_methods_have_distinct_colours():
    _, palette, markers = plots.method_styles(list(REGISTRY))
    colours = [palette[plots.method_label(name)] for name in REGISTRY]
    for first, second in itertools.combinations(colours, 2):
        assert distance(first, second) > 0.25, (first, second)
    assert len({markers[plots.method_label(name)] for name in REGISTRY}) == len(REGISTRY)


def test_a_variant_differs_from_every_registered_method():
    methods = [*REGISTRY, "gmp_linear", "gmp_dense1", "dense+3"]
    order, palette, markers = plots.method_styles(methods)
    assert order[-1] == plots.method_label("dense+3")  # the control last, in grey
    grey = np.array(to_rgb(palette[plots.method_label("dense+3")]))
    assert np.ptp(grey) < 0.01
    registered = [plots.method_label(name) for name in REGISTRY]
    for variant in ("gmp_linear", "gmp_dense1"):
        label = plots.method_label(variant)
        assert label == variant
        for other in registered:
            assert distance(palette[label], palette[other]) > 0.2, (variant, other)
            assert markers[label] != markers[other]
    assert palette["gmp_linear"] != palette["gmp_dense1"]
    assert markers["gmp_linear"] != markers["gmp_dense1"]


def test_a_variant_is_drawn_in_its_own_style():
    frame = sweep()
    variant = frame[frame.method == "fw"].assign(method="fw_dense1")
    figure = plots.sweep_figure(pd.concat([frame, variant]))
    points = [line for line in figure.axes[0].get_lines() if line.get_gid() == "accuracy"]
    styles = {(to_rgb(line.get_color()), line.get_marker()) for line in points}
    assert len(styles) == 4  # magnitude, fw, random, fw_dense1
    legend = [text.get_text() for legend in figure.legends for text in legend.texts]
    assert "fw_dense1" in legend


def test_the_cost_figure_says_what_hollow_means():
    figure = plots.accuracy_vs_cost_figure(pd.concat([sweep(), sweep(granularity="filter")]))
    legend = [text.get_text() for legend in figure.legends for text in legend.texts]
    assert "filter pruning" in legend


def test_the_figures_save(tmp_path):
    both = pd.concat([sweep(), sweep(granularity="filter")])
    plots.save_figure(plots.sweep_figure(sweep()), [tmp_path / "sweep.png"])
    plots.save_figure(plots.accuracy_vs_cost_figure(both), [tmp_path / "cost.png"])
    assert (tmp_path / "sweep.png").stat().st_size > 0
    assert (tmp_path / "cost.png").stat().st_size > 0


# One interval everywhere: what a figure draws is what the tables print.

REPO = Path(__file__).resolve().parents[1]
GRID = REPO / "docs/runs/mnist-grid/metrics.tsv"
INTERVAL = r"(\d\.\d{3}) \[(-?\d\.\d{3}), (-?\d\.\d{3})\]"


def band_at(axes, label, x):
    """The (low, high) of the band drawn for `label` at `x`, read from its polygons."""
    (band,) = [c for c in axes.collections if c.get_gid() == f"band:{label}"]
    ys = [y for path in band.get_paths() for vx, y in path.vertices if np.isclose(vx, x)]
    return min(ys), max(ys)


def line_at(axes, label, x):
    (line,) = [line for line in axes.get_lines() if line.get_gid() == label]
    return float(np.asarray(line.get_ydata())[np.isclose(line.get_xdata(), x)][0])


def three(*values):
    return tuple(f"{v:.3f}" for v in values)


@pytest.mark.parametrize("row", [0, 1])  # the first budget's claims, and the last's
def test_a_budget_band_is_the_claims_tables_interval(row):
    frame = read_table(GRID)
    table = claims.report(frame).splitlines()[2 + row]
    budget = sorted(frame.budget.unique())[-row]
    axes = plots.line_figure(frame, plots.FIGURES["accuracy"]).axes[0]
    for method in claims.PAPER_METHODS:
        printed = re.search(rf"\b{method} {INTERVAL}", table).groups()
        label = plots.method_label(method)
        drawn = (line_at(axes, label, budget), *band_at(axes, label, budget))
        assert three(*drawn) == printed, method


def errorbars(axes, colour):
    """(x, mean, low, high) of each error bar drawn in `colour` on `axes`."""
    found = []
    for container in axes.containers:
        data, _, (bars, *_) = container.lines
        if to_rgb(data.get_color()) == to_rgb(colour):
            for x, mean, segment in zip(*data.get_data(), bars.get_segments(), strict=True):
                found.append((x, mean, *sorted(segment[:, 1])))
    return sorted(found)


def test_a_sweep_point_is_the_verdict_tables_interval():
    frame = read_table(REPO / "docs/runs/sweeps-mnist/sweep.tsv")
    table = verdicts.which_method(verdicts.sweep_accuracy(frame)).splitlines()[2:]
    methods = verdicts.sweep_accuracy(frame).columns
    (axes,) = accuracy_panels(plots.sweep_figure(frame))
    _, palette, _ = plots.method_styles(methods)
    for column, method in enumerate(methods):
        printed = [re.fullmatch(INTERVAL, row.split(" | ")[2 + column]).groups() for row in table]
        drawn = errorbars(axes, palette[plots.method_label(method)])
        assert [three(*bar[1:]) for bar in drawn] == printed, method


def test_values_equal_over_the_seeds_draw_no_band_and_a_share_starts_at_zero():
    frame = read_table(GRID)
    figure = plots.line_figure(frame, plots.FIGURES["nonzero"])
    (axes,) = figure.axes
    assert not [c for c in axes.collections if str(c.get_gid()).startswith("band:")]
    assert axes.get_ylim()[0] == 0
    assert "no interval" in axes.get_title()
    assert line_at(axes, plots.method_label("magnitude"), 1) == pytest.approx(50.15, abs=0.01)
    # ... while accuracy, which varies over the seeds, has its bands.
    (axes,) = plots.line_figure(frame, plots.FIGURES["accuracy"]).axes
    assert len([c for c in axes.collections if str(c.get_gid()).startswith("band:")]) == 6


# The accuracy axis of a sweep: models that learned little or split are shown as such.


def converged(split=False):
    """One budget: three methods within hundredths, one far behind (one seed near chance
    but none below 0.2, or one below it when `split`), one collapsed at every seed."""
    frame = []
    for sparsity in SPARSITIES:
        frame += rows("gmp", 6, sparsity, [0.99, 0.989, 0.991])
        frame += rows("magnitude", 6, sparsity, [0.98, 0.97, 0.975])
        frame += rows("fw", 6, sparsity, [0.96, 0.95, 0.94])
        behind = [0.53, 0.63, 0.11 if split else 0.26]
        frame += rows("fw_momentum", 6, sparsity, behind if sparsity == 0.98 else [0.97] * 3)
        frame += rows("random", 6, sparsity, [CHANCE] * 3 if sparsity == 0.98 else [0.95] * 3)
    return pd.DataFrame(frame)


def test_a_model_far_below_the_rest_is_written_in_the_strip_not_stretching_the_axis():
    (axes,) = accuracy_panels(plots.sweep_figure(converged()))
    low, high = axes.get_ylim()
    assert low > 0.9 - plots.AXIS_SPAN  # not down to 0.47
    (below,) = [line for line in axes.get_lines() if line.get_gid() == "below axis"]
    assert to_rgb(below.get_color()) == to_rgb(plots.METHOD_COLOURS["fw_momentum"])
    assert (below.get_ydata()[0] - low) / (high - low) < 0.06
    assert [text.get_text() for text in axes.texts] == ["0.47"]  # fw_momentum's mean
    (collapsed,) = collapsed_points(axes)  # random, at chance: no number
    assert to_rgb(collapsed.get_color()) == to_rgb(plots.METHOD_COLOURS["random"])


def test_a_cell_whose_seeds_split_is_drawn_as_its_seeds():
    (axes,) = accuracy_panels(plots.sweep_figure(converged(split=True)))
    (seeds,) = [line for line in axes.get_lines() if line.get_gid() == "split"]
    low, high = axes.get_ylim()
    # The seed at chance in the strip, the two others (0.53, 0.63: below the axis) too.
    assert all((y - low) / (high - low) < 0.06 for y in seeds.get_ydata())
    assert len(seeds.get_ydata()) == 3
    fw_momentum = errorbars(axes, plots.METHOD_COLOURS["fw_momentum"])
    assert len(fw_momentum) == 2  # no mean at 0.98


# A filter sweep with both ranking scopes.


def scoped(frame):
    """Each method also ranked within each layer, as the variant METHOD_layer."""
    frame = frame.assign(param_scope="global", base_method=frame["method"])
    layer = frame.assign(param_scope="layer", method=frame["method"] + "_layer")
    return pd.concat([frame, layer], ignore_index=True)


def test_a_filter_sweep_is_drawn_by_the_fraction_of_filters_a_panel_per_scope():
    frame = scoped(sweep(collapsed=False, granularity="filter"))
    frame["filters_removed"] = frame["target_sparsity"]
    frame["sparsity"] = 1 - (1 - frame["target_sparsity"]) ** 2  # weights go faster
    figure = plots.sweep_figure(frame)
    panels = accuracy_panels(figure)
    assert len(panels) == 4  # two budgets, two scopes
    for axes in panels:
        assert axes.get_xscale() == "linear"
        assert list(axes.get_xticks()) == pytest.approx(SPARSITIES)
        assert axes.get_xlabel() == "Fraction of the conv filters removed"
    global_, layer = panels[:2]
    assert "ranked globally" in global_.get_title()
    assert "within each layer" in layer.get_title()
    for axes, linestyle in ((global_, "-"), (layer, "--")):
        # Each panel: one line per method, in its registered method's colour.
        means = [line for line in axes.get_lines() if line.get_linestyle() == linestyle]
        colours = {to_rgb(line.get_color()) for line in means}
        assert colours == {to_rgb(plots.METHOD_COLOURS[m]) for m in ("magnitude", "fw", "random")}
        xs = sorted(x for bar in errorbars(axes, plots.METHOD_COLOURS["fw"]) for x in [bar[0]])
        assert xs == pytest.approx(SPARSITIES, abs=0.03)  # near its fraction of filters
    legend = [text.get_text() for legend in figure.legends for text in legend.texts]
    assert legend == ["magnitude", "Frank-Wolfe", "random", *plots.SCOPE_TITLES.values()]


# Where the time goes.


def test_the_stage_figure_draws_cpu_time_and_names_the_negligible_rules():
    benchmarks = pd.DataFrame(
        [
            {"rule": "prune", "seconds": 100.0, "cpu_time": 600.0},
            {"rule": "prune", "seconds": 100.0, "cpu_time": 600.0},
            {"rule": "evaluate", "seconds": 300.0, "cpu_time": 120.0},
            {"rule": "download", "seconds": 50.0, "cpu_time": 2.0},
        ]
    )
    figure = plots.stage_time_figure(benchmarks)
    (axes,) = figure.axes
    widths = {label.get_text(): bar.get_width() for label, bar in zip(
        axes.get_yticklabels(), axes.patches, strict=True)}  # fmt: skip
    assert widths == {"prune": pytest.approx(20.0), "evaluate": pytest.approx(2.0)}
    assert "CPU time" in axes.get_xlabel() and "minutes" in axes.get_xlabel()
    assert "download 2.0 s" in figure.get_supxlabel()


# The sweep figures take collapsed_below from the config, as the verdict tables do.

SCRIPTS = REPO / "workflow/scripts"


@pytest.mark.parametrize("script", ["sweep_plot.py", "sweep_cost_plot.py"])
def test_a_sweep_script_draws_with_the_configs_collapsed_below(script, tmp_path, monkeypatch):
    table = tmp_path / "metrics.tsv"
    sweep(collapsed=False).to_csv(table, sep="\t", index=False)
    drawn = []
    monkeypatch.setattr(plots, "save_figure", lambda figure, paths: drawn.append(figure))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the job's logging sets its own
    job = SimpleNamespace(
        input=SimpleNamespace(metrics=str(table), sweeps=[str(table)]),
        output=SimpleNamespace(pdf="unused.pdf", png="unused.png"),
        params=SimpleNamespace(verdicts={"collapsed_below": 0.99}),  # every cell below it
        log=SimpleNamespace(text=None, work=None),
    )
    runpy.run_path(str(SCRIPTS / script), init_globals={"snakemake": job})
    (figure,) = drawn
    points = [line for axes in accuracy_panels(figure) for line in collapsed_points(axes)]
    assert sum(len(line.get_xdata()) for line in points) == len(accuracy_panels(figure)) * 3 * 3
