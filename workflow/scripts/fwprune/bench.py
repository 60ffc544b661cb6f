"""One benchmark command: the pipeline's hot paths measured side by side in one process.

    PYTHONPATH=workflow/scripts python -m fwprune.bench [--quick] [--threads N] [--data PATH]

Prints a markdown table; every figure is the median of per-round values over interleaved
repeats (A B A B …, after warm-up) with its min–max and interquartile range:

1. masked training epoch ÷ plain `model.fit` epoch (same architecture, SGD, batch, data);
2. FW mask gradient on S examples, batched ÷ the paper's literal per-example loop, and
   batched gradient ÷ one masked training epoch;
3. exported pruned model ÷ dense model, per-example latency at batch size 1;
4. fixed cost of one pipeline job (fresh interpreter up to the first training step), s;
5. pre-training budgets 1..K: the checkpoint chain ÷ training each budget from scratch;
6. what pruning pays at deployment: the model without half the filters of each conv ÷ the
   dense model, per-example latency at batch size 1 and time per batch of 256 (timed by
   `fwprune.timing`, as the pipeline times), and the gzip size of the exported `.keras`
   files, 90 %-sparse unstructured and filter-pruned, ÷ the dense one's.

`--investigate` adds rows that split item 1 into its parts (constraint, shuffle copy).
Nothing here asserts on speed: the goals are printed next to the figures.
"""

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fwprune import runtime

DATA = Path(__file__).resolve().parents[3] / "data" / "mnist.npz"  # what `download` writes
SEED = 0
TRAIN = {"learning_rate": 0.01, "momentum": 0.0, "batch_size": 128}  # METHODS.md
SPARSITY = 0.5
GRADIENT_BATCH = 256
JOB_GOAL_SECONDS = 5.0


@dataclass(frozen=True)
class Sizes:
    """Problem sizes and repeats; `QUICK` is a smoke test, `FULL` the real measurement."""

    train: int  # examples per epoch (item 1)
    epoch_rounds: int
    subsample: int  # S of the mask gradient (item 2)
    gradient_rounds: int
    calls_per_round: int  # batch-1 forward calls per timed round (item 3)
    inference_rounds: int
    job_rounds: int  # fresh job processes (item 4)
    chain_train: int  # examples per epoch (item 5)
    budgets: int
    chain_rounds: int
    warmup: int


FULL = Sizes(60_000, 9, 1024, 3, 100, 40, 5, 2_000, 10, 3, 1)
QUICK = Sizes(512, 2, 64, 2, 10, 5, 1, 256, 3, 1, 1)


# --- interleaved A/B timing ---------------------------------------------------------
@dataclass(frozen=True)
class Paired:
    """Seconds per round of two contenders timed in turn (A B A B …): wall and CPU time.

    CPU time is the whole process's (every thread): on a loaded machine it shows the work
    done, while wall time also counts waiting for a core.
    """

    a: np.ndarray
    b: np.ndarray
    cpu_a: np.ndarray
    cpu_b: np.ndarray

    @property
    def ratios(self) -> np.ndarray:
        return self.a / self.b

    @property
    def cpu_ratios(self) -> np.ndarray:
        return self.cpu_a / self.cpu_b

    def per_call(self, calls: int) -> "Paired":
        return Paired(self.a / calls, self.b / calls, self.cpu_a / calls, self.cpu_b / calls)


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall and process CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def seconds(call: Callable[[], object]) -> float:
    return timed(call)[0]


def interleaved(a: Callable, b: Callable, rounds: int, warmup: int) -> Paired:
    """Time `a` then `b` in each of `rounds` rounds, after `warmup` untimed rounds."""
    for _ in range(warmup):
        a(), b()
    times = np.array([(*timed(a), *timed(b)) for _ in range(rounds)])
    return Paired(times[:, 0], times[:, 2], times[:, 1], times[:, 3])


