"""Settling a sweep's verdicts: which cells get more seeds after each look, and the report.

`snakemake settle_NAME` (workflow/rules/settle.smk) runs a sweep's cells at its seeds
(look 0), judges every comparison of the sweep (each Frank-Wolfe method against each
baseline, or the sweep's `settle.comparisons`) by the sequential rule of
`fwprune.sequential`, and gives the next `round` seeds to both cells of each comparison
still undecided, up to `max_seeds`; then judges again, and so on. Each look's plan is a
function of the metrics alone (the first n seeds of each cell in seed order), so a round
killed halfway resumes with the cells it had finished, and the verdicts recompute from
the committed table.
"""

import numpy as np
import pandas as pd

from fwprune import sequential, stats, verdicts
from fwprune.looks import Looks


def comparisons(frame: pd.DataFrame, chosen=None) -> list[tuple[str, str]]:
    """(method, other) pairs judged: `chosen` ("A:B" strings, the entry's `comparisons`),
    else what the sweep's verdicts.md judges (each Frank-Wolfe method against each
    baseline)."""
    if chosen:
        return [tuple(pair.split(":")) for pair in chosen]
    return verdicts.comparisons(verdicts.sweep_accuracy(frame), frame)


def judge(frame: pd.DataFrame, pairs, schedule: Looks, settings) -> list[tuple]:
    """(budget, sparsity, method, other, Settled) for each pair in each cell of the table."""
    return [
        (
            budget,
            sparsity,
            method,
            other,
            sequential.settle(table[method], table[other], schedule, settings),
        )
        for budget, sparsity, table in verdicts.cells(verdicts.sweep_accuracy(frame))
        for method, other in pairs
        if method in table and other in table
    ]


def plan(frame: pd.DataFrame, params: dict, settings, look: int) -> dict:
    """After look `look` (0: the sweep's seeds): the comparisons still undecided, and the
    cells of the next look (none after the last). `params`: the
    schedule (Looks' fields), every seed in order, and the chosen comparisons."""
    schedule = Looks(**params["schedule"])
    sizes = schedule.sizes()
    undecided = [
        (budget, sparsity, method, other)
        for budget, sparsity, method, other, settled in judge(
            frame, comparisons(frame, params["comparisons"]), schedule, settings
        )
        if settled.looks and not settled.decided
    ]
    following = []
    if look + 1 < len(sizes):
        added = params["seeds"][sizes[look] : sizes[look + 1]]
        following = sorted(
            {
                (seed, int(budget), name, float(sparsity))
                for budget, sparsity, method, other in undecided
                for name in (method, other)
                for seed in added
            }
        )
    return {
        "look": look,
        "seeds": sizes[look],
        "undecided": [list(map(_plain, row)) for row in undecided],
        "next": [list(cell) for cell in following],
    }


def _plain(value):
    """A JSON-ready value (numpy scalars as Python numbers)."""
    return value.item() if hasattr(value, "item") else value


def report(frame: pd.DataFrame, params: dict, settings) -> str:
    """The settled verdicts as markdown: each comparison's seeds, last look, collapse and
    verdict, then each cell over its seeds (`params` as for `plan`)."""
    settings = stats.Settings.of(settings)
    schedule = Looks(**params["schedule"])
    sizes, level = schedule.sizes(), schedule.alpha(settings.alpha)
    lines = [
        f"### Settled verdicts (looks at {', '.join(map(str, sizes))} seeds; each look's "
        f"interval at level {1 - level:.4f}, alpha {settings.alpha:g} shared by "
        f"{len(sizes)} looks; margin ±{settings.equivalence_margin:g}; collapsed: below "
        f"{settings.collapsed_below:g})",
        "",
        "| budget | sparsity | comparison | seeds | difference at the last look | test "
        "| collapsed | collapse p | collapse | verdict | decided at |",
        "|---" * 11 + "|",
    ]
    for budget, sparsity, method, other, settled in judge(
        frame, comparisons(frame, params["comparisons"]), schedule, settings
    ):
        lines.append(_comparison_row(budget, sparsity, f"{method} − {other}", settled))
    accuracy = verdicts.sweep_accuracy(frame)
    lines += [
        "",
        "### Cells (test accuracy over their seeds)",
        "",
        "| budget | sparsity | method | seeds | accuracy |",
        "|---" * 5 + "|",
    ]
    for budget, sparsity, table in verdicts.cells(accuracy):
        for method in table:
            values = table[method].dropna()
            text = sequential.fmt_cell(values, settings.collapsed_below)
            lines.append(f"| {budget} | {sparsity:g} | {method} | {len(values)} | {text} |")
    return "\n".join(lines) + "\n"


def _comparison_row(budget, sparsity, name: str, settled: sequential.Settled) -> str:
    if not settled.looks:
        cells = ["0", "–", "–", "–", "–", "–", sequential.INCONCLUSIVE, "–"]
    else:
        last = settled.last
        difference = "–" if np.isnan(last.mean) else f"{last.mean:+.3f}"
        if last.test == sequential.T_TEST:
            difference += f" [{last.low:+.3f}, {last.high:+.3f}]"
        cells = [
            str(last.seeds),
            difference,
            last.test,
            ", ".join(str(c) for c in last.collapsed),
            stats.fmt_p(last.collapse_p),
            settled.collapse_verdict,
            f"**{settled.verdict}**",
            str(settled.decided_at) if settled.decided else "undecided",
        ]
    return f"| {budget} | {sparsity:g} | {name} | " + " | ".join(cells) + " |"
