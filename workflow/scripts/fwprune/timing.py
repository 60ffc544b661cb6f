"""Side-by-side timing: callables measured in turn, in rounds, after a warm-up.

Interleaving exposes every contender to the same machine state (frequency, caches, other
load), so ratios of paired rounds are far steadier than ratios of separate runs. The rounds
cycle through every order of the contenders (A B, B A for two; A B C, A C B, B A C, …
for three), so that no contender is always first, and none always runs right after the
same other one. A plain rotation (A B C, B C A, C A B) does the first but not the second:
in a real run it kept each model behind the same neighbour, and the dense model's copy
came out 2.3 % faster than the dense model itself at every budget.
"""

import itertools
import time
from collections.abc import Callable

import numpy as np


def round_order(names: list[str], round_number: int) -> list[str]:
    """The order of round `round_number` (counted from 0, warm-up included): the orders of
    `names` in turn, so over len(names)! rounds each name is first equally often and each
    ordered pair of names is adjacent equally often."""
    orders = list(itertools.permutations(names))
    return list(orders[round_number % len(orders)])


def interleaved_times(
    calls: dict[str, Callable[[], object]], repeats: int, warmup: int
) -> dict[str, np.ndarray]:
    """Seconds taken by each call in each of `repeats` rounds, after `warmup` rounds."""
    if repeats < 1 or warmup < 0:
        raise ValueError(f"need repeats >= 1 and warmup >= 0, got {repeats} and {warmup}")
    times = {name: np.empty(repeats) for name in calls}
    for round_number in range(warmup + repeats):
        for name in round_order(list(calls), round_number):
            start = time.perf_counter()
            calls[name]()
            elapsed = time.perf_counter() - start
            if round_number >= warmup:
                times[name][round_number - warmup] = elapsed
    return times


def ratio_summary(column: str, numerator: np.ndarray, denominator: np.ndarray) -> dict:
    """Median and interquartile range of the per-round ratios numerator / denominator, as
    the columns `column`, `column`_q25 and `column`_q75."""
    ratios = np.asarray(numerator) / np.asarray(denominator)
    q25, median, q75 = np.percentile(ratios, [25, 50, 75])
    return {column: float(median), f"{column}_q25": float(q25), f"{column}_q75": float(q75)}


def median_standard_error(q25, q75, rounds: int) -> np.ndarray:
    """Standard error of the median of `rounds` per-round ratios, from their quartiles.

    For rounds drawn independently from a distribution near normal, the spread is
    (q75 - q25) / 1.349 and the median's sampling variance π/2 × spread² / rounds. It gauges
    sampling error only: a systematic difference between two runs of the same model (a
    control away from 1.0 by many standard errors) does not shrink with more rounds.
    """
    spread = (np.asarray(q75, dtype=float) - np.asarray(q25, dtype=float)) / 1.349
    return np.sqrt(np.pi / 2) * spread / np.sqrt(rounds)


def rounds_needed(q25, q75, half_width: float, z: float = 1.96) -> np.ndarray:
    """Rounds after which the median ratio lies within ±`half_width` of its limit with the
    confidence of `z` (1.96: 95 %), by sampling error alone (`median_standard_error`)."""
    return np.ceil((z * median_standard_error(q25, q75, 1) / half_width) ** 2).astype(int)


def keras_forward(model, batch_size: int) -> Callable[[np.ndarray], np.ndarray]:
    """A Keras model's compiled forward pass (inference mode), returning numpy."""
    import tensorflow as tf

    compiled = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    return lambda batch: compiled(batch).numpy()


def inference_latency_ratio(
    pruned,
    dense,
    dense_copy,
    examples: np.ndarray,
    batch_size: int,
    repeats: int,
    warmup: int,
    suffix: str = "",
    forward: Callable = keras_forward,
) -> dict:
    """Per-example latency of `pruned` over `dense`, measured interleaved, and the same
    ratio for `dense_copy`, a second copy of `dense` loaded separately.

    The copy does exactly the dense model's work, so its ratio is the noise floor: how far
    from 1.0 a model as fast as the dense one lands in this measurement. `forward(model,
    batch_size)` makes each model's call on a batch: by default a Keras model's compiled
    call; `fwprune.litert.forward` runs a LiteRT twin (the models are then their paths).
    All three run on the same batches; each round times one batch each.
    `suffix` names the columns of a second measurement at another batch size
    (`inference_time_ratio{suffix}`, `pruned{suffix}_latency_ms`, ...).
    """
    batches = [
        examples[i : i + batch_size] for i in range(0, len(examples) - batch_size + 1, batch_size)
    ]
    if not batches:
        raise ValueError(f"need at least {batch_size} examples to time, got {len(examples)}")

    def runner(model):
        run = forward(model, batch_size)
        state = {"round": 0}

        def call():
            batch = batches[state["round"] % len(batches)]
            state["round"] += 1
            return run(batch)

        return call

    models = {"pruned": pruned, "dense": dense, "dense_copy": dense_copy}
    times = interleaved_times({name: runner(m) for name, m in models.items()}, repeats, warmup)
    latencies = {
        f"{name}{suffix}_latency_ms": float(np.median(seconds) * 1000 / batch_size)
        for name, seconds in times.items()
    }
    return (
        ratio_summary(f"inference_time_ratio{suffix}", times["pruned"], times["dense"])
        | ratio_summary(
            f"inference_time_control_ratio{suffix}", times["dense_copy"], times["dense"]
        )
        | latencies
    )
