"""The cost ratio of a finished run: all the CPU it took ÷ the training it did.

    /usr/bin/time -v -o time.txt snakemake --cores 8          # the run, in a fresh directory
    PYTHONPATH=workflow/scripts python -m benchmarks.cost . --time-log time.txt

Prints (jobs' CPU + Snakemake's own CPU) ÷ (epochs trained × one plain `model.fit` epoch's
CPU), issue 10's goal being ≤ 1.15, and where the rest goes, by rule. The parts:

- the jobs: one per `*.benchmark.tsv` under RUN/results and RUN/data (the sweeps',
  results/NAME/ for each sweep NAME, only with --with-sweep);
- jobs' CPU: each job's own, exact, from its work record, [STEM.]RULE.work.json beside its
  benchmark file (`fwprune.runtime.write_work`: the job's process and its children, user +
  system, at its exit). Records written before they held it (docs/runs/cost-grid and
  scheduler-smoke) give none: such a job's CPU is its benchmark's sampled `cpu_time`;
- Snakemake's own CPU: `--snakemake-cpu S`, or what is left of `--total-cpu S` or of
  `/usr/bin/time -v`'s user + system time (`--time-log`, the whole process tree) once the
  jobs' CPU is taken out; for sampled jobs that includes the CPU they spent after their
  benchmark's last sample (Snakemake samples every 30 s after a job's first 15 s, and not
  at its end), estimated and named apart;
- epochs trained: the training jobs' work records (epochs and examples);
- one plain `fit` epoch: measured here, `benchmarks.bench`'s plain model (SGD, batch 128) on
  as many MNIST examples as the run's epochs had (their work records), one thread, the
  median CPU of --rounds epochs after one warm-up epoch;
- fixed cost of a job: `benchmarks.bench`'s fresh-interpreter job (import TensorFlow, load
  data, restore a model), median CPU of --job-rounds processes; the table multiplies it by
  each rule's job count (0 rounds: not measured).
"""

import argparse
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks import bench
from fwprune import runtime
from fwprune.paths import BENCHMARK_SUFFIX as SUFFIX
from fwprune.paths import rule_of

WORK_SUFFIX = ".work.json"
# The default run's files are under results/seedN/ and results/figures/ (and results/ and
# data/ themselves); a sweep's under results/NAME/ (workflow/rules/sweep.smk).
MAIN_RUN_FOLDER = re.compile(r"seed\d+|figures")
GOAL = 1.15


# Snakemake's benchmark (snakemake/benchmark.py, 9.x) samples a job's process tree every
# 0.5 s for its first 15 s, then every 30 s, and takes no sample when the job ends: the CPU
# a job spends after its last sample is missing from its cpu_time.
DENSE_SAMPLING_SECONDS, SAMPLE_INTERVAL_SECONDS = 15.0, 30.0


@dataclass(frozen=True)
class Job:
    rule: str
    cpu: float  # seconds: its work record's, or else the benchmark's sampled cpu_time
    epochs: int  # training epochs its work record gives (0 for a job that trains none)
    examples: int  # examples those epochs passed over
    seconds: float = 0.0  # wall time, the benchmark's s
    exact: bool = False  # whether `cpu` is the job's own record, not the benchmark's

    @property
    def unsampled_cpu(self) -> float:
        """For a sampled job, an estimate of the CPU after the benchmark's last sample: the
        time after it at the job's mean rate up to it. Snakemake counts it as its own (the
        total minus the jobs'), though the job spent it."""
        if self.exact or self.seconds <= DENSE_SAMPLING_SECONDS:
            return 0.0
        intervals = (self.seconds - DENSE_SAMPLING_SECONDS) // SAMPLE_INTERVAL_SECONDS
        last_sample = DENSE_SAMPLING_SECONDS + intervals * SAMPLE_INTERVAL_SECONDS
        return (self.seconds - last_sample) * self.cpu / last_sample


def in_sweep(benchmark: Path, run: Path) -> bool:
    """Whether a benchmark file is a sweep's: under results/NAME/ for a sweep NAME."""
    parts = benchmark.relative_to(run).parts
    return parts[0] == "results" and len(parts) > 2 and not MAIN_RUN_FOLDER.fullmatch(parts[1])


def work_of(benchmark: Path) -> dict:
    """The work record beside a benchmark file; a job without one (written before every
    job had one) trained nothing."""
    record = benchmark.with_name(benchmark.name.removesuffix(SUFFIX) + WORK_SUFFIX)
    return json.loads(record.read_text()) if record.exists() else {"epochs": 0, "examples": 0}


