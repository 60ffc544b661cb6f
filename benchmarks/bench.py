"""The pipeline's hot paths measured side by side in one process, each figure a ratio.

    PYTHONPATH=workflow/scripts python -m benchmarks.bench [--quick] [--threads N]
        [--investigate] [--data PATH]

Every contender is the library's own code (`fwprune.training`, `fwprune.timing`), and the
contenders of an item run in the rounds of `fwprune.timing.interleaved_times`, which take
every order of them in turn after warm-up. Prints a markdown table: each figure is the
median of the per-round ratios, with its interquartile range and, where the rounds record
it, the same ratio of process CPU time.

1. masked training epoch ÷ plain `model.fit` epoch (the same compiled model without its
   mask constraints, the same data);
2. mask gradient on S examples, batched ÷ one example per pass, and batched ÷ one masked
   training epoch;
3. exported pruned model ÷ dense model, per-example latency at batch size 1, and its
   control (a second copy of the dense model ÷ the dense model), as a timing job measures
   them;
4. fixed cost of one pipeline job (fresh interpreter up to the first training step), s;
5. pre-training budgets 1..K: the checkpoint chain ÷ training each budget from scratch;
6. what pruning pays at deployment: the model without half the filters of each conv ÷ the
   dense model, per-example latency at batch size 1 and at a batch of 256 (as item 3), and
   the gzip size of the exported `.keras` files, 90 %-sparse unstructured and
   filter-pruned, ÷ the dense one's; and the same batch-1 ratio and its control for the
   models converted to LiteRT as jobs convert them (`fwprune.export.litert_bytes`: TensorFlow's
   own `tf.lite`, float32) and run as timing jobs run them (`fwprune.litert`), in turn.

`--investigate` adds two contenders to item 1: a twin of the plain model (the noise floor)
and the masked network with its constraints off (what the constraint costs).
Nothing here asserts on speed: the goals are printed next to the figures.
"""

import argparse
import itertools
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

import fwprune
from fwprune import runtime
from fwprune.timing import interleaved_times, ratio_summary

DATA = Path(__file__).resolve().parents[1] / "data" / "mnist.npz"  # what `download` writes
LIBRARY_PATH = Path(fwprune.__file__).resolve().parents[1]  # where jobs import it from
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
    inference_rounds: int  # batch-1 calls per model (item 3)
    inference_warmup: int
    job_rounds: int  # fresh job processes (item 4)
    chain_train: int  # examples per epoch (item 5)
    budgets: int
    chain_rounds: int
    warmup: int


FULL = Sizes(60_000, 9, 1024, 3, 4000, 100, 5, 2_000, 10, 3, 1)
QUICK = Sizes(512, 2, 64, 2, 50, 5, 1, 256, 3, 1, 1)


# --- side-by-side timing -----------------------------------------------------------
@dataclass(frozen=True)
class Times:
    """Seconds of one contender per timed round: wall time and the process's CPU time
    (every thread). On a loaded machine CPU time shows the work done, while wall time also
    counts waiting for a core."""

    wall: np.ndarray
    cpu: np.ndarray

    def median_of(self, other: "Times") -> "Times":
        """Each round of `self` set against the median round of `other`."""
        return Times(np.full_like(self.wall, np.median(other.wall)),
                     np.full_like(self.cpu, np.median(other.cpu)))  # fmt: skip


def side_by_side(calls: dict[str, Callable], rounds: int, warmup: int) -> dict[str, Times]:
    """`fwprune.timing.interleaved_times`, recording each call's process CPU time too."""
    cpu = {name: [] for name in calls}

    def recorded(name: str) -> Callable[[], None]:
        def call() -> None:
            start = time.process_time()
            calls[name]()
            cpu[name].append(time.process_time() - start)

        return call

    wall = interleaved_times({name: recorded(name) for name in calls}, rounds, warmup)
    return {name: Times(wall[name], np.array(cpu[name][warmup:])) for name in calls}


# --- the table ---------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """A median over `n` rounds and its interquartile range."""

    median: float
    q25: float
    q75: float
    n: int

    @classmethod
    def of(cls, values: np.ndarray) -> "Figure":
        q25, median, q75 = np.percentile(values, [25, 50, 75])
        return cls(float(median), float(q25), float(q75), len(values))

    @property
    def iqr(self) -> str:
        return f"{self.q25:.4g}–{self.q75:.4g}"


