"""The paper's figures from the metrics table: one line per method over the budgets.

With several seeds each line is the mean with a 95% confidence band.
"""

import matplotlib

matplotlib.use("Agg")  # files only; no display on a cluster node

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from fwprune.io import atomic_output  # noqa: E402

METHOD_LABELS = {
    "base": "unpruned base",
    "magnitude": "magnitude",
    "fw": "Frank-Wolfe",
    "fw_momentum": "Frank-Wolfe + momentum",
}
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
}


def line_figure(frame: pd.DataFrame, column: str, ylabel: str, title: str):
    """Metric against pre-training budget, one line per method, 95% CI over seeds."""
    frame = frame.assign(
        Method=frame["method"].map(METHOD_LABELS),
        nonzero_percent=100 * frame["nonzero_fraction"],
    ).dropna(subset=[column])  # the unpruned model has no inference-time ratio
    order = [METHOD_LABELS[m] for m in METHOD_LABELS if m in set(frame["method"])]
    seeds = frame["seed"].nunique()
    figure, axes = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    sns.lineplot(
        data=frame,
        x="budget",
        y=column,
        hue="Method",
        hue_order=order,
        style="Method",
        style_order=order,
        markers=True,
        dashes=False,
        errorbar=("ci", 95),
        ax=axes,
    )
    axes.set(xlabel=BUDGET_LABEL, ylabel=ylabel, xticks=sorted(frame["budget"].unique()))
    band = f"mean and 95% CI over {seeds} seeds" if seeds > 1 else "1 seed"
    axes.set_title(f"{title} vs pre-training budget ({band})")
    if column == "inference_time_ratio":
        axes.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="unpruned model")
        axes.legend()
    axes.grid(alpha=0.3)
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
