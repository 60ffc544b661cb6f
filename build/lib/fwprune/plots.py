"""The paper's figures from the metrics table: one line per method over the budgets.

With several seeds each line is the mean with a 95% confidence band.
"""

import itertools

import matplotlib

matplotlib.use("Agg")  # files only; no display on a cluster node

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from fwprune import names  # noqa: E402
from fwprune.io import atomic_output  # noqa: E402
from fwprune.methods import REGISTRY  # noqa: E402
from fwprune.stats import mean_ci  # noqa: E402

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


# Markers of the variants (config `variants`), in the order they appear.
VARIANT_MARKERS = ("*", "h", "p", "d", "<", ">", "8", "H")


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
    colours = dict(
        zip([*METHOD_LABELS, *variants], itertools.cycle(sns.color_palette("colorblind")))
    )
    greys = sns.color_palette("Greys", len(controls) + 2)[2:]
    palette = {method_label(m): colours[m] for m in known + variants}
    palette |= {method_label(m): grey for m, grey in zip(controls, greys, strict=True)}
    markers = {method_label(m): MARKERS.get(m, CONTROL_MARKER) for m in known + controls}
    markers |= dict(zip(map(method_label, variants), itertools.cycle(VARIANT_MARKERS)))
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


def sweep_figure(frame: pd.DataFrame):
    """Accuracy against sparsity, one panel per pre-training budget, one line per method."""
    frame = frame.assign(Method=frame["method"].map(method_label))
    order, palette, markers = method_styles(frame["method"])
    grid = sns.relplot(
        data=frame,
        x="sparsity",
        y="test_accuracy",
        hue="Method",
        hue_order=order,
        palette=palette,
        style="Method",
        markers=markers,
        dashes=False,
        col="budget",
        kind="line",
        errorbar=("ci", 95),
        height=3.6,
        aspect=0.9,
    )
    grid.set_axis_labels("Sparsity of the prunable weights", "Test accuracy (fraction correct)")
    grid.set_titles("pre-trained {col_name} epoch(s)")
    for axes in grid.axes.flat:
        axes.grid(alpha=0.3)
    seeds = frame["seed"].nunique()
    band = f"mean and 95% CI over {seeds} seeds" if seeds > 1 else "1 seed"
    grid.figure.suptitle(f"Accuracy vs sparsity at equal retraining ({band})")
    grid.figure.subplots_adjust(top=0.86)  # room for the title inside the saved figure
    return grid.figure


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
    over seeds with its 95% t-interval (`_low`, `_high`; the mean with one seed)."""
    keys = ["budget", "method", "param_granularity", "target_sparsity"]
    # A method whose own granularity is filter runs the same cell in both sweeps: one
    # experiment, counted once, not as two seeds.
    frame = frame.drop_duplicates(subset=["seed", *keys])
    rows = []
    for key, cell in frame.groupby(keys):
        row = dict(zip(keys, key, strict=True))
        for column in columns:
            row[column], row[f"{column}_low"], row[f"{column}_high"] = mean_ci(cell[column])
        rows.append(row)
    return pd.DataFrame(rows)


def draw_cost_panel(axes, cells: pd.DataFrame, cost: str, palette: dict, markers: dict) -> None:
    """Accuracy against one cost: one line per method and granularity through its
    sparsities, a point per sparsity with its interval as error bars."""
    for (method, granularity), line in cells.groupby(["method", "param_granularity"]):
        line = line.sort_values("target_sparsity")
        style, colour = GRANULARITY_STYLES[granularity], palette[method_label(method)]
        axes.errorbar(
            line[cost],
            line["test_accuracy"],
            xerr=[line[cost] - line[f"{cost}_low"], line[f"{cost}_high"] - line[cost]],
            yerr=[
                line["test_accuracy"] - line["test_accuracy_low"],
                line["test_accuracy_high"] - line["test_accuracy"],
            ],
            color=colour,
            marker=markers[method_label(method)],
            markerfacecolor=colour if style["fill"] else "white",
            markersize=6,
            linestyle=style["linestyle"],
            linewidth=1,
            elinewidth=0.8,
            capsize=2,
        )
    axes.axvline(1.0, color="grey", linestyle=":", linewidth=1)  # the unpruned model's cost
    axes.grid(alpha=0.3)


def cost_legend(figure, order: list[str], palette: dict, markers: dict) -> None:
    """One legend: the methods by colour and marker, the granularities by fill and line."""
    handles = [
        plt.Line2D([], [], color=palette[label], marker=markers[label], label=label)
        for label in order
    ]
    handles += [
        plt.Line2D(
            [],
            [],
            color="black",
            marker="o",
            markerfacecolor="black" if style["fill"] else "white",
            linestyle=style["linestyle"],
            label=f"{granularity} pruning",
        )
        for granularity, style in GRANULARITY_STYLES.items()
    ]
    handles.append(plt.Line2D([], [], color="grey", linestyle=":", label="unpruned model"))
    figure.legend(handles=handles, loc="outside right center", frameon=False)


def accuracy_vs_cost_figure(frame: pd.DataFrame):
    """Test accuracy against each of COSTS: latency per example at batch 1, time per example
    at a large batch and gzip size (each ÷ the unpruned model's), one point per method and
    target sparsity (mean over seeds, 95% CI), colour and marker by method, fill by
    granularity; one row of panels per budget. `frame` holds rows of both sweeps (columns
    of sweep_row, evaluate and time_inference)."""
    cells = cell_means(frame, ["test_accuracy", *COSTS])
    order, palette, markers = method_styles(cells["method"])
    budgets = sorted(cells["budget"].unique())
    figure, axes = plt.subplots(
        len(budgets),
        len(COSTS),
        figsize=(3.4 * len(COSTS) + 2.0, 3.6 * len(budgets) + 0.6),
        sharey="row",
        squeeze=False,
        layout="constrained",
    )
    for row, budget in zip(axes, budgets, strict=True):
        for panel, (cost, label) in zip(row, COSTS.items(), strict=True):
            draw_cost_panel(panel, cells[cells.budget == budget], cost, palette, markers)
            panel.set(xlabel=label, title=f"pre-trained {budget} epoch(s)")
        row[0].set_ylabel("Test accuracy (fraction correct)")
    cost_legend(figure, order, palette, markers)
    seeds = frame["seed"].nunique()
    band = f"mean and 95% CI over {seeds} seeds" if seeds > 1 else "1 seed"
    figure.suptitle(
        f"Accuracy against cost at equal retraining ({band})\n"
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