# --- the table ---------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One figure: per-round values (the median is the figure) against an optional goal."""

    item: str
    measure: str
    values: np.ndarray
    detail: str = ""
    limit: float | None = None  # the goal is median <= limit
    goal: str = "–"
    cpu: np.ndarray | None = None  # per-round ratios of process CPU time, if paired

    @property
    def met(self) -> str:
        if self.limit is None:
            return "–"
        return "yes" if np.median(self.values) <= self.limit else "**no**"


def spread(values: np.ndarray) -> tuple[str, str]:
    q25, q75 = np.percentile(values, [25, 75])
    return f"{values.min():.4g}–{values.max():.4g}", f"{q25:.4g}–{q75:.4g}"


def markdown(rows: list[Row]) -> str:
    header = ("item", "measure", "median", "min–max", "IQR", "n", "goal", "met",
              "CPU-time ratio (IQR)", "detail")  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for row in rows:
        full, iqr = spread(row.values)
        median = float(np.median(row.values))
        lines.append(
            f"| {row.item} | {row.measure} | {median:.4g} | {full} | {iqr} | {len(row.values)} "
            f"| {row.goal} | {row.met} | {cpu_cell(row.cpu)} | {row.detail} |"
        )
    return "\n".join(lines)


def cpu_cell(ratios: np.ndarray | None) -> str:
    if ratios is None:
        return "–"
    q25, median, q75 = np.percentile(ratios, [25, 50, 75])
    return f"{median:.4g} ({q25:.4g}–{q75:.4g})"


def ms(values: np.ndarray) -> str:
    return f"{np.median(values) * 1000:.3g} ms"


def s(values: np.ndarray) -> str:
    return f"{np.median(values):.3g} s"


# --- shared set-up -----------------------------------------------------------------
def load_train(path, size: int) -> tuple[np.ndarray, np.ndarray]:
    """`size` MNIST training examples, read, verified and scaled as jobs do it."""
    from fwprune.data import load_dataset, prepare

    arrays = load_dataset("mnist", path)
    (x, y), _ = prepare(arrays, train_size=size, test_size=1, subset_seed=SEED)
    return x, y


def pruned_network(sparsity: float = SPARSITY):
    from fwprune.masks import magnitude_mask
    from fwprune.training import MaskedNetwork

    network = MaskedNetwork(**TRAIN, seed=SEED)
    network.set_mask(magnitude_mask(network.latent_weights(), sparsity))
    return network


def plain_model():
    """The base architecture compiled as MaskedNetwork compiles it, without masks."""
    import keras

    from fwprune.model import build_model

    model = build_model()
    model.compile(
        optimizer=keras.optimizers.SGD(TRAIN["learning_rate"], momentum=TRAIN["momentum"]),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=False,
    )
    return model


def plain_epoch(model, x, y, **fit_options) -> Callable[[], object]:
    options = {"batch_size": TRAIN["batch_size"], "epochs": 1, "verbose": 0} | fit_options
    return lambda: model.fit(x, y, **options)


# --- item 1: masked vs plain epoch --------------------------------------------------
def masked_vs_plain_epoch(x, y, rounds: int, warmup: int) -> Paired:
    network = pruned_network()
    return interleaved(
        lambda: network.train(x, y, epochs=1), plain_epoch(plain_model(), x, y), rounds, warmup
    )


# --- item 2: mask gradient, batched vs per-example ----------------------------------
def per_example_mask_gradient(network, x, y) -> np.ndarray:
    """Paper Algorithm 3 literally: S eager forward/backward passes, one example each."""
    import keras
    import tensorflow as tf

    from fwprune.model import flatten_kernels

    totals = [np.zeros(shape, np.float64) for shape in network.shapes]
    for i in range(len(y)):
        with tf.GradientTape() as tape:
            probabilities = network.model(x[i : i + 1], training=False)
            loss = keras.losses.sparse_categorical_crossentropy(y[i : i + 1], probabilities)
        for total, gradient in zip(totals, tape.gradient(loss, network.kernels), strict=True):
            total += gradient.numpy()
    return network.latent_weights() * flatten_kernels(totals) / len(y)


