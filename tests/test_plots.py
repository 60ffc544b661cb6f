"""The sweep figures drawn from made-up metrics, checked on the matplotlib objects: the
accuracy axis spans the models that learned and keeps the collapsed ones in sight at its
bottom edge, the sweep's x axis is log compression, and methods and variants are told
apart by colour and marker."""

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from fwprune import plots
from fwprune.methods import REGISTRY
from fwprune.stats import Settings

CHANCE = 0.1
SPARSITIES = (0.5, 0.9, 0.98)
COSTS = ["inference_time_ratio", "inference_time_ratio_large_batch", "model_gzip_ratio"]


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
            random = CHANCE if collapsed and sparsity == 0.98 else 0.95 - sparsity / 5
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
    assert "collapsed (accuracy at chance" in legend


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
        assert list(points.get_xdata()) == pytest.approx([2, 10, 50])


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


def test_the_filter_sweep_says_what_hollow_means():
    figure = plots.sweep_figure(sweep(granularity="filter"))
    legend = [text.get_text() for legend in figure.legends for text in legend.texts]
    assert "filter pruning" in legend


def test_the_figures_save(tmp_path):
    both = pd.concat([sweep(), sweep(granularity="filter")])
    plots.save_figure(plots.sweep_figure(sweep()), [tmp_path / "sweep.png"])
    plots.save_figure(plots.accuracy_vs_cost_figure(both), [tmp_path / "cost.png"])
    assert (tmp_path / "sweep.png").stat().st_size > 0
    assert (tmp_path / "cost.png").stat().st_size > 0
