"""Side-by-side timing: callables measured in turn (A B A B …) after a warm-up.

Interleaving exposes every contender to the same machine state (frequency, caches, other
load), so ratios of paired rounds are far steadier than ratios of separate runs.
"""

import time
from collections.abc import Callable

import numpy as np


def interleaved_times(
    calls: dict[str, Callable[[], object]], repeats: int, warmup: int
) -> dict[str, np.ndarray]:
    """Seconds taken by each call in each of `repeats` rounds, after `warmup` rounds."""
    if repeats < 1 or warmup < 0:
        raise ValueError(f"need repeats >= 1 and warmup >= 0, got {repeats} and {warmup}")
    times = {name: np.empty(repeats) for name in calls}
    for round_index in range(-warmup, repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            elapsed = time.perf_counter() - start
            if round_index >= 0:
                times[name][round_index] = elapsed
    return times


def ratio_summary(numerator: np.ndarray, denominator: np.ndarray) -> dict[str, float]:
    """Median and interquartile range of the per-round ratios numerator / denominator."""
    ratios = np.asarray(numerator) / np.asarray(denominator)
    q25, median, q75 = np.percentile(ratios, [25, 50, 75])
    return {"ratio": float(median), "ratio_q25": float(q25), "ratio_q75": float(q75)}


def inference_latency_ratio(
    pruned, dense, examples: np.ndarray, batch_size: int, repeats: int, warmup: int
) -> dict:
    """Per-example latency of `pruned` over `dense` (two Keras models), measured interleaved.

    Both run through the same compiled call on the same batches; each round times one batch.
    """
    import tensorflow as tf

    batches = [
        examples[i : i + batch_size] for i in range(0, len(examples) - batch_size + 1, batch_size)
    ]
    if not batches:
        raise ValueError(f"need at least {batch_size} examples to time, got {len(examples)}")

    def runner(model):
        forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        state = {"round": 0}

        def call():
            batch = batches[state["round"] % len(batches)]
            state["round"] += 1
            return forward(batch).numpy()

        return call

    times = interleaved_times({"pruned": runner(pruned), "dense": runner(dense)}, repeats, warmup)
    summary = ratio_summary(times["pruned"], times["dense"])
    return {
        "inference_time_ratio": summary["ratio"],
        "inference_time_ratio_q25": summary["ratio_q25"],
        "inference_time_ratio_q75": summary["ratio_q75"],
        "pruned_latency_ms": float(np.median(times["pruned"]) * 1000 / batch_size),
        "dense_latency_ms": float(np.median(times["dense"]) * 1000 / batch_size),
    }