def job_records(run: Path, with_sweep: bool = False) -> list[Job]:
    """Every job of the run: its rule, CPU and the training it records."""
    jobs = []
    for benchmark in sorted(
        f for top in ("results", "data") for f in (run / top).rglob(f"*{SUFFIX}")
    ):
        if in_sweep(benchmark, run) and not with_sweep:
            continue
        lines = benchmark.read_text().splitlines()
        header, values = lines[0].split("\t"), lines[-1].split("\t")
        sampled, seconds = (float(values[header.index(key)]) for key in ("cpu_time", "s"))
        work = work_of(benchmark)
        cpu = work.get("cpu_seconds", sampled)
        jobs.append(Job(rule_of(benchmark), cpu, work["epochs"], work["examples"], seconds,
                        exact="cpu_seconds" in work))  # fmt: skip
    return jobs


def examples_per_epoch(jobs: list[Job]) -> int | None:
    """Training examples per epoch of the run's jobs (None if none trained); every epoch of
    a run passes over the same training set, so a mixture means a mixed-up run folder."""
    sizes = {job.examples // job.epochs for job in jobs if job.epochs}
    if len(sizes) > 1:
        raise ValueError(f"the jobs' epochs passed over different numbers of examples: {sizes}")
    return sizes.pop() if sizes else None


def time_log_cpu(text: str) -> float:
    """User + system seconds from `/usr/bin/time -v` output."""
    fields = dict(re.findall(r"^\s*(User|System) time \(seconds\): ([\d.]+)", text, re.M))
    if set(fields) != {"User", "System"}:
        raise ValueError("no 'User time (seconds)' and 'System time (seconds)' lines")
    return float(fields["User"]) + float(fields["System"])


@dataclass(frozen=True)
class Cost:
    jobs: list[Job]
    snakemake_cpu: float  # seconds, Snakemake's own process
    plain_epoch_cpu: float  # seconds, one plain `fit` epoch
    job_fixed_cpu: float | None = None  # seconds, one fresh job's fixed cost

    @property
    def jobs_cpu(self) -> float:
        return sum(job.cpu for job in self.jobs)

    @property
    def unsampled_cpu(self) -> float:
        return sum(job.unsampled_cpu for job in self.jobs)

    @property
    def epochs(self) -> int:
        return sum(job.epochs for job in self.jobs)

    @property
    def training_cpu(self) -> float:
        """The inherent work: every epoch trained, at a plain `fit` epoch's CPU."""
        return self.epochs * self.plain_epoch_cpu

    @property
    def ratio(self) -> float:
        return (self.jobs_cpu + self.snakemake_cpu) / self.training_cpu

    def by_rule(self) -> list[dict]:
        """Per rule: jobs, CPU, epochs, their training at plain-fit cost and the rest."""
        rows = []
        for rule in sorted({job.rule for job in self.jobs}):
            jobs = [job for job in self.jobs if job.rule == rule]
            cpu, epochs = sum(job.cpu for job in jobs), sum(job.epochs for job in jobs)
            training = epochs * self.plain_epoch_cpu
            fixed = None if self.job_fixed_cpu is None else self.job_fixed_cpu * len(jobs)
            rows.append(dict(rule=rule, jobs=len(jobs), cpu=cpu, epochs=epochs,
                             training=training, rest=cpu - training, fixed=fixed))  # fmt: skip
        return sorted(rows, key=lambda row: -row["cpu"])


def snakemake_own_cpu(jobs_cpu: float, own=None, total=None, time_log=None) -> float:
    """Snakemake's own CPU, given directly, or as the total minus the jobs' CPU."""
    if own is not None:
        return own
    if time_log is not None:
        total = time_log_cpu(Path(time_log).read_text())
    if total is None:
        raise ValueError("give --snakemake-cpu, --total-cpu or --time-log")
    return total - jobs_cpu


def report(cost: Cost) -> str:
    fixed_header = "fixed cost × jobs (s)"
    header = ("rule", "jobs", "CPU (s)", "share", "epochs", "training at plain fit (s)",
              "rest (s)", "rest per job (s)", fixed_header)  # fmt: skip
    total = cost.jobs_cpu + cost.snakemake_cpu
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]

    def line(rule, jobs, cpu, epochs, training, rest, fixed):
        per_job = f"{rest / jobs:.2f}" if jobs and not rule.startswith("**") else "–"
        fixed = "–" if fixed is None else f"{fixed:.0f}"
        lines.append(f"| {rule} | {jobs} | {cpu:.0f} | {cpu / total:.1%} | {epochs} "
                     f"| {training:.0f} | {rest:.0f} | {per_job} | {fixed} |")  # fmt: skip

    for row in cost.by_rule():
        line(**row)
    line("Snakemake (own)", 0, cost.snakemake_cpu, 0, 0.0, cost.snakemake_cpu, None)
    fixed_all = None if cost.job_fixed_cpu is None else cost.job_fixed_cpu * len(cost.jobs)
    line("**all**", len(cost.jobs), total, cost.epochs, cost.training_cpu,
         total - cost.training_cpu, fixed_all)  # fmt: skip
    met = "met" if cost.ratio <= GOAL else "not met"
    summary = (
        f"(jobs' CPU {cost.jobs_cpu:.0f} s + Snakemake's own {cost.snakemake_cpu:.0f} s) ÷ "
        f"({cost.epochs} epochs × {cost.plain_epoch_cpu:.2f} s per plain fit epoch = "
        f"{cost.training_cpu:.0f} s) = **{cost.ratio:.3f}** (goal ≤ {GOAL}: {met})"
    )
    return summary + "\n\n" + snakemake_note(cost) + "\n\n" + "\n".join(lines)


