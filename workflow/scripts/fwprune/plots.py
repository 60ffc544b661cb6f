"""The figures: the paper's (a metric against the pre-training budget, one line per model),
the sweeps' (accuracy against sparsity or cost, one line per method) and where the
pipeline's CPU time goes.

Every mean and interval drawn is `fwprune.stats.mean_ci`'s, the 95 % t-interval over seeds
that the tables print (`intervals`); a figure draws it from those numbers (fill_between,
errorbar), never by estimating its own.
"""

import itertools
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # files only; no display on a cluster node

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from fwprune import names, tables  # noqa: E402
from fwprune.io import atomic_output  # noqa: E402
from fwprune.methods import REGISTRY  # noqa: E402
from fwprune.stats import Settings, is_split, mean_ci  # noqa: E402

# Legend text and marker of each model but the controls: the base model, then the methods.
METHOD_LABELS = {names.BASE: "unpruned base"} | {m.name: m.label for m in REGISTRY.values()}
MARKERS = {names.BASE: "o"} | {m.name: m.marker for m in REGISTRY.values()}
CONTROL_MARKER = "X"
BUDGET_LABEL = "Pre-training budget (epochs)"


@dataclass(frozen=True)
class BudgetFigure:
    """One of the paper's figures: `column` against the budget, with its y-axis label and
    title. `share`: a percentage of the base model's, drawn from 0 (a cut axis would
    exaggerate its differences) for the pruned models, the unpruned ones being the 100 %
    line. `bars`: the intervals as error bars spread a little apart, not as bands (for
    noisy ratios, whose bands would cover one another)."""

    column: str
    ylabel: str
    title: str
    share: bool = False
    bars: bool = False


FIGURES = {
    "accuracy": BudgetFigure("test_accuracy", "Test accuracy (fraction correct)", "Test accuracy"),
    "loss": BudgetFigure("test_loss", "Test loss (cross-entropy, nats)", "Test loss"),
    "nonzero": BudgetFigure(
        "nonzero_percent",
        "Non-zero parameters (% of base model)",
        "Model size after pruning",
        share=True,
    ),
    "inference_time": BudgetFigure(
        "inference_time_ratio",
        "Per-example inference time (× unpruned model)",
        "Inference time (lower is better)",
        bars=True,
    ),
}
# How far apart (in budgets) the error bars of one budget are spread.
BAR_SPREAD = 0.1


# Colours of the base model and the registered methods: Okabe-Ito, assigned so that no two
# are alike, colour-blind readers included (the closest pairs, fw/random and
# fw_momentum/gmp, still differ in lightness under deuteranopia). A registered method
# missing here gets the next of VARIANT_COLOURS.
METHOD_COLOURS = {
    names.BASE: "#000000",  # black
    "magnitude": "#0072B2",  # blue
    "fw": "#D55E00",  # vermillion
    "fw_momentum": "#CC79A7",  # reddish purple
    "gmp": "#009E73",  # bluish green
    "random": "#E69F00",  # orange
}
# Colours of the variants (config `variants`) by name: Okabe-Ito's sky blue, then Paul
# Tol's wine, olive and indigo: none close to a method's colour.
VARIANT_COLOURS = ("#56B4E9", "#882255", "#999933", "#332288")
# Markers of the variants, in the order they appear: none a registered method's shape
# (no "d" beside fw's "D", no "8" or "h" beside the base's "o" first).
VARIANT_MARKERS = ("*", "<", ">", "p", "h", "H", "8", "d")


def counted(count, word: str) -> str:
    """ "1 epoch", "3 epochs"."""
    return f"{count} {word}{'s' * (int(count) != 1)}"


def method_label(method: str) -> str:
    """Legend text: the method's label, a variant's name, or for `dense+E` the
    compute-matched dense control."""
    epochs = names.control_epochs(method)
    if epochs is not None:
        return f"dense, {counted(epochs, 'more epoch')} (compute-matched)"
    return METHOD_LABELS.get(method, method)