@dataclass(frozen=True)
class Row:
    """One figure of the table against an optional goal (median <= limit)."""

    item: str
    measure: str
    figure: Figure
    detail: str = ""
    limit: float | None = None
    goal: str = "–"
    cpu: Figure | None = None  # the same ratio of process CPU time, if the rounds record it

    @property
    def met(self) -> str:
        if self.limit is None:
            return "–"
        return "yes" if self.figure.median <= self.limit else "**no**"


def markdown(rows: list[Row]) -> str:
    header = ("item", "measure", "median", "IQR", "n", "goal", "met", "CPU-time ratio (IQR)",
              "detail")  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for row in rows:
        figure = row.figure
        cpu = "–" if row.cpu is None else f"{row.cpu.median:.4g} ({row.cpu.iqr})"
        lines.append(
            f"| {row.item} | {row.measure} | {figure.median:.4g} | {figure.iqr} | {figure.n} "
            f"| {row.goal} | {row.met} | {cpu} | {row.detail} |"
        )
    return "\n".join(lines)


def summary_figure(summary: dict, column: str, n: int) -> Figure:
    """The figure of column `column` of a `fwprune.timing.ratio_summary` over `n` rounds."""
    return Figure(summary[column], summary[f"{column}_q25"], summary[f"{column}_q75"], n)


def ratio_row(item: str, measure: str, a: Times, b: Times, detail: str = "", limit=None,
              goal="–") -> Row:  # fmt: skip
    """A row whose figure is the per-round ratio a ÷ b (detail: their median wall times)."""
    detail = detail or f"{s(a.wall)} vs {s(b.wall)}"
    return Row(item, measure, Figure.of(a.wall / b.wall), detail, limit, goal,
               Figure.of(a.cpu / b.cpu))  # fmt: skip


def ms(values: np.ndarray) -> str:
    return f"{np.median(values) * 1000:.3g} ms"


def s(values: np.ndarray) -> str:
    return f"{np.median(values):.3g} s"


# --- shared set-up -----------------------------------------------------------------
def load_train(path, size: int | None) -> tuple[np.ndarray, np.ndarray]:
    """`size` MNIST training examples (None: all), read, verified and scaled as jobs do."""
    from fwprune.data import load_dataset, prepare
    from fwprune.sources import DATASETS

    arrays = load_dataset(path, DATASETS["mnist"].sha256)
    x, y = prepare(arrays, train_size=size, test_size=1, subset_seed=SEED).train
    return x, y


def network(sparsity: float = 0.0):
    """The pipeline's masked network, pruned to `sparsity` by magnitude."""
    from fwprune.masks import magnitude_mask
    from fwprune.training import MaskedNetwork

    masked = MaskedNetwork(**TRAIN, seed=SEED)
    masked.set_unit_mask(magnitude_mask(masked.latent_weights(), sparsity))
    return masked


def without_constraints(masked):
    """`masked` with no mask constraint on its kernels, so its pruned weights may regrow."""
    for kernel in masked.kernels:
        kernel.constraint = None
    masked.check_mask_invariant = lambda: None
    return masked


def plain_model():
    """The base architecture compiled as the pipeline compiles it, without masks."""
    return without_constraints(network()).model


def plain_epoch(model, x, y) -> Callable[[], object]:
    return lambda: model.fit(x, y, batch_size=TRAIN["batch_size"], epochs=1, verbose=0)


def masked_epoch(masked, x, y) -> Callable[[], None]:
    return lambda: masked.train(x, y, epochs=1)


# --- items 1 and 2: training epochs and the mask gradient ---------------------------
def epochs(x, y, rounds: int, warmup: int, investigate: bool) -> dict[str, Times]:
    calls = {"masked": masked_epoch(network(SPARSITY), x, y),
             "plain": plain_epoch(plain_model(), x, y)}  # fmt: skip
    if investigate:
        calls["plain twin"] = plain_epoch(plain_model(), x, y)
        calls["unconstrained"] = masked_epoch(without_constraints(network(SPARSITY)), x, y)
    return side_by_side(calls, rounds, warmup)


def epoch_rows(times: dict[str, Times], examples: int) -> list[Row]:
    measure = f"masked epoch ÷ plain fit epoch ({examples} ex.)"
    rows = [ratio_row("1", measure, times["masked"], times["plain"], limit=1.03, goal="≤ 1.03")]
    if "plain twin" in times:
        rows += [
            ratio_row("1w", "plain fit ÷ plain fit of a twin model (noise floor)",
                      times["plain"], times["plain twin"]),
            ratio_row("1x", "masked epoch, constraint on ÷ off", times["masked"],
                      times["unconstrained"]),
        ]  # fmt: skip
    return rows


