"""Interleaved timing: the order of calls and which call each time belongs to.

Durations are never asserted: a fake clock stands in for the machine's.
"""

import itertools
from collections import Counter

import numpy as np
import pytest

from fwprune import timing


def recording_calls(names, order: list):
    """Callables that append their name to `order` when called."""
    return {name: (lambda name=name: order.append(name)) for name in names}


def test_two_contenders_alternate_which_goes_first():
    order = []
    timing.interleaved_times(recording_calls("ab", order), repeats=3, warmup=1)
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]


def test_three_contenders_take_every_order_in_turn():
    """Each first equally often, and each one right after each other one equally often."""
    order = []
    timing.interleaved_times(recording_calls("abc", order), repeats=6, warmup=0)
    rounds = [order[i : i + 3] for i in range(0, len(order), 3)]
    assert sorted(map(tuple, rounds)) == sorted(itertools.permutations("abc"))
    assert [r[0] for r in rounds].count("a") == [r[0] for r in rounds].count("c") == 2
    neighbours = Counter((r[i], r[i + 1]) for r in rounds for i in range(2))
    assert set(neighbours.values()) == {2} and len(neighbours) == 6


def test_each_time_is_credited_to_the_call_that_took_it(monkeypatch):
    clock = {"now": 0.0}
    monkeypatch.setattr(timing.time, "perf_counter", lambda: clock["now"])
    cost = {"slow": 3.0, "fast": 1.0}

    def advancing(name):
        return lambda: clock.__setitem__("now", clock["now"] + cost[name])

    times = timing.interleaved_times({n: advancing(n) for n in cost}, repeats=4, warmup=2)
    assert times["slow"].tolist() == [3.0] * 4
    assert times["fast"].tolist() == [1.0] * 4


def test_warm_up_rounds_are_not_timed():
    order = []
    times = timing.interleaved_times(recording_calls("ab", order), repeats=2, warmup=3)
    assert len(order) == 2 * (3 + 2)
    assert {name: len(seconds) for name, seconds in times.items()} == {"a": 2, "b": 2}


@pytest.mark.parametrize(("repeats", "warmup"), [(0, 1), (1, -1)])
def test_bad_counts_are_refused(repeats, warmup):
    with pytest.raises(ValueError, match="repeats"):
        timing.interleaved_times({"a": lambda: None}, repeats=repeats, warmup=warmup)


def test_ratio_summary_names_its_columns_after_the_ratio():
    summary = timing.ratio_summary("x_ratio", np.array([2.0, 4.0, 6.0]), np.array([2.0, 2.0, 2.0]))
    assert summary == {"x_ratio": 2.0, "x_ratio_q25": 1.5, "x_ratio_q75": 2.5}


def test_latency_ratio_calls_each_model_on_batches_of_its_size_and_names_columns_by_suffix():
    import tensorflow as tf

    batch_sizes = []  # the batch dimension each model's compiled call was traced with

    def model(x, training):
        batch_sizes.append(x.shape[0])
        return tf.reduce_sum(x, axis=1)

    measured = timing.inference_latency_ratio(
        model, model, model, np.zeros((10, 3), np.float32), 5, repeats=3, warmup=1, suffix="_b5"
    )
    assert set(batch_sizes) == {5}
    ratios = ("inference_time_ratio_b5", "inference_time_control_ratio_b5")
    assert set(measured) == {
        *(f"{ratio}{quartile}" for ratio in ratios for quartile in ("", "_q25", "_q75")),
        *(f"{model}_b5_latency_ms" for model in ("pruned", "dense", "dense_copy")),
    }


def test_rounds_needed_puts_the_median_within_the_half_width_95_times_in_100():
    """Simulated per-round ratios: medians of the rounds asked for land within ±0.02 of the
    true ratio in 95 % of runs (a wrong spread or variance factor moves it off 0.93-0.97)."""
    rng = np.random.default_rng(0)
    sample = rng.normal(1.0, 0.05, 100_000)
    q25, q75 = np.percentile(sample, [25, 75])
    rounds = int(timing.rounds_needed(q25, q75, half_width=0.02))
    assert 35 <= rounds <= 40  # (1.96 × 1.2533 × 0.05 / 0.02)² = 37.7
    medians = np.median(rng.normal(1.0, 0.05, (4000, rounds)), axis=1)
    assert 0.93 <= np.mean(np.abs(medians - 1.0) <= 0.02) <= 0.97
    error = timing.median_standard_error(q25, q75, rounds)
    assert np.std(medians) == pytest.approx(float(error), rel=0.06)