def batched_vs_per_example_gradient(x, y, rounds: int, warmup: int) -> Paired:
    network = pruned_network()
    batched = network.mask_gradient(x, y, GRADIENT_BATCH)
    reference = per_example_mask_gradient(network, x, y)
    # oneDNN's batched convolutions are accurate to ~1e-3 relative, single examples to ~1e-7.
    difference = np.linalg.norm(batched - reference) / np.linalg.norm(reference)
    if difference > 1e-2:
        raise AssertionError(f"batched and per-example gradients differ by {difference:.2g}")
    return interleaved(
        lambda: network.mask_gradient(x, y, GRADIENT_BATCH),
        lambda: per_example_mask_gradient(network, x, y),
        rounds,
        warmup,
    )


# --- item 3: pruned vs dense inference ----------------------------------------------
def exported_models(directory: Path):
    """Dense and 50%-pruned exports of one network, through the files jobs exchange."""
    from fwprune.masks import magnitude_mask
    from fwprune.training import MaskedNetwork, load_exported

    network = MaskedNetwork(**TRAIN, seed=SEED)
    network.save(directory / "dense.npz", directory / "dense.keras")
    network.set_mask(magnitude_mask(network.latent_weights(), SPARSITY))
    network.save(directory / "pruned.npz", directory / "pruned.keras")
    return load_exported(directory / "pruned.keras"), load_exported(directory / "dense.keras")


def batch_one_forward(model, examples: np.ndarray, calls: int) -> Callable[[], None]:
    """`calls` batch-1 calls of the pipeline's compiled forward pass, cycling the examples."""
    import tensorflow as tf

    forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    def run() -> None:
        for i in range(calls):
            forward(examples[i % len(examples)][np.newaxis]).numpy()

    return run


def pruned_vs_dense_inference(examples, calls: int, rounds: int, warmup: int) -> Paired:
    with tempfile.TemporaryDirectory() as directory:
        pruned, dense = exported_models(Path(directory))
    paired = interleaved(
        batch_one_forward(pruned, examples, calls),
        batch_one_forward(dense, examples, calls),
        rounds,
        warmup,
    )
    return paired.per_call(calls)


# --- item 4: fixed cost of one job ---------------------------------------------------
JOB = """
import time
stamps = {"start": time.time()}
import json, sys
import tensorflow, keras
stamps["import tensorflow+keras"] = time.time()
job = json.loads(sys.argv[1])
from fwprune import runtime
runtime.configure(job["threads"], job["seed"])
stamps["runtime.configure"] = time.time()
from fwprune.data import load_dataset, prepare
from fwprune.training import MaskedNetwork
stamps["import fwprune.training"] = time.time()
train, _ = prepare(load_dataset("mnist", job["data"]))
stamps["data load+digest+prepare"] = time.time()
network = MaskedNetwork(**job["train"], seed=job["seed"]).restore(job["state"])
stamps["build model+restore"] = time.time()
print(json.dumps(stamps))
"""

JOB_STAGES = (
    "interpreter start",
    "import tensorflow+keras",
    "runtime.configure",
    "import fwprune.training",
    "data load+digest+prepare",
    "build model+restore",
    "exit",
)