def method_styles(methods) -> tuple[list[str], dict, dict]:
    """Legend order, colours and markers that stay the same in every figure: the base
    model and the registered methods first, then variants by name, then the controls."""
    present = set(methods)
    known = [m for m in METHOD_LABELS if m in present]
    controls = sorted(
        (m for m in present if names.control_epochs(m) is not None), key=names.control_epochs
    )
    variants = sorted(present - set(known) - set(controls))
    others = [m for m in METHOD_LABELS if m not in METHOD_COLOURS] + variants
    colours = METHOD_COLOURS | dict(zip(others, itertools.cycle(VARIANT_COLOURS)))
    greys = sns.color_palette("Greys", len(controls) + 2)[2:]
    palette = {method_label(m): colours[m] for m in known + variants}
    palette |= {method_label(m): grey for m, grey in zip(controls, greys, strict=True)}
    markers = {method_label(m): MARKERS.get(m, CONTROL_MARKER) for m in known + controls}
    unused = [marker for marker in VARIANT_MARKERS if marker not in MARKERS.values()]
    markers |= dict(zip(map(method_label, variants), itertools.cycle(unused)))
    return [method_label(m) for m in known + variants + controls], palette, markers


def intervals(frame: pd.DataFrame, keys: list[str], columns) -> pd.DataFrame:
    """Per group of `keys`: each of `columns`' mean over the group's rows with its 95 %
    t-interval (`_low`, `_high`: `stats.mean_ci`, the tables' interval; the mean with one
    value), its values (`_values`, for a cell whose seeds split), and `seeds`."""
    rows = []
    for key, group in frame.groupby(keys, sort=True):
        row = dict(zip(keys, key, strict=True)) | {"seeds": group["seed"].nunique()}
        for column in columns:
            values = group[column].dropna().to_numpy(dtype=float)
            row[column], row[f"{column}_low"], row[f"{column}_high"] = (
                mean_ci(values) if len(values) else (np.nan,) * 3
            )
            row[f"{column}_values"] = tuple(values)
        rows.append(row)
    return pd.DataFrame(rows)


def cell_means(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """`intervals` per cell (budget, granularity, method, target sparsity), each row of a
    cell counted once (`tables.distinct_rows`)."""
    return intervals(tables.distinct_rows(frame), tables.CELL, columns)


def interval_width(points: pd.DataFrame, column: str) -> np.ndarray:
    """Each interval's width, 0 where the values are equal over the seeds (to rounding)."""
    mean = points[column].to_numpy(dtype=float)
    width = points[f"{column}_high"].to_numpy() - points[f"{column}_low"].to_numpy()
    return np.where(width > 1e-12 * np.maximum(np.abs(mean), 1), width, 0.0)


def draw_band(axes, x, points: pd.DataFrame, column: str, *, colour, marker, label) -> None:
    """A line through the means with its interval as a band, drawn only where the interval
    has a width: values equal over the seeds (or one seed) have no band to show."""
    mean = points[column].to_numpy(dtype=float)
    axes.plot(x, mean, color=colour, marker=marker, markersize=5, label=label, gid=label)
    wide = interval_width(points, column) > 0
    if wide.any():
        low, high = points[f"{column}_low"].to_numpy(), points[f"{column}_high"].to_numpy()
        axes.fill_between(
            x, low, high, where=wide, color=colour, alpha=0.18, linewidth=0, gid=f"band:{label}"
        )


def draw_bars(axes, x, points: pd.DataFrame, column: str, *, colour, marker, label) -> None:
    """A line through the means, each with its interval as an error bar."""
    mean = points[column].to_numpy(dtype=float)
    low, high = points[f"{column}_low"].to_numpy(), points[f"{column}_high"].to_numpy()
    axes.plot(x, mean, color=colour, linewidth=0.8, alpha=0.6)
    axes.errorbar(
        x,
        mean,
        yerr=[mean - low, high - mean],
        color=colour,
        marker=marker,
        markersize=5,
        linestyle="none",
        elinewidth=0.9,
        capsize=2,
        label=label,
        gid=label,
    )


def line_figure(frame: pd.DataFrame, figure_spec: BudgetFigure):
    """A metric against the pre-training budget, one line per model: its mean over seeds
    and, where the seeds differ, the 95 % t-interval (a band, or error bars)."""
    column = figure_spec.column
    frame = frame.assign(nonzero_percent=100 * frame["nonzero_fraction"]).dropna(subset=[column])
    if figure_spec.share:
        frame = frame[frame["method"].map(names.is_method)]
    points = intervals(frame, ["method", "budget"], [column])  # base has no time ratio
    order, palette, markers = method_styles(points["method"])
    by_label = {method_label(m): line for m, line in points.groupby("method")}
    draw = draw_bars if figure_spec.bars else draw_band
    figure, axes = plt.subplots(figsize=(9.0, 4.2), layout="constrained")
    for index, label in enumerate(order):
        line = by_label[label]
        spread = (index - (len(order) - 1) / 2) * BAR_SPREAD if figure_spec.bars else 0
        x = line["budget"].to_numpy(dtype=float) + spread
        draw(axes, x, line, column, colour=palette[label], marker=markers[label], label=label)
        if figure_spec.share:  # a share is read as a number: write the last one
            axes.annotate(f"{line[column].iloc[-1]:.1f} %", (x[-1], line[column].iloc[-1]),
                          xytext=(6, 0), textcoords="offset points", va="center", fontsize=8,
                          color=palette[label])  # fmt: skip
    if column == "inference_time_ratio" and "inference_time_control_ratio" in frame:
        axes.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="unpruned model")
        draw_noise_floor(axes, frame)
    if figure_spec.share:
        axes.axhline(
            100,
            color="black",
            linestyle="--",
            linewidth=1,
            label="unpruned models (base, dense controls)",
        )
        axes.set_ylim(0, 105)
        axes.set_xlim(right=points["budget"].max() + 0.9)  # room for the numbers
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="Method")
    budgets = sorted(points["budget"].unique())
    axes.set(xlabel=BUDGET_LABEL, ylabel=figure_spec.ylabel, xticks=budgets)
    seeds = int(points["seeds"].max())
    note = seeds_note(points)
    if seeds > 1 and not interval_width(points, column).any():
        note = f"the same in each of the {seeds} seeds: no interval"
    axes.set_title(f"{figure_spec.title} by pre-training budget\n({note})")
    axes.grid(alpha=0.3)
    return figure


