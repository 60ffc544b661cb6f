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


def method_label(method: str) -> str:
    """Legend text: the method's name, or for `dense+E` the compute-matched dense control."""
    epochs = names.control_epochs(method)
    if epochs is not None:
        return f"dense, {epochs} more epoch{'s' * (epochs != 1)} (compute-matched)"
    return METHOD_LABELS[method]


def method_styles(methods) -> tuple[list[str], dict, dict]:
    """Legend order, colours and markers that stay the same in every figure."""
    known = [m for m in METHOD_LABELS if m in set(methods)]
    controls = sorted(
        (m for m in set(methods) if names.control_epochs(m) is not None), key=names.control_epochs
    )
    colours = dict(zip(METHOD_LABELS, itertools.cycle(sns.color_palette("colorblind"))))
    greys = sns.color_palette("Greys", len(controls) + 2)[2:]
    palette = {method_label(m): colours[m] for m in known}
    palette |= {method_label(m): grey for m, grey in zip(controls, greys, strict=True)}
    markers = {method_label(m): MARKERS.get(m, CONTROL_MARKER) for m in known + controls}
    return [method_label(m) for m in known + controls], palette, markers


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