def snakemake_note(cost: Cost) -> str:
    """What "Snakemake's own" holds: Snakemake's processes, and, for jobs that recorded no
    CPU of their own, their CPU after their benchmark's last sample (estimated)."""
    processes = cost.snakemake_cpu - cost.unsampled_cpu
    per_job = f"{processes:.0f} s ({processes / len(cost.jobs):.2f} s per job)"
    sampled = sum(not job.exact for job in cost.jobs)
    if not sampled:
        return (
            f"Every job's CPU is its own work record (its process and children, at its exit): "
            f"Snakemake's own, {per_job}, is Snakemake's processes, with each job's shell and "
            f"the end of its exit after the record."
        )
    note = (
        f"Of Snakemake's own, about {cost.unsampled_cpu:.0f} s is the jobs' CPU after their "
        f"benchmark's last sample (an estimate, `Job.unsampled_cpu`), the other "
        f"{per_job} Snakemake's processes."
    )
    if sampled < len(cost.jobs):
        note = (
            f"{sampled} of the {len(cost.jobs)} jobs recorded no CPU of their own (older "
            f"records): their CPU is their benchmark's samples. " + note
        )
    return note


def plain_epoch_cpu(data: Path, examples: int | None, rounds: int) -> np.ndarray:
    """CPU seconds of plain `fit` epochs on `examples` examples, after a warm-up epoch."""
    x, y = bench.load_train(data, examples)
    epoch = bench.plain_epoch(bench.plain_model(), x, y)
    return bench.side_by_side({"plain": epoch}, rounds, warmup=1)["plain"].cpu


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cost",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run", type=Path, help="the finished run's directory")
    own = parser.add_mutually_exclusive_group(required=True)
    own.add_argument("--snakemake-cpu", type=float, help="Snakemake's own CPU seconds")
    own.add_argument("--total-cpu", type=float, help="CPU seconds of Snakemake and its jobs")
    own.add_argument("--time-log", type=Path, help="`/usr/bin/time -v` output of the run")
    parser.add_argument("--plain-epoch-cpu", type=float, help="skip measuring: use this")
    parser.add_argument("--rounds", type=int, default=3, help="plain fit epochs measured")
    parser.add_argument("--job-rounds", type=int, default=3, help="fresh jobs measured")
    parser.add_argument("--data", type=Path, help="MNIST npz (default RUN/data/mnist.npz)")
    parser.add_argument("--with-sweep", action="store_true", help="count the sweeps too")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    run = arguments.run.resolve()
    jobs = job_records(run, arguments.with_sweep)
    if not jobs:
        raise SystemExit(f"no *{SUFFIX} files under {run}/results or {run}/data")
    jobs_cpu = sum(job.cpu for job in jobs)
    own = snakemake_own_cpu(
        jobs_cpu, arguments.snakemake_cpu, arguments.total_cpu, arguments.time_log
    )
    data = (arguments.data or run / "data" / "mnist.npz").resolve()
    examples = examples_per_epoch(jobs)
    runtime.configure(1, bench.SEED)
    logging.getLogger("fwprune").setLevel(logging.WARNING)
    measured = None
    if arguments.plain_epoch_cpu is None:
        measured = plain_epoch_cpu(data, examples, arguments.rounds)
    epoch = arguments.plain_epoch_cpu or float(np.median(measured))
    fixed = None
    if arguments.job_rounds:
        fixed = float(np.median(bench.job_fixed_cost(1, data, arguments.job_rounds)["cpu"]))
    print(f"run {run}: {len(jobs)} jobs; epochs of {examples or 'all'} examples")
    if measured is not None:
        print(f"plain fit epoch, 1 thread, CPU s per round: {np.round(measured, 2).tolist()}")
    if fixed is not None:
        print(f"fixed cost of a fresh job (median of {arguments.job_rounds}): {fixed:.2f} s CPU")
    print()
    print(report(Cost(jobs, own, epoch, fixed)))


if __name__ == "__main__":
    main()