def draw_noise_floor(axes, frame: pd.DataFrame) -> None:
    """Shade, at each budget, the range of the control ratios (the dense model timed against
    a copy of itself) over every timing job: a method's ratio inside it is not told apart
    from the dense model's speed by this measurement."""
    control = frame.groupby("budget")["inference_time_control_ratio"].agg(["min", "max"])
    axes.fill_between(
        control.index,
        control["min"],
        control["max"],
        color="grey",
        alpha=0.25,
        linewidth=0,
        label="unpruned model vs its own copy:\nnoise floor (range over jobs)",
    )


ACCURACY_LABEL = "Test accuracy (fraction correct)"
# Sparsities worth a tick on a compression axis when the cells' sparsities are not the
# sweep's targets.
SPARSITY_TICKS = (0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999)
# Two ticks of a compression axis closer than this (decades) would overlap: the later goes.
MIN_TICK_GAP = 0.14
# The accuracy axis reaches at most this far below the best mean: the differences the
# verdicts judge are hundredths, and a model far below the rest would squash them; it is
# drawn in the strip below the axis, its mean written beside it.
AXIS_SPAN = 0.2


@dataclass(frozen=True)
class AccuracyAxis:
    """A y axis of accuracy focused on the models that learned: from a little below the
    lowest mean within AXIS_SPAN of the best, and its interval, to 1.0. Below `strip`, a
    grey strip holds the cells off the axis, each drawn at `edge`: collapsed ones (mean
    below `collapsed_below`, at chance) and the others too far below the best (their mean
    written)."""

    low: float
    strip: float  # the strip's top: the lowest accuracy on the axis; == low without a strip
    collapsed_below: float

    @property
    def edge(self) -> float:
        return (self.low + self.strip) / 2

    @classmethod
    def of(cls, cells: pd.DataFrame, collapsed_below: float) -> "AccuracyAxis":
        """The axis of `cells`' test accuracy (means and intervals of `intervals`); a cell
        whose seeds split is shown by its seeds."""
        values = [np.asarray(v, dtype=float) for v in cells["test_accuracy_values"]]
        split = np.array([is_split(v, collapsed_below) for v in values], dtype=bool)
        means = cells["test_accuracy"].to_numpy(dtype=float)
        seeds = np.concatenate([v for v, s in zip(values, split, strict=True) if s] or [[]])
        shown = np.concatenate([means[~split & ~np.isnan(means)], seeds])
        learned = shown[shown >= collapsed_below]
        floor = max(learned.max(initial=collapsed_below) - AXIS_SPAN, collapsed_below)
        lowest = learned[learned >= floor].min() if len(learned) else floor
        # The intervals of the means on the axis count, down to the floor.
        lows = cells["test_accuracy_low"].to_numpy(dtype=float)[~split & (means >= lowest)]
        bottom = max(min(lows.min(initial=lowest), lowest), floor)
        focus = max(bottom - 0.08 * (1.0 - bottom), 0.0)
        if (shown < collapsed_below).any():  # a collapsed model is never on the axis
            focus = max(focus, collapsed_below)
        if not (shown < focus).any():
            return cls(focus, focus, collapsed_below)
        low = 1.0 - (1.0 - focus) / 0.93  # the strip takes 7 % of the axis height
        return cls(low, focus, collapsed_below)

    def collapsed(self, accuracy) -> np.ndarray:
        return np.asarray(accuracy, dtype=float) < self.collapsed_below

    def off_axis(self, accuracy) -> np.ndarray:
        return np.asarray(accuracy, dtype=float) < self.strip

    def position(self, accuracy) -> np.ndarray:
        """Where an accuracy is drawn: itself on the axis, `edge` below it."""
        accuracy = np.asarray(accuracy, dtype=float)
        return np.where(self.off_axis(accuracy), self.edge, accuracy)

    def apply(self, axes) -> None:
        """Set the limits; shade the strip and keep its ticks off (its height means nothing)."""
        axes.set_ylim(self.low, 1.0)
        if self.strip > self.low:
            # Over the lines and bars (zorder 2), under the strip's own markers: an
            # interval reaching below the axis runs under it.
            axes.axhspan(self.low, self.strip, color="0.9", linewidth=0, zorder=2.5)
            axes.axhline(self.strip, color="0.6", linewidth=0.6, zorder=2.5)
            ticks = axes.yaxis.get_major_locator().tick_values(self.strip, 1.0)
            axes.set_yticks([t for t in ticks if self.strip <= t <= 1.0 + 1e-9])
            axes.set_ylim(self.low, 1.0)

    def legend_handles(self, cells: pd.DataFrame) -> list:
        """What the strip holds, and how a split cell is drawn, when the figure has any."""
        if self.strip == self.low:
            return []
        handles = [
            plt.Line2D(
                [],
                [],
                color="0.45",
                marker="o",
                markersize=6,
                linestyle=":",
                label="grey strip, not to scale:\n"
                f"collapsed (accuracy < {self.collapsed_below:g}), or\n"
                f"over {AXIS_SPAN:g} below the best (mean written)",
            )
        ]
        if any(is_split(v, self.collapsed_below) for v in cells["test_accuracy_values"]):
            handles.append(
                plt.Line2D(
                    [],
                    [],
                    color="0.45",
                    marker="o",
                    markersize=4,
                    linestyle="none",
                    label=f"seeds on both sides of {self.collapsed_below:g}:\neach seed, no mean",
                )
            )
        return handles