def run_job(threads: int, data: Path, state: Path) -> dict[str, float]:
    """Seconds per stage of one fresh job process, and its total wall time."""
    job = {"threads": threads, "seed": SEED, "data": str(data), "train": TRAIN, "state": str(state)}
    environment = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    cpu = children_cpu_seconds()
    spawned = time.time()
    result = subprocess.run(
        [sys.executable, "-c", JOB, json.dumps(job)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    ended = time.time()
    stamps = [spawned, *json.loads(result.stdout.strip().splitlines()[-1]).values(), ended]
    stages = dict(zip(JOB_STAGES, np.diff(stamps), strict=True))
    return stages | {"total": ended - spawned, "cpu": children_cpu_seconds() - cpu}


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def job_fixed_cost(threads: int, data: Path, rounds: int) -> dict[str, np.ndarray]:
    from fwprune.training import MaskedNetwork

    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory) / "checkpoint.npz"
        MaskedNetwork(**TRAIN, seed=SEED).save(state, Path(directory) / "checkpoint.keras")
        runs = [run_job(threads, data, state) for _ in range(rounds)]
    return {name: np.array([run[name] for run in runs]) for name in runs[0]}


# --- item 5: checkpoint chain vs training each budget from scratch -----------------
def chain_run(x, y, budgets: int, directory: Path) -> None:
    """The pipeline: job k restores checkpoint k-1, trains one epoch and saves checkpoint k."""
    from fwprune.training import MaskedNetwork

    previous = None
    for k in range(1, budgets + 1):
        network = MaskedNetwork(**TRAIN, seed=SEED)
        if previous is not None:
            network.restore(previous)
        network.train(x, y, epochs=1)
        previous = directory / f"chain{k}.npz"
        network.save(previous, directory / f"chain{k}.keras")


def scratch_run(x, y, budgets: int, directory: Path) -> None:
    """The alternative: job k trains k epochs from initialisation and saves."""
    from fwprune.training import MaskedNetwork

    for k in range(1, budgets + 1):
        network = MaskedNetwork(**TRAIN, seed=SEED)
        network.train(x, y, epochs=k)
        network.save(directory / f"scratch{k}.npz", directory / f"scratch{k}.keras")


def chain_vs_scratch(x, y, budgets: int, rounds: int) -> Paired:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        return interleaved(
            lambda: chain_run(x, y, budgets, directory),
            lambda: scratch_run(x, y, budgets, directory),
            rounds,
            warmup=0,
        )


# --- optional: where the masked-training overhead goes ------------------------------
def unconstrained_network():
    """A pruned network whose kernels lack the mask constraint (pruned weights may regrow)."""
    network = pruned_network()
    for kernel in network.kernels:
        kernel.constraint = None
    network.check_mask_invariant = lambda: None
    return network


def overhead_rows(x, y, rounds: int, warmup: int) -> list[Row]:
    """Split item 1: noise floor, the constraint, fit on pre-shuffled arrays, the copy."""
    twin = interleaved(plain_epoch(plain_model(), x, y), plain_epoch(plain_model(), x, y),
                       rounds, warmup)  # fmt: skip
    with_constraint, without = pruned_network(), unconstrained_network()
    constraint = interleaved(
        lambda: with_constraint.train(x, y, epochs=1),
        lambda: without.train(x, y, epochs=1),
        rounds,
        warmup,
    )
    plain, permutation = plain_model(), np.random.default_rng(0).permutation(len(y))
    presorted = interleaved(
        plain_epoch(plain, x[permutation], y[permutation], shuffle=False),
        plain_epoch(plain, x, y),
        rounds,
        warmup,
    )
    copy = np.array([seconds(lambda: (x[permutation], y[permutation])) for _ in range(rounds)])
    return [
        paired_row("1w", "plain fit ÷ plain fit of a twin model (noise floor)", twin),
        paired_row("1x", "masked epoch, constraint on ÷ off", constraint),
        paired_row("1y", "plain fit, shuffle=False on a copy ÷ shuffle=True", presorted),
        Row("1z", "shuffle copy x[p], y[p] ÷ masked epoch", copy / np.median(constraint.a),
            f"copy {ms(copy)}"),
    ]  # fmt: skip


# --- the command -------------------------------------------------------------------
def paired_row(item: str, measure: str, paired: Paired, detail: str = "", limit=None, goal="–"):
    """A row whose figure is the per-round wall-time ratio A ÷ B."""
    detail = detail or pair(paired)
    return Row(item, measure, paired.ratios, detail, limit, goal, paired.cpu_ratios)


def pair(paired: Paired, unit: Callable[[np.ndarray], str] = s) -> str:
    """Median wall time of A vs B."""
    return f"{unit(paired.a)} vs {unit(paired.b)}"


def epoch_rows(epoch: Paired, examples: int) -> list[Row]:
    measure = f"masked epoch ÷ plain fit epoch ({examples} ex.)"
    return [paired_row("1", measure, epoch, limit=1.03, goal="≤ 1.03")]


def gradient_rows(gradient: Paired, epoch: Paired, subsample: int) -> list[Row]:
    speedup = f"{pair(gradient, ms)}; speed-up {np.median(gradient.b / gradient.a):.0f}×"
    per_epoch = Paired(gradient.a, np.median(epoch.a), gradient.cpu_a, np.median(epoch.cpu_a))
    return [
        paired_row("2", f"mask gradient S={subsample}: batched ÷ per-example loop", gradient,
                   speedup, 0.05, "≤ 0.05 (≥ 20×)"),
        paired_row("2b", "batched mask gradient ÷ masked epoch (median)", per_epoch,
                   f"{ms(gradient.a)} vs {s(epoch.a)}", 0.05, "< 0.05"),
    ]  # fmt: skip


def inference_rows(inference: Paired) -> list[Row]:
    detail = pair(inference, ms) + " per example"
    measure = "pruned ÷ dense inference, batch 1"
    return [paired_row("3", measure, inference, detail, 1.02, "≤ 1.02")]


def job_rows(job: dict[str, np.ndarray]) -> list[Row]:
    goal = f"≤ {JOB_GOAL_SECONDS:g} s"
    detail = f"fresh `python -c`, wall time; CPU time {s(job['cpu'])}"
    total = Row("4", "fixed cost of one job, s", job["total"], detail, JOB_GOAL_SECONDS, goal)
    stages = [Row(f"4.{i}", f"… {name}, s", job[name]) for i, name in enumerate(JOB_STAGES, 1)]
    return [total, *stages]


def chain_rows(chain: Paired, budgets: int, examples: int) -> list[Row]:
    scratch_epochs = budgets * (budgets + 1) // 2
    measure = f"budgets 1..{budgets}: chain ÷ scratch, wall ({examples} ex.)"
    detail = f"{pair(chain)}; epochs {budgets} vs {scratch_epochs}"
    goal = f"≈ {budgets}/{scratch_epochs} = {budgets / scratch_epochs:.3f}"
    return [paired_row("5", measure, chain, detail, goal=goal)]


# --- item 6: what pruning pays at deployment ----------------------------------------------
UNSTRUCTURED_SPARSITY = 0.9
LARGE_BATCH = 256


def deployment_files(directory: Path) -> dict[str, Path]:
    """The exported `.keras` files of one network: dense, 90 % of the weights pruned
    (unstructured, by magnitude), and half the filters of each conv removed."""
    from fwprune.masks import magnitude_mask
    from fwprune.training import MaskedNetwork

    files = {name: directory / f"{name}.keras" for name in ("dense", "sparse", "filter")}
    network = MaskedNetwork(**TRAIN, seed=SEED)
    network.save(directory / "dense.npz", files["dense"])
    network.set_mask(magnitude_mask(network.latent_weights(), UNSTRUCTURED_SPARSITY))
    network.save(directory / "sparse.npz", files["sparse"])
    network = MaskedNetwork(**TRAIN, seed=SEED, granularity="filter")
    kept = np.ones(network.unit_count, bool)
    kept[16:32] = kept[64:96] = False  # conv1 keeps 16 of 32 filters, conv2 32 of 64
    network.set_unit_mask(kept)
    network.save(directory / "filter.npz", files["filter"])
    return files


def filter_vs_dense_times(calls: dict[str, Callable], rounds: int, warmup: int):
    """Seconds per round of the filter-pruned model's call and of the dense model's, timed
    interleaved by the pipeline's own timing code."""
    from fwprune.timing import interleaved_times

    times = interleaved_times(calls, rounds, warmup)
    return times["filter"], times["dense"]


def whole_batch_forward(model, batch: np.ndarray) -> Callable[[], None]:
    """One call of the compiled forward pass on the whole `batch`."""
    import tensorflow as tf

    forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    return lambda: forward(batch).numpy()


def deployment_rows(examples, calls: int, rounds: int, warmup: int) -> list[Row]:
    """Latency and size rows; `examples` holds at least LARGE_BATCH images."""
    from fwprune.metrics import file_sizes
    from fwprune.training import load_exported

    with tempfile.TemporaryDirectory() as directory:
        files = deployment_files(Path(directory))
        gzip_bytes = {name: file_sizes(path)[1] for name, path in files.items()}
        models = {name: load_exported(files[name]) for name in ("filter", "dense")}
    single = {name: batch_one_forward(m, examples, calls) for name, m in models.items()}
    filter_one, dense_one = filter_vs_dense_times(single, rounds, warmup)
    large = {name: whole_batch_forward(m, examples[:LARGE_BATCH]) for name, m in models.items()}
    filter_large, dense_large = filter_vs_dense_times(large, rounds, warmup)
    sizes = {name: np.array([gzip_bytes[name] / gzip_bytes["dense"]]) for name in gzip_bytes}
    dense_kb = f"dense {gzip_bytes['dense'] / 1000:.0f} kB"
    return [
        Row("6", "half the filters of each conv ÷ dense, batch 1", filter_one / dense_one,
            f"{ms(filter_one / calls)} vs {ms(dense_one / calls)} per example", 0.6, "≤ 0.6"),
        Row("6a", f"half the filters of each conv ÷ dense, batch {LARGE_BATCH}",
            filter_large / dense_large, f"{ms(filter_large)} vs {ms(dense_large)} per batch"),
        Row("6b", "gzip bytes: 90 %-sparse unstructured ÷ dense", sizes["sparse"],
            f"{gzip_bytes['sparse'] / 1000:.0f} kB vs {dense_kb}", 0.3, "≤ 0.3"),
        Row("6c", "gzip bytes: half the filters ÷ dense", sizes["filter"],
            f"{gzip_bytes['filter'] / 1000:.0f} kB vs {dense_kb}"),
    ]  # fmt: skip


def benchmark(sizes: Sizes, data: Path, threads: int, investigate: bool) -> list[Row]:
    x, y = load_train(data, sizes.train)
    epoch = masked_vs_plain_epoch(x, y, sizes.epoch_rounds, sizes.warmup)
    subsample = slice(0, sizes.subsample)
    gradient = batched_vs_per_example_gradient(
        x[subsample], y[subsample], sizes.gradient_rounds, sizes.warmup
    )
    inference = pruned_vs_dense_inference(
        x[:100], sizes.calls_per_round, sizes.inference_rounds, sizes.warmup
    )
    job = job_fixed_cost(threads, data, sizes.job_rounds)
    chain_data = load_train(data, sizes.chain_train)
    chain = chain_vs_scratch(*chain_data, sizes.budgets, sizes.chain_rounds)
    rows = epoch_rows(epoch, len(y)) + gradient_rows(gradient, epoch, sizes.subsample)
    rows += inference_rows(inference) + job_rows(job)
    rows += chain_rows(chain, sizes.budgets, sizes.chain_train)
    rows += deployment_rows(
        x[:LARGE_BATCH], sizes.calls_per_round, sizes.inference_rounds, sizes.warmup
    )
    if investigate:
        rows += overhead_rows(x, y, sizes.epoch_rounds, sizes.warmup)
    return rows


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fwprune.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow intra-op threads")
    parser.add_argument("--investigate", action="store_true", help="split item 1's overhead")
    parser.add_argument("--data", type=Path, default=DATA, help=f"MNIST npz (default {DATA})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    runtime.configure(arguments.threads, SEED)
    logging.getLogger("fwprune").setLevel(logging.WARNING)
    sizes = QUICK if arguments.quick else FULL
    start, load = time.perf_counter(), os.getloadavg()
    rows = benchmark(sizes, arguments.data.resolve(), arguments.threads, arguments.investigate)
    print(f"threads={arguments.threads} quick={arguments.quick} {sizes}")
    print(f"load average at start {load[0]:.2f}, at end {os.getloadavg()[0]:.2f}; ", end="")
    print(f"{time.perf_counter() - start:.0f} s in all\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
