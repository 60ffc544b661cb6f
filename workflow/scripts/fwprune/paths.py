"""Where the workflow's files live: the path templates (Snakemake wildcards in braces) and
the lists of files a target needs. Plain strings, no Snakemake, one definition each."""

import itertools
from pathlib import Path

from fwprune.experiment import Sweep

# A budget's folder of the main run, a sweep's cell, a pre-training checkpoint (a stem:
# .npz, .keras and .tflite files share it).
RUN = "results/seed{seed}/budget{budget}"
CELL = "results/{sweep}/seed{seed}/budget{budget}/{method}/sparsity{sparsity}"
CHECKPOINT = "results/seed{seed}/pretrain/epoch{epoch}"
# A tuning trial of a sweep's cell: trained at the tuning seed, scored on validation.
TRIAL = "results/{sweep}/tune/seed{seed}/budget{budget}/{method}/sparsity{sparsity}/trial{trial}"
FIGURES = ("accuracy", "loss", "nonzero", "inference_time")
# A trained model's files, by their input and output names, each its stem and a suffix:
# the saved state, the exported model and its LiteRT twins (float32, and in the
# converter's sparse format). Every rule that writes or reads a model names them so.
BUNDLE = {
    "state": ".npz",
    "model": ".keras",
    "litert": ".tflite",
    "litert_sparse": ".sparse.tflite",
}
# Every job's Snakemake benchmark file is [STEM.]RULE.benchmark.tsv (and its log and work
# record [STEM.]RULE.log, .work.json), so that its rule is in its name.
BENCHMARK_SUFFIX = ".benchmark.tsv"


def rule_of(benchmark: Path) -> str:
    """The rule behind a benchmark file: its name is [STEM.]RULE.benchmark.tsv."""
    return Path(benchmark).name.removesuffix(BENCHMARK_SUFFIX).rsplit(".", 1)[-1]


def bundle(stem: str) -> dict[str, str]:
    """The files of the model saved at `stem` (`BUNDLE`), by name."""
    return {name: stem + suffix for name, suffix in BUNDLE.items()}


def checkpoint(seed, epoch) -> str:
    return CHECKPOINT.format(seed=seed, epoch=epoch)


def cell_files(sweep: Sweep, name: str, cells=None) -> list[str]:
    """The file `name` of every cell of a sweep, or of the (seed, budget, method,
    sparsity) `cells` given (a settled sweep's look)."""
    return [
        f"{CELL}/{name}".format(sweep=sweep.name, seed=s, budget=b, method=m, sparsity=p)
        for s, b, m, p in (sweep.cells() if cells is None else cells)
    ]


def trial_files(sweep: Sweep, name: str) -> list[str]:
    """The file `name` of every tuning trial of a sweep: each cell tuned, K trials each."""
    cells = itertools.product(sweep.tuning_cells(), range(sweep.tune["trials"]))
    return [
        f"{TRIAL}/{name}".format(
            sweep=sweep.name, seed=sweep.tune["seed"], budget=b, method=m, sparsity=p, trial=t
        )
        for (b, m, p), t in cells
    ]


def compared_tables(sweeps: list[Sweep]) -> list[str]:
    """The metrics tables of a sweep and of the sweeps it is compared with."""
    return [f"results/{sweep.name}/metrics.parquet" for sweep in sweeps]


def base_tables(sweeps: list[Sweep]) -> list[str]:
    """The base evaluations of every seed and budget of these sweeps' cells."""
    pairs = sorted({(s, b) for sweep in sweeps for s, b, *_ in sweep.cells()})
    return [f"{RUN}/base/metrics.tsv".format(seed=s, budget=b) for s, b in pairs]


def sweep_outputs(sweep: Sweep) -> list[str]:
    """What `snakemake SWEEP` makes: the figure, the verdicts and, if timed, accuracy
    against cost with its trade-off table."""
    folder = f"results/{sweep.name}"
    outputs = [f"{folder}/sparsity.pdf", f"{folder}/verdicts.md"]
    if sweep.timing:
        outputs += [f"{folder}/accuracy_vs_cost.pdf", f"{folder}/tradeoffs.md"]
    return outputs


def final_outputs() -> list[str]:
    """The default target: the paper's figures, the claims and the benchmarks table."""
    figures = [f"results/figures/{figure}.pdf" for figure in FIGURES]
    return [*figures, "results/claims.md", "results/benchmarks.parquet"]