@dataclass(frozen=True)
class LineStyle:
    colour: str
    marker: str
    fill: bool = True
    linestyle: str = "-"

    @property
    def face(self) -> str:
        return self.colour if self.fill else "white"


def draw_accuracy_line(axes, x, cells, axis: AccuracyAxis, style: LineStyle, xerr=None):
    """One method's cells, in order of sparsity: the means with their 95 % intervals as
    error bars, joined by a line. A cell off the axis sits in the bottom strip, a dotted
    line dropping to it, its mean written beside it unless it collapsed; a cell whose seeds
    split is drawn as its seeds (small markers), with no mean."""
    x = np.asarray(x, dtype=float)
    mean = cells["test_accuracy"].to_numpy(dtype=float)
    values = [np.asarray(v, dtype=float) for v in cells["test_accuracy_values"]]
    split = np.array([is_split(v, axis.collapsed_below) for v in values], dtype=bool)
    mean = np.where(split, np.nan, mean)
    off = axis.off_axis(mean)
    marker = {"color": style.colour, "marker": style.marker, "markerfacecolor": style.face}
    if off.any():
        axes.plot(
            x, axis.position(mean), color=style.colour, linestyle=":", linewidth=0.8, alpha=0.7,
            zorder=3,
        )  # fmt: skip
        collapsed = off & axis.collapsed(mean)
        for where, gid in ((collapsed, "collapsed"), (off & ~collapsed, "below axis")):
            if where.any():
                axes.plot(
                    x[where], np.full(where.sum(), axis.edge), **marker, markersize=6,
                    linestyle="none", gid=gid, zorder=3,
                )  # fmt: skip
        for at, value in zip(x[off & ~collapsed], mean[off & ~collapsed], strict=True):
            axes.annotate(
                f"{value:.2f}",
                (at, axis.edge),
                xytext=(-5, 0),
                fontsize=7,
                textcoords="offset points",
                ha="right",
                va="center",
                zorder=3,
                color=style.colour,
            )
    on = ~off & ~np.isnan(mean)
    axes.plot(
        x, np.where(on, mean, np.nan), color=style.colour, linestyle=style.linestyle, linewidth=1.2
    )
    for at, seeds in zip(x[split], itertools.compress(values, split), strict=True):
        axes.plot(
            np.full(len(seeds), at),
            axis.position(seeds),
            **marker,
            markersize=4,
            linestyle="none",
            gid="split",
            zorder=3,
        )
    if on.any():
        low, high = cells["test_accuracy_low"].to_numpy(), cells["test_accuracy_high"].to_numpy()
        bars = axes.errorbar(
            x[on],
            mean[on],
            xerr=None if xerr is None else [xerr[0][on], xerr[1][on]],
            yerr=[mean[on] - low[on], high[on] - mean[on]],
            **marker,
            markersize=6,
            linestyle="none",
            elinewidth=0.8,
            capsize=2,
        )
        bars.lines[0].set_gid("accuracy")  # the means (not the caps)
        # An interval running off the axis (below it, or above 1.0) ends in an arrowhead.
        for edge, beyond, shape in ((axis.strip, low < axis.strip, "v"), (1.0, high > 1.0, "^")):
            shown = on & beyond
            if shown.any():
                axes.plot(
                    x[shown], np.full(shown.sum(), edge), color=style.colour, marker=shape,
                    markersize=5, linestyle="none", clip_on=False, zorder=3, gid="off axis",
                )  # fmt: skip