def mask_gradients(x, y, rounds: int, warmup: int) -> dict[str, Times]:
    """`MaskedNetwork.mask_gradient` in batches and one example per pass (the paper's
    literal loop; tests/test_training.py checks that both give the same g)."""
    masked = network(SPARSITY)
    calls = {"batched": lambda: masked.mask_gradient(x, y, GRADIENT_BATCH),
             "per example": lambda: masked.mask_gradient(x, y, 1)}  # fmt: skip
    return side_by_side(calls, rounds, warmup)


def gradient_rows(gradient: dict[str, Times], epoch: Times, subsample: int) -> list[Row]:
    batched, single = gradient["batched"], gradient["per example"]
    speedup = np.median(single.wall / batched.wall)
    return [
        ratio_row("2", f"mask gradient S={subsample}: batched ÷ one example per pass",
                  batched, single, f"{ms(batched.wall)} vs {ms(single.wall)}; "
                  f"speed-up {speedup:.0f}×", 0.05, "≤ 0.05 (≥ 20×)"),
        ratio_row("2b", "batched mask gradient ÷ masked epoch (median)", batched,
                  batched.median_of(epoch), f"{ms(batched.wall)} vs {s(epoch.wall)}", 0.05,
                  "< 0.05"),
    ]  # fmt: skip


# --- item 3: pruned vs dense inference ----------------------------------------------
def exported_models(directory: Path) -> dict:
    """Dense, dense again and 50%-pruned exports of one network, loaded from the files
    jobs exchange."""
    from fwprune.export import load_exported

    network().save(directory / "dense.npz", directory / "dense.keras")
    network(SPARSITY).save(directory / "pruned.npz", directory / "pruned.keras")
    return {
        "pruned": load_exported(directory / "pruned.keras"),
        "dense": load_exported(directory / "dense.keras"),
        "dense_copy": load_exported(directory / "dense.keras"),
    }


def inference_rows(examples, sizes: Sizes) -> list[Row]:
    from fwprune.timing import inference_latency_ratio

    with tempfile.TemporaryDirectory() as directory:
        models = exported_models(Path(directory))
    ratios = inference_latency_ratio(**models, examples=examples, batch_size=1,
                                     repeats=sizes.inference_rounds,
                                     warmup=sizes.inference_warmup)  # fmt: skip

    def figure(column: str) -> Figure:
        return summary_figure(ratios, column, sizes.inference_rounds)

    latencies = f"{ratios['pruned_latency_ms']:.3g} ms vs {ratios['dense_latency_ms']:.3g} ms"
    return [
        Row("3", "pruned ÷ dense inference, batch 1", figure("inference_time_ratio"),
            f"{latencies} per example", 1.02, "≤ 1.02"),
        Row("3c", "… control: dense copy ÷ dense", figure("inference_time_control_ratio"),
            f"{ratios['dense_copy_latency_ms']:.3g} ms per example"),
    ]  # fmt: skip


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
train = prepare(load_dataset(job["data"], job["data_sha256"])).train
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
    """Seconds per stage of one fresh job process, its total wall time and its CPU time."""
    from fwprune.sources import DATASETS

    job = {"threads": threads, "seed": SEED, "train": TRAIN, "state": str(state)}
    job |= {"data": str(data), "data_sha256": DATASETS["mnist"].sha256}
    environment = os.environ | {"PYTHONPATH": str(LIBRARY_PATH)}
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
    with tempfile.TemporaryDirectory() as directory:
        state = Path(directory) / "checkpoint.npz"
        network().save(state, Path(directory) / "checkpoint.keras")
        runs = [run_job(threads, data, state) for _ in range(rounds)]
    return {name: np.array([run[name] for run in runs]) for name in runs[0]}


def job_rows(job: dict[str, np.ndarray]) -> list[Row]:
    goal = f"≤ {JOB_GOAL_SECONDS:g} s"
    detail = f"fresh `python -c`, wall time; CPU time {s(job['cpu'])}"
    total = Row("4", "fixed cost of one job, s", Figure.of(job["total"]), detail,
                JOB_GOAL_SECONDS, goal)  # fmt: skip
    stages = [
        Row(f"4.{i}", f"… {name}, s", Figure.of(job[name])) for i, name in enumerate(JOB_STAGES, 1)
    ]
    return [total, *stages]


