"""The paper's figures from the metrics table: one line per method over the budgets.

With several seeds each line is the mean with a 95% confidence band.
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
from fwprune.stats import Settings, mean_ci  # noqa: E402

# Legend text and marker of each model but the controls: the base model, then the methods.
METHOD_LABELS = {names.BASE: "unpruned base"} | {m.name: m.label for m in REGISTRY.values()}
MARKERS = {names.BASE: "o"} | {m.name: m.marker for m in REGISTRY.values()}
CONTROL_MARKER = "X"
BUDGET_LABEL = "Pre-training budget (epochs)"

# column, y-axis label, title
FIGURES = {
    "accuracy": ("test_accuracy", "Test accuracy (fraction correct)", "Test accuracy"),
    "loss": ("test_loss", "Test loss (cross-entropy, nats)", "Test loss"),
    "nonzero": (
        "nonzero_percent",
        "Non-zero parameters (% of base model)",
        "Model size after pruning",
    ),
    "inference_time": (
        "inference_time_ratio",
        "Per-example inference time (× unpruned model)",
        "Inference time (lower is better)",
    ),
}


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


def method_label(method: str) -> str:
    """Legend text: the method's label, a variant's name, or for `dense+E` the
    compute-matched dense control."""
    epochs = names.control_epochs(method)
    if epochs is not None:
        return f"dense, {epochs} more epoch{'s' * (epochs != 1)} (compute-matched)"
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


def line_figure(frame: pd.DataFrame, column: str, ylabel: str, title: str):
    """Metric against pre-training budget, one line per method, 95% CI over seeds."""
    frame = frame.assign(
        Method=frame["method"].map(method_label),
        nonzero_percent=100 * frame["nonzero_fraction"],
    ).dropna(subset=[column])  # the unpruned model has no inference-time ratio
    order, palette, markers = method_styles(frame["method"])
    seeds = frame["seed"].nunique()
    figure, axes = plt.subplots(figsize=(9.0, 4.2), layout="constrained")
    sns.lineplot(
        data=frame,
        x="budget",
        y=column,
        hue="Method",
        hue_order=order,
        palette=palette,
        style="Method",
        style_order=order,
        markers=markers,
        dashes=False,
        errorbar=("ci", 95),
        ax=axes,
    )
    if column == "inference_time_ratio":
        axes.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="unpruned model")
        draw_noise_floor(axes, frame)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="Method")
    axes.set(xlabel=BUDGET_LABEL, ylabel=ylabel, xticks=sorted(frame["budget"].unique()))
    band = f"mean and 95% CI over {seeds} seeds" if seeds > 1 else "1 seed"
    axes.set_title(f"{title} by pre-training budget\n({band})")
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
# sweep's targets (the filter sweep: its targets are fractions of filters).
SPARSITY_TICKS = (0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999)
# Two ticks of a compression axis closer than this (decades) would overlap: the later goes.
MIN_TICK_GAP = 0.14


@dataclass(frozen=True)
class AccuracyAxis:
    """A y axis of accuracy focused on the models that learned: from a little below the
    lowest mean at or above `collapsed_below` to 1.0. Below `strip` a grey strip holds the
    collapsed models (mean below `collapsed_below`, at chance), each drawn at `edge`."""

    low: float
    strip: float  # the strip's top; == low when no model collapsed
    collapsed_below: float

    @property
    def edge(self) -> float:
        return (self.low + self.strip) / 2

    @property
    def collapsed_label(self) -> str:
        return f"collapsed (accuracy at chance,\nbelow {self.collapsed_below:g}): bottom strip"

    @classmethod
    def of(cls, means, collapsed_below: float) -> "AccuracyAxis":
        means = np.asarray(means, dtype=float)
        means = means[~np.isnan(means)]
        useful = means[means >= collapsed_below]
        lowest = float(useful.min()) if len(useful) else collapsed_below
        span = max(1.0 - lowest, 0.02)
        focus = max(lowest - 0.08 * span, 0.0)
        if not (means < collapsed_below).any():
            return cls(focus, focus, collapsed_below)
        # The strip takes 7% of the axis height.
        low = 1.0 - (1.0 - focus) / 0.93
        return cls(low, focus, collapsed_below)

    def collapsed(self, means) -> np.ndarray:
        return np.asarray(means, dtype=float) < self.collapsed_below

    def apply(self, axes) -> None:
        """Set the limits; shade the strip and keep its ticks off (its height means nothing)."""
        axes.set_ylim(self.low, 1.0)
        if self.strip > self.low:
            axes.axhspan(self.low, self.strip, color="0.85", alpha=0.6, linewidth=0, zorder=0)
            axes.axhline(self.strip, color="0.6", linewidth=0.6, zorder=0)
            ticks = axes.yaxis.get_major_locator().tick_values(self.strip, 1.0)
            axes.set_yticks([t for t in ticks if self.strip <= t <= 1.0 + 1e-9])
            axes.set_ylim(self.low, 1.0)

    def legend_handle(self):
        return plt.Line2D(
            [], [], color="0.45", marker="o", markersize=6, linestyle=":",
            label=self.collapsed_label,
        )  # fmt: skip


def draw_accuracy_line(axes, x, cells, axis: AccuracyAxis, *, colour, marker, fill=True,
                       linestyle="-", xerr=None) -> None:  # fmt: skip
    """One method's cells, in order of sparsity: the means with their 95% intervals as
    error bars, joined by a line; a collapsed cell drawn at the axis' bottom edge, a dotted
    line dropping to it."""
    x = np.asarray(x, dtype=float)
    mean = cells["test_accuracy"].to_numpy(dtype=float)
    collapsed = axis.collapsed(mean)
    face = colour if fill else "white"
    if collapsed.any():
        axes.plot(
            x, np.where(collapsed, axis.edge, mean), color=colour, linestyle=":",
            linewidth=0.8, alpha=0.7,
        )  # fmt: skip
        axes.plot(
            x[collapsed], np.full(collapsed.sum(), axis.edge), color=colour, marker=marker,
            markerfacecolor=face, markersize=6, linestyle="none", gid="collapsed",
        )  # fmt: skip
    ok = ~collapsed
    low, high = cells["test_accuracy_low"].to_numpy(), cells["test_accuracy_high"].to_numpy()
    axes.plot(x, np.where(ok, mean, np.nan), color=colour, linestyle=linestyle, linewidth=1.2)
    if ok.any():
        bars = axes.errorbar(
            x[ok],
            mean[ok],
            xerr=None if xerr is None else [xerr[0][ok], xerr[1][ok]],
            yerr=[mean[ok] - low[ok], high[ok] - mean[ok]],
            color=colour,
            marker=marker,
            markerfacecolor=face,
            markersize=6,
            linestyle="none",
            elinewidth=0.8,
            capsize=2,
        )
        bars.lines[0].set_gid("accuracy")  # the means (not the caps)


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
        return f"mean and 95% CI over {most} seeds"
    return f"mean and 95% CI over {fewest}–{most} seeds per point"


def with_granularity(frame: pd.DataFrame) -> pd.DataFrame:
    if "param_granularity" in frame:
        return frame
    return frame.assign(param_granularity="unstructured")


def sweep_figure(frame: pd.DataFrame, collapsed_below: float | None = None):
    """Accuracy against compression 1/(1-sparsity) on a log axis, one panel per
    pre-training budget, one line per method: each cell's mean over its seeds with its
    95% interval. The y axis spans the models that learned; the collapsed ones (mean below
    `collapsed_below`, default the verdicts' setting) sit in a strip at the bottom."""
    if collapsed_below is None:
        collapsed_below = Settings().collapsed_below
    frame = with_granularity(frame)
    if "sparsity" not in frame:
        frame = frame.assign(sparsity=frame["target_sparsity"])
    cells = cell_means(frame, ["test_accuracy", "sparsity"])
    order, palette, markers = method_styles(cells["method"])
    axis = AccuracyAxis.of(cells["test_accuracy"], collapsed_below)
    # Ticks at the sweep's sparsities when the cells are at their targets.
    at_targets = (cells["sparsity"] - cells["target_sparsity"]).abs().max() < 0.01
    candidates = cells["target_sparsity"].unique() if at_targets else SPARSITY_TICKS
    budgets = sorted(cells["budget"].unique())
    figure, panels = plt.subplots(
        1,
        len(budgets),
        figsize=(3.8 * len(budgets) + 2.8, 4.0),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for panel, budget in zip(panels[0], budgets, strict=True):
        here = cells[cells.budget == budget]
        for label in order:
            for (method, granularity), line in here.groupby(["method", "param_granularity"]):
                if method_label(method) != label:
                    continue
                line = line.sort_values("target_sparsity")
                style = GRANULARITY_STYLES.get(granularity, GRANULARITY_STYLES["unstructured"])
                draw_accuracy_line(
                    panel,
                    compression(line["sparsity"]),
                    line,
                    axis,
                    colour=palette[label],
                    marker=markers[label],
                    fill=style["fill"],
                    linestyle=style["linestyle"],
                )
        compression_axis(panel, cells["sparsity"], candidates)
        axis.apply(panel)
        panel.set(title=f"pre-trained {budget} epoch(s)")
        panel.set_xlabel("Sparsity of the prunable weights\n(compression, log scale)")
        panel.grid(alpha=0.3)
    panels[0][0].set_ylabel(ACCURACY_LABEL)
    handles = [
        plt.Line2D([], [], color=palette[label], marker=markers[label], label=label)
        for label in order
    ]
    granularities = [g for g in GRANULARITY_STYLES if g in set(cells["param_granularity"])]
    if granularities != ["unstructured"]:  # say what hollow and dashed mean
        handles += granularity_handles(granularities)
    if axis.strip > axis.low:
        handles.append(axis.legend_handle())
    figure.legend(handles=handles, loc="outside right center", frameon=False, title="Method")
    figure.suptitle(f"Accuracy vs sparsity at equal retraining\n({seeds_note(cells)})")
    return figure


# x column and axis label of each panel of accuracy_vs_cost_figure
COSTS = {
    "inference_time_ratio": "Latency per example at batch 1\n(× unpruned model)",
    "inference_time_ratio_large_batch": "Time per example at a large batch\n(× unpruned model)",
    "model_gzip_ratio": "Model file size, gzipped\n(× unpruned model)",
}
# How each granularity's points are drawn: the marker filled or hollow, the line through
# a method's sparsities solid or dashed.
GRANULARITY_STYLES = {
    "unstructured": {"fill": True, "linestyle": "-"},
    "filter": {"fill": False, "linestyle": "--"},
}


def cell_means(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Per budget, method, granularity and target sparsity: the mean of each of `columns`
    over the cell's seeds (however many it has) with its 95% t-interval (`_low`, `_high`;
    the mean with one seed), and `seeds`, their number."""
    rows = []
    for key, cell in tables.distinct_rows(frame).groupby(tables.CELL):
        row = dict(zip(tables.CELL, key, strict=True)) | {"seeds": cell["seed"].nunique()}
        for column in columns:
            values = cell[column].dropna()
            row[column], row[f"{column}_low"], row[f"{column}_high"] = (
                mean_ci(values) if len(values) else (np.nan,) * 3
            )
        rows.append(row)
    return pd.DataFrame(rows)


def draw_cost_panel(
    axes, cells: pd.DataFrame, cost: str, palette: dict, markers: dict, axis: AccuracyAxis
) -> None:
    """Accuracy against one cost: one line per method and granularity through its
    sparsities, a point per sparsity with its interval as error bars; a collapsed cell at
    the bottom edge, at its cost."""
    for (method, granularity), line in cells.groupby(["method", "param_granularity"]):
        line = line.sort_values("target_sparsity")
        style, colour = GRANULARITY_STYLES[granularity], palette[method_label(method)]
        draw_accuracy_line(
            axes,
            line[cost],
            line,
            axis,
            colour=colour,
            marker=markers[method_label(method)],
            fill=style["fill"],
            linestyle=style["linestyle"],
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


def cost_legend(figure, order: list[str], palette: dict, markers: dict, axis) -> None:
    """One legend: the methods by colour and marker, the granularities by fill and line,
    the collapsed strip if there is one."""
    handles = [
        plt.Line2D([], [], color=palette[label], marker=markers[label], label=label)
        for label in order
    ]
    handles += granularity_handles(GRANULARITY_STYLES)
    handles.append(plt.Line2D([], [], color="grey", linestyle=":", label="unpruned model"))
    if axis.strip > axis.low:
        handles.append(axis.legend_handle())
    figure.legend(handles=handles, loc="outside right center", frameon=False)


def accuracy_vs_cost_figure(frame: pd.DataFrame, collapsed_below: float | None = None):
    """Test accuracy against each of COSTS: latency per example at batch 1, time per example
    at a large batch and gzip size (each ÷ the unpruned model's), one point per method and
    target sparsity (mean over the cell's seeds, 95% CI), colour and marker by method, fill
    by granularity; one row of panels per budget. The y axis spans the models that learned;
    the collapsed ones (mean below `collapsed_below`, default the verdicts' setting) sit in
    a strip at the bottom. `frame` holds rows of both sweeps (columns of sweep_row,
    evaluate and time_inference)."""
    if collapsed_below is None:
        collapsed_below = Settings().collapsed_below
    cells = cell_means(with_granularity(frame), ["test_accuracy", *COSTS])
    order, palette, markers = method_styles(cells["method"])
    axis = AccuracyAxis.of(cells["test_accuracy"], collapsed_below)
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
    cost_legend(figure, order, palette, markers, axis)
    figure.suptitle(
        f"Accuracy against cost at equal retraining ({seeds_note(cells)})\n"
        "one point per method and sparsity; up and left is better"
    )
    return figure


def stage_time_figure(benchmarks: pd.DataFrame):
    """Total wall time per rule (bars), with job counts: where the pipeline's time goes."""
    per_rule = benchmarks.groupby("rule")["seconds"].agg(["sum", "count"])
    per_rule = per_rule.sort_values("sum", ascending=False)
    figure, axes = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    bars = axes.barh(per_rule.index, per_rule["sum"] / 60, color="tab:blue")
    labels = [f"{count} jobs" if count > 1 else "1 job" for count in per_rule["count"]]
    axes.bar_label(bars, labels=labels, padding=3, fontsize=8)
    axes.invert_yaxis()
    axes.set(xlabel="Wall time summed over jobs (minutes)", ylabel="Rule")
    axes.set_title(f"Where the pipeline's time goes ({per_rule['sum'].sum() / 60:.1f} job-minutes)")
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
        save_figure(line_figure(frame, *FIGURES[name]), paths)