def compression(sparsity):
    """Compression of the prunable weights, 1/(1-s): 0.9 is 10x, 0.98 50x."""
    return 1.0 / (1.0 - np.minimum(np.asarray(sparsity, dtype=float), 1 - 1e-6))


def compression_label(value: float) -> str:
    """A compression for a tick: two significant digits below 10 (1.3×, 4×), whole numbers
    from there on (100×, not 1e+02×)."""
    return f"{value:.2g}×" if value < 9.5 else f"{value:.0f}×"


def compression_axis(axes, sparsities, candidates) -> None:
    """A log-scaled compression axis, ticks at `candidates` (sparsities) within the range of
    `sparsities`, each labelled by its sparsity and compression ("0.9\n(10×)")."""
    axes.set_xscale("log")
    low, high = compression(np.min(sparsities)), compression(np.max(sparsities))
    ticks = []
    for sparsity in sorted(candidates):
        value = float(compression(sparsity))
        inside = low / 1.05 <= value <= high * 1.05
        if inside and (not ticks or np.log10(value / ticks[-1][1]) >= MIN_TICK_GAP):
            ticks.append((sparsity, value))
    axes.set_xticks([value for _, value in ticks])
    labels = [f"{sparsity:g}\n({compression_label(value)})" for sparsity, value in ticks]
    axes.set_xticklabels(labels, fontsize=8)
    axes.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    axes.set_xlim(low / 1.25, high * 1.25)


def seeds_note(cells: pd.DataFrame) -> str:
    """What the points and bars are: cells may hold different numbers of seeds."""
    fewest, most = int(cells["seeds"].min()), int(cells["seeds"].max())
    if most == 1:
        return "1 seed"
    if fewest == most:
        return f"mean and 95% t-interval over {most} seeds"
    return f"mean and 95% t-interval over {fewest}–{most} seeds per point"


def with_granularity(frame: pd.DataFrame) -> pd.DataFrame:
    if "param_granularity" in frame:
        return frame
    return frame.assign(param_granularity="unstructured")


# How each granularity's points are drawn: the marker filled or hollow, the line through
# a method's sparsities solid or dashed.
GRANULARITY_STYLES = {
    "unstructured": {"fill": True, "linestyle": "-"},
    "filter": {"fill": False, "linestyle": "--"},
}
# The line of each ranking scope (config `scope`) when a sweep has both, and the words
# for it in a panel's title.
SCOPE_STYLES = {"global": "-", "layer": "--"}
SCOPE_TITLES = {"global": "ranked globally", "layer": "ranked within each layer"}
# Points of a cell's methods are spread apart along a sweep's x axis, so that their error
# bars do not overlap: this far between neighbours, all of them within the total (decades
# on a log axis, fractions of filters on a linear one; inside the axes' margins).
DODGE = {"log": 0.035, "linear": 0.01}
DODGE_TOTAL = {"log": 0.14, "linear": 0.05}


