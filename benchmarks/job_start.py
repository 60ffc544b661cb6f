"""Fixed cost of an evaluation and a timing job, through Keras (before LiteRT) and through
the LiteRT twins (now), side by side: fresh processes, interleaved in rounds that take
every order of the contenders in turn (`fwprune.timing.interleaved_times`).

    PYTHONPATH=workflow/scripts python -m benchmarks.job_start [--rounds N]

Each contender is a fresh `python -c` doing what the job does before its work: set up the
process (`fwprune.runtime`), import what it uses, load its models (two for an evaluation:
the model and the budget's checkpoint; three for a timing job: pruned, dense, dense copy)
and run each once on one example. Prints, per contender, the median wall time and CPU time
(the process and its threads) and the ratio LiteRT ÷ Keras of each job.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import fwprune
from fwprune.timing import interleaved_times

LIBRARY_PATH = Path(fwprune.__file__).resolve().parents[1]

KERAS = """
import sys, numpy as np
from fwprune import runtime
runtime.configure(1, 0)
from fwprune.export import load_exported
from fwprune.timing import keras_forward
x = np.zeros((1, 28, 28, 1), np.float32)
for path in sys.argv[1:]:
    keras_forward(load_exported(path), 1)(x)
"""

LITERT = """
import sys, numpy as np
from fwprune import litert, runtime
runtime.start(1)
x = np.zeros((1, 28, 28, 1), np.float32)
for path in sys.argv[1:]:
    litert.forward(path, 1, threads=1)(x)
"""


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def job(code: str, paths: list[Path], cpu: list[float]):
    environment = os.environ | {"PYTHONPATH": str(LIBRARY_PATH)}

    def call() -> None:
        start = children_cpu_seconds()
        subprocess.run([sys.executable, "-c", code, *map(str, paths)], env=environment,
                       check=True, capture_output=True)  # fmt: skip
        cpu.append(children_cpu_seconds() - start)

    return call


def measure(rounds: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each contender over `rounds` rounds."""
    from fwprune.runtime import configure
    from fwprune.training import MaskedNetwork

    configure(1, 0)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        files = [directory / f"model{i}" for i in range(2)]
        for stem in files:
            MaskedNetwork(0.01, 0.0, 128, seed=0).save(
                *(stem.with_suffix(s) for s in (".npz", ".keras", ".tflite", ".sparse.tflite"))
            )
        models = {
            "evaluate": [files[0], files[1]],
            "time_inference": [files[0], files[1], files[1]],
        }
        cpu = {}
        calls = {}
        for job_name, stems in models.items():
            for runtime_name, code, suffix in (("keras", KERAS, ".keras"),
                                               ("litert", LITERT, ".tflite")):  # fmt: skip
                name = f"{job_name} ({runtime_name})"
                cpu[name] = []
                calls[name] = job(code, [s.with_suffix(suffix) for s in stems], cpu[name])
        wall = interleaved_times(calls, rounds, warmup=1)
    return {name: (float(np.median(wall[name])), float(np.median(cpu[name][1:]))) for name in calls}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.job_start",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=24, help="timed rounds (24: each order once)")
    arguments = parser.parse_args(argv)
    figures = measure(arguments.rounds)
    print(f"rounds={arguments.rounds}, load average {os.getloadavg()[0]:.2f}\n")
    print("| job start-up | wall, s | CPU, s |\n|---|---|---|")
    for name, (wall, cpu) in figures.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    for job_name in ("evaluate", "time_inference"):
        (kw, kc), (lw, lc) = figures[f"{job_name} (keras)"], figures[f"{job_name} (litert)"]
        print(f"\n{job_name}: LiteRT ÷ Keras, wall {lw / kw:.3f}, CPU {lc / kc:.3f}", end="")
    print()


if __name__ == "__main__":
    main()