# --- item 5: checkpoint chain vs training each budget from scratch -----------------
def chain_run(x, y, budgets: int, directory: Path) -> None:
    """The pipeline: job k restores checkpoint k-1, trains one epoch and saves checkpoint k."""
    previous = None
    for k in range(1, budgets + 1):
        masked = network()
        if previous is not None:
            masked.restore(previous)
        masked.train(x, y, epochs=1)
        previous = directory / f"chain{k}.npz"
        masked.save(previous, directory / f"chain{k}.keras")


def scratch_run(x, y, budgets: int, directory: Path) -> None:
    """The alternative: job k trains k epochs from initialisation and saves."""
    for k in range(1, budgets + 1):
        masked = network()
        masked.train(x, y, epochs=k)
        masked.save(directory / f"scratch{k}.npz", directory / f"scratch{k}.keras")


def chain_rows(x, y, budgets: int, rounds: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        # No warm-up: every round builds fresh networks, as fresh jobs do.
        times = side_by_side({"chain": lambda: chain_run(x, y, budgets, directory),
                              "scratch": lambda: scratch_run(x, y, budgets, directory)},
                             rounds, warmup=0)  # fmt: skip
    scratch_epochs = budgets * (budgets + 1) // 2
    chain, scratch = times["chain"], times["scratch"]
    measure = f"budgets 1..{budgets}: chain ÷ scratch, wall ({len(y)} ex.)"
    detail = f"{s(chain.wall)} vs {s(scratch.wall)}; epochs {budgets} vs {scratch_epochs}"
    goal = f"≈ {budgets}/{scratch_epochs} = {budgets / scratch_epochs:.3f}"
    return [ratio_row("5", measure, chain, scratch, detail, goal=goal)]


# --- item 6: what pruning pays at deployment ---------------------------------------
UNSTRUCTURED_SPARSITY = 0.9
LARGE_BATCH = 256
LITERT_TOLERANCE = 1e-5  # largest |LiteRT − Keras| of an output probability


def half_filters():
    """The masked network without half the filters of each conv (conv1 keeps 16 of 32,
    conv2 32 of 64), by filter granularity."""
    from fwprune.training import MaskedNetwork

    masked = MaskedNetwork(**TRAIN, seed=SEED, granularity="filter")
    kept = np.ones(masked.unit_count, bool)
    kept[16:32] = kept[64:96] = False
    masked.set_unit_mask(kept)
    return masked


def deployment_files(directory: Path) -> dict[str, Path]:
    """The exported `.keras` files: dense, 90 % of the weights pruned (unstructured, by
    magnitude), and half the filters of each conv removed."""
    networks = {"dense": network(), "sparse": network(UNSTRUCTURED_SPARSITY)}
    networks["filter"] = half_filters()
    for name, masked in networks.items():
        masked.save(directory / f"{name}.npz", directory / f"{name}.keras")
    return {name: directory / f"{name}.keras" for name in networks}


def deployment_rows(examples, sizes: Sizes) -> list[Row]:
    """Latency of the filter-pruned model ÷ dense at batch 1 and a large batch (as a timing
    job measures them), and gzip sizes; `examples` holds at least LARGE_BATCH images."""
    from fwprune.export import load_exported
    from fwprune.metrics import file_sizes
    from fwprune.timing import inference_latency_ratio

    with tempfile.TemporaryDirectory() as directory:
        files = deployment_files(Path(directory))
        gzip_bytes = {name: file_sizes(path)[1] for name, path in files.items()}
        models = {
            "pruned": load_exported(files["filter"]),
            "dense": load_exported(files["dense"]),
            "dense_copy": load_exported(files["dense"]),
        }
    rows = []
    for item, batch in (("6", 1), ("6a", LARGE_BATCH)):
        # As many examples per model as item 3 times at batch 1, in at least two rounds.
        repeats = max(sizes.inference_rounds // batch, 2)
        ratios = inference_latency_ratio(
            **models, examples=examples, batch_size=batch, repeats=repeats,
            warmup=sizes.inference_warmup,
        )  # fmt: skip
        figure = summary_figure(ratios, "inference_time_ratio", repeats)
        detail = (f"{ratios['pruned_latency_ms']:.3g} vs {ratios['dense_latency_ms']:.3g} ms per "
                  f"example; control {ratios['inference_time_control_ratio']:.3g}")  # fmt: skip
        limit, goal = (0.6, "≤ 0.6") if batch == 1 else (None, "–")
        rows.append(Row(item, f"half the filters of each conv ÷ dense, batch {batch}", figure,
                        detail, limit, goal))  # fmt: skip
    size = {name: Figure.of(np.array([gzip_bytes[name] / gzip_bytes["dense"]])) for name in files}
    dense_kb = f"dense {gzip_bytes['dense'] / 1000:.0f} kB"
    return rows + [
        Row("6b", "gzip bytes: 90 %-sparse unstructured ÷ dense", size["sparse"],
            f"{gzip_bytes['sparse'] / 1000:.0f} kB vs {dense_kb}", 0.3, "≤ 0.3"),
        Row("6c", "gzip bytes: half the filters ÷ dense", size["filter"],
            f"{gzip_bytes['filter'] / 1000:.0f} kB vs {dense_kb}"),
    ] + litert_rows(models, examples, sizes)  # fmt: skip


def litert_call(flatbuffer: bytes, examples: np.ndarray) -> Callable[[], np.ndarray]:
    """A fresh interpreter's batch-1 forward pass (`fwprune.litert.forward`, as a timing job
    runs it): the next example, `invoke()`, read."""
    from fwprune import litert

    threads = int(os.environ.get("OMP_NUM_THREADS", 1))  # `--threads`, set by `runtime`
    forward = litert.forward(flatbuffer, batch_size=1, threads=threads)
    rounds = itertools.count()

    def call() -> np.ndarray:
        k = next(rounds) % len(examples)
        return forward(examples[k : k + 1])

    return call


def checked(call: Callable[[], np.ndarray], model, examples, count: int = 16) -> Callable:
    """`call`, once its first `count` outputs equal `model`'s within LITERT_TOLERANCE."""
    keras = np.asarray(model(examples[:count], training=False))
    error = np.abs(np.concatenate([call() for _ in range(count)]) - keras)
    if error.max() > LITERT_TOLERANCE:
        raise RuntimeError(f"LiteRT output differs from Keras by {error.max():.3g}")
    return call


def litert_rows(models: dict, examples, sizes: Sizes) -> list[Row]:
    """Items 6d and 6e: item 6's Keras models as LiteRT flatbuffers, batch 1, interleaved."""
    from fwprune.export import litert_bytes

    flatbuffers = {name: litert_bytes(models[name]) for name in ("pruned", "dense")}
    flatbuffers["dense_copy"] = flatbuffers["dense"]  # in an interpreter of its own
    calls = {name: checked(litert_call(flatbuffers[name], examples), model, examples)
             for name, model in models.items()}  # fmt: skip
    times = interleaved_times(calls, sizes.inference_rounds, sizes.inference_warmup)
    ratios = ratio_summary("pruned", times["pruned"], times["dense"])
    ratios |= ratio_summary("dense_copy", times["dense_copy"], times["dense"])
    kb = {name: f"{len(flatbuffer) / 1000:.0f} kB" for name, flatbuffer in flatbuffers.items()}
    n = sizes.inference_rounds
    return [
        Row("6d", "LiteRT: half the filters ÷ dense, batch 1", summary_figure(ratios, "pruned", n),
            f"{ms(times['pruned'])} vs {ms(times['dense'])} per example; flatbuffers "
            f"{kb['pruned']} vs {kb['dense']}", 0.6, "≤ 0.6"),
        Row("6e", "… control: LiteRT dense copy ÷ dense", summary_figure(ratios, "dense_copy", n),
            f"{ms(times['dense_copy'])} per example"),
    ]  # fmt: skip


# --- the command -------------------------------------------------------------------
def benchmark(sizes: Sizes, data: Path, threads: int, investigate: bool) -> list[Row]:
    x, y = load_train(data, sizes.train)
    epoch = epochs(x, y, sizes.epoch_rounds, sizes.warmup, investigate)
    subsample = slice(0, sizes.subsample)
    gradient = mask_gradients(x[subsample], y[subsample], sizes.gradient_rounds, sizes.warmup)
    rows = epoch_rows(epoch, len(y)) + gradient_rows(gradient, epoch["masked"], sizes.subsample)
    rows += inference_rows(x[:100], sizes)
    rows += job_rows(job_fixed_cost(threads, data, sizes.job_rounds))
    rows += chain_rows(*load_train(data, sizes.chain_train), sizes.budgets, sizes.chain_rounds)
    rows += deployment_rows(x[:LARGE_BATCH], sizes)
    return rows


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