@dataclass(frozen=True)
class SweepLayout:
    """How a sweep is drawn: x by the fraction of filters removed (a filter sweep) or by
    compression; one panel per budget, and per ranking scope when the sweep has several,
    each method then drawn in its registered method's colour (`base_method`)."""

    by_filters: bool
    scopes: tuple  # (None,) when the sweep has one scope
    mixed_granularity: bool

    @classmethod
    def of(cls, frame: pd.DataFrame) -> "SweepLayout":
        granularities = set(frame["param_granularity"])
        scopes = sorted(set(frame["param_scope"].dropna()))
        return cls(
            granularities == {"filter"},
            tuple(scopes) if len(scopes) > 1 else (None,),
            len(granularities) > 1,
        )

    def style_name(self, frame: pd.DataFrame) -> dict:
        """Method -> the name whose colour and marker it takes: its base method when the
        panels split the scopes and no panel holds two variants of one method."""
        methods = frame[["method", "param_scope", "base_method"]].drop_duplicates("method")
        if self.scopes == (None,) or methods.duplicated(["param_scope", "base_method"]).any():
            return {m: m for m in frame["method"]}
        return dict(zip(methods["method"], methods["base_method"], strict=True))

    def x(self, cells: pd.DataFrame) -> np.ndarray:
        if self.by_filters:
            return cells["filters_removed"].to_numpy(dtype=float)
        return compression(cells["sparsity"])

    def dodged(self, x, index: int, count: int):
        scale = "linear" if self.by_filters else "log"
        step = min(DODGE[scale], DODGE_TOTAL[scale] / max(count - 1, 1))
        offset = (index - (count - 1) / 2) * step
        return x + offset if self.by_filters else x * 10**offset

    def panel_title(self, budget, scope) -> str:
        title = f"pre-trained {counted(budget, 'epoch')}"
        return title if scope is None else f"{SCOPE_TITLES.get(scope, scope)}\n({title})"

    def line_style(self, colour, marker, granularity, scope) -> LineStyle:
        """Hollow and dashed for filter pruning beside unstructured; dashed per layer."""
        own = GRANULARITY_STYLES["unstructured"]
        if self.mixed_granularity:
            own = GRANULARITY_STYLES.get(granularity, own)
        linestyle = own["linestyle"] if scope is None else SCOPE_STYLES.get(scope, "-.")
        return LineStyle(colour, marker, own["fill"], linestyle)

    def x_axis(self, panel, cells: pd.DataFrame) -> None:
        if self.by_filters:
            targets = sorted(cells["target_sparsity"].unique())
            panel.set_xticks(targets, [f"{t:g}" for t in targets])
            panel.set_xlim(min(targets) - 0.06, max(targets) + 0.06)
            panel.set_xlabel("Fraction of the conv filters removed")
            return
        # Ticks at the sweep's sparsities when the cells are at their targets.
        at_targets = (cells["sparsity"] - cells["target_sparsity"]).abs().max() < 0.01
        candidates = cells["target_sparsity"].unique() if at_targets else SPARSITY_TICKS
        compression_axis(panel, cells["sparsity"], candidates)
        panel.set_xlabel("Sparsity of the prunable weights\n(compression, log scale)")


def sweep_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns a sweep figure reads, in older tables too (no granularity, no measured
    sparsity, no scope or base method)."""
    frame = with_granularity(frame)
    defaults = {
        "sparsity": frame["target_sparsity"],
        "filters_removed": frame["target_sparsity"],
        "param_scope": None,
        "base_method": frame["method"],
    }
    return frame.assign(**{k: v for k, v in defaults.items() if k not in frame})


def sweep_figure(frame: pd.DataFrame, collapsed_below: float | None = None):
    """Accuracy against sparsity, one panel per pre-training budget (and per ranking scope
    when the sweep has several), one line per method: each cell's mean over its seeds with
    its 95 % t-interval. A filter sweep's x axis is the fraction of filters removed, any
    other's the compression 1/(1-sparsity) on a log axis. The y axis spans the models that
    learned (`AccuracyAxis`, `collapsed_below` the config's `verdicts.collapsed_below`,
    default its default)."""
    if collapsed_below is None:
        collapsed_below = Settings().collapsed_below
    frame = sweep_columns(frame)
    layout = SweepLayout.of(frame)
    style_of = layout.style_name(frame)
    cells = cell_means(frame, ["test_accuracy", "sparsity", "filters_removed"])
    cells["scope"] = cells["method"].map(
        frame.drop_duplicates("method").set_index("method")["param_scope"]
    )
    order, palette, markers = method_styles(set(style_of.values()))
    axis = AccuracyAxis.of(cells, collapsed_below)
    budgets = sorted(cells["budget"].unique())
    panels_per_budget = len(layout.scopes)
    figure, panels = plt.subplots(
        1,
        len(budgets) * panels_per_budget,
        figsize=(4.6 * len(budgets) * panels_per_budget + 3.0, 4.4),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    places = itertools.product(budgets, layout.scopes)
    for panel, (budget, scope) in zip(panels[0], places, strict=True):
        here = cells[(cells.budget == budget) & ((cells.scope == scope) | (scope is None))]
        lines = sorted(
            here.groupby(["method", "param_granularity"]),
            key=lambda item: order.index(method_label(style_of[item[0][0]])),
        )
        for index, ((method, granularity), line) in enumerate(lines):
            line = line.sort_values("target_sparsity")
            label = method_label(style_of[method])
            style = layout.line_style(palette[label], markers[label], granularity, scope)
            x = layout.dodged(layout.x(line), index, len(lines))
            draw_accuracy_line(panel, x, line, axis, style)
        layout.x_axis(panel, cells)
        axis.apply(panel)
        panel.set_title(layout.panel_title(budget, scope), fontsize=10)
        panel.grid(alpha=0.3)
    panels[0][0].set_ylabel(ACCURACY_LABEL)
    handles = method_handles(order, palette, markers)
    if layout.scopes != (None,):
        handles += scope_handles(layout.scopes)
    if layout.mixed_granularity:  # say what hollow and dashed mean
        handles += granularity_handles(
            [g for g in GRANULARITY_STYLES if g in set(cells["param_granularity"])]
        )
    handles += axis.legend_handles(cells)
    figure.legend(handles=handles, loc="outside right center", frameon=False, title="Method")
    figure.suptitle(f"Accuracy vs sparsity at equal retraining\n({seeds_note(cells)})")
    return figure


def method_handles(order: list[str], palette: dict, markers: dict) -> list:
    """Legend entries: each method's colour and marker, in `order`."""
    return [
        plt.Line2D([], [], color=palette[label], marker=markers[label], label=label)
        for label in order
    ]


def scope_handles(scopes) -> list:
    """Legend entries: each ranking scope's line."""
    return [
        plt.Line2D(
            [],
            [],
            color="black",
            linestyle=SCOPE_STYLES.get(scope, "-."),
            label=SCOPE_TITLES.get(scope, scope),
        )
        for scope in scopes
    ]


# x column and axis label of each panel of accuracy_vs_cost_figure
COSTS = {
    "inference_time_ratio": "Latency per example at batch 1\n(× unpruned model)",
    "inference_time_ratio_large_batch": "Time per example at a large batch\n(× unpruned model)",
    "model_gzip_ratio": "Model file size, gzipped\n(× unpruned model)",
}


def draw_cost_panel(
    axes, cells: pd.DataFrame, cost: str, palette: dict, markers: dict, axis: AccuracyAxis
) -> None:
    """Accuracy against one cost: one line per method and granularity through its
    sparsities, a point per sparsity with its interval as error bars; a cell off the
    accuracy axis at the bottom edge, at its cost."""
    for (method, granularity), line in cells.groupby(["method", "param_granularity"]):
        line = line.sort_values("target_sparsity")
        label = method_label(method)
        style = GRANULARITY_STYLES[granularity]
        draw_accuracy_line(
            axes,
            line[cost],
            line,
            axis,
            LineStyle(palette[label], markers[label], style["fill"], style["linestyle"]),
            xerr=[
                (line[cost] - line[f"{cost}_low"]).to_numpy(),
                (line[f"{cost}_high"] - line[cost]).to_numpy(),
            ],
        )
    axes.axvline(1.0, color="grey", linestyle=":", linewidth=1)  # the unpruned model's cost
    axes.grid(alpha=0.3)


def granularity_handles(granularities) -> list:
    """Legend entries: each granularity's fill and line."""
    return [
        plt.Line2D(
            [],
            [],
            color="black",
            marker="o",
            markerfacecolor="black" if GRANULARITY_STYLES[granularity]["fill"] else "white",
            linestyle=GRANULARITY_STYLES[granularity]["linestyle"],
            label=f"{granularity} pruning",
        )
        for granularity in granularities
    ]


def cost_legend(figure, cells, order: list[str], palette: dict, markers: dict, axis) -> None:
    """One legend: the methods by colour and marker, the granularities by fill and line,
    the strip if there is one."""
    handles = method_handles(order, palette, markers)
    handles += granularity_handles(GRANULARITY_STYLES)
    handles.append(plt.Line2D([], [], color="grey", linestyle=":", label="unpruned model"))
    handles += axis.legend_handles(cells)
    figure.legend(handles=handles, loc="outside right center", frameon=False)


def accuracy_vs_cost_figure(frame: pd.DataFrame, collapsed_below: float | None = None):
    """Test accuracy against each of COSTS: latency per example at batch 1, time per example
    at a large batch and gzip size (each ÷ the unpruned model's), one point per method and
    target sparsity (mean over the cell's seeds, 95% t-interval), colour and marker by
    method, fill by granularity; one row of panels per budget. The y axis spans the models
    that learned (`AccuracyAxis`, `collapsed_below` the config's, default its default).
    `frame` holds rows of both sweeps (columns of sweep_row, evaluate and time_inference)."""
    if collapsed_below is None:
        collapsed_below = Settings().collapsed_below
    cells = cell_means(with_granularity(frame), ["test_accuracy", *COSTS])
    order, palette, markers = method_styles(cells["method"])
    axis = AccuracyAxis.of(cells, collapsed_below)
    budgets = sorted(cells["budget"].unique())
    figure, axes = plt.subplots(
        len(budgets),
        len(COSTS),
        figsize=(3.4 * len(COSTS) + 2.6, 3.6 * len(budgets) + 0.6),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for row, budget in zip(axes, budgets, strict=True):
        for panel, (cost, label) in zip(row, COSTS.items(), strict=True):
            draw_cost_panel(panel, cells[cells.budget == budget], cost, palette, markers, axis)
            panel.set(xlabel=label, title=f"pre-trained {budget} epoch(s)")
            axis.apply(panel)
        row[0].set_ylabel(ACCURACY_LABEL)
    cost_legend(figure, cells, order, palette, markers, axis)
    figure.suptitle(
        f"Accuracy against cost at equal retraining ({seeds_note(cells)})\n"
        "one point per method and sparsity; up and left is better"
    )
    return figure


# A rule whose jobs took less than this share of the CPU gets no bar, only a line below.
NEGLIGIBLE_SHARE = 0.01


def duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


def stage_time_figure(benchmarks: pd.DataFrame):
    """CPU time per rule, summed over its jobs (`cpu_time` of Snakemake's benchmark files):
    where the pipeline's computing goes, whatever ran in parallel. Rules under
    NEGLIGIBLE_SHARE of the total are named below the bars, not drawn as empty ones."""
    per_rule = benchmarks.groupby("rule")["cpu_time"].agg(["sum", "count"])
    per_rule = per_rule.sort_values("sum", ascending=False)
    total = per_rule["sum"].sum()
    drawn = per_rule[per_rule["sum"] >= NEGLIGIBLE_SHARE * total]
    small = per_rule.drop(drawn.index)
    figure, axes = plt.subplots(figsize=(6.8, 0.45 * len(drawn) + 2.0), layout="constrained")
    bars = axes.barh(drawn.index, drawn["sum"] / 60, color="#0072B2")
    labels = [
        f"{duration(row['sum'])} ({row['sum'] / total:.0%}), {counted(int(row['count']), 'job')}"
        for _, row in drawn.iterrows()
    ]
    axes.bar_label(bars, labels=labels, padding=3, fontsize=8)
    axes.set_xlim(0, drawn["sum"].max() / 60 * 1.45)
    axes.invert_yaxis()
    axes.set(xlabel="CPU time summed over the rule's jobs (minutes)", ylabel="Rule")
    axes.set_title(
        f"Where the pipeline's CPU time goes\n({total / 60:.0f} CPU-minutes over "
        f"{int(per_rule['count'].sum())} jobs, from Snakemake's benchmark files)",
        fontsize=10,
    )
    if len(small):
        rest = ", ".join(f"{rule} {duration(row['sum'])}" for rule, row in small.iterrows())
        figure.supxlabel(f"Not drawn (under {NEGLIGIBLE_SHARE:.0%} each): {rest}", fontsize=8)
    axes.grid(axis="x", alpha=0.3)
    return figure


def save_figure(figure, paths) -> None:
    for path in paths:
        with atomic_output(path) as temporary:
            figure.savefig(temporary)
    plt.close(figure)


def draw_figures(frame: pd.DataFrame, outputs: dict[str, list[str]]) -> None:
    """Write each named figure of FIGURES to its list of paths (any matplotlib format)."""
    for name, paths in outputs.items():
        save_figure(line_figure(frame, FIGURES[name]), paths)
