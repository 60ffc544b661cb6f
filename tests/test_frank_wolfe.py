import itertools

import numpy as np
import pytest

from fwprune import frank_wolfe as fw
from fwprune.masks import keep_count
from fwprune.schedules import keep_schedule, polynomial_decay, retraining_epochs


def brute_force_lmo_value(gradient, k):
    """min <g, v> over every 0/1 vector with at most k ones."""
    vertices = (v for v in itertools.product((0, 1), repeat=gradient.size) if sum(v) <= k)
    return min(float(np.dot(gradient, v)) for v in vertices)


@pytest.mark.parametrize("seed", range(30))
def test_lmo_is_optimal_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 9))
    k = int(rng.integers(0, n + 1))
    gradient = rng.normal(size=n)
    vertex = fw.lmo(gradient, rng.normal(size=n), k)
    assert set(np.unique(vertex)) <= {0.0, 1.0}
    assert vertex.sum() <= k
    assert np.dot(gradient, vertex) == pytest.approx(brute_force_lmo_value(gradient, k))


def test_lmo_selects_only_negative_entries():
    gradient = np.array([-3.0, 1.0, -1.0, 2.0])
    np.testing.assert_array_equal(fw.lmo(gradient, np.ones(4), 3), [1, 0, 1, 0])


def test_fw_step_stays_in_the_feasible_set():
    rng = np.random.default_rng(0)
    n, k = 50, 20
    relaxed = fw.lmo(rng.normal(size=n), np.ones(n), k)
    for i in range(1, 30):
        vertex = fw.lmo(rng.normal(size=n), np.ones(n), k)
        relaxed = fw.fw_step(relaxed, vertex, fw.step_size(i, "harmonic", 0.0))
        assert relaxed.min() >= 0 and relaxed.max() <= 1 and relaxed.sum() <= k + 1e-9


def test_step_sizes():
    assert [fw.step_size(i, "harmonic", 0.0) for i in (1, 2, 3)] == [2 / 3, 2 / 4, 2 / 5]
    assert fw.step_size(7, "constant", 0.25) == 0.25
    with pytest.raises(ValueError):
        fw.step_size(0, "harmonic", 0.0)
    with pytest.raises(ValueError, match="unknown"):
        fw.step_size(1, "armijo", 0.0)


def test_momentum_is_an_exponential_moving_average():
    buffer = np.zeros(3)
    for gradient in (np.ones(3), 2 * np.ones(3)):
        buffer = fw.momentum_update(buffer, gradient, 0.9)
    np.testing.assert_allclose(buffer, 0.9 * 0.1 * 1 + 0.1 * 2)


@pytest.mark.parametrize("n, events", [(4, (2, 4)), (5, (3, 5)), (1, (1,)), (2, (1, 2))])
def test_fw_prunes_at_half_and_last_iteration(n, events):
    assert fw.pruning_iterations(n) == events


@pytest.mark.parametrize(
    "s_init, s_final, iterations", [(0.3, 0.6, 4), (0.1, 0.9, 7), (0.5, 0.5, 3)]
)
def test_fw_momentum_schedule_is_linear_and_ends_at_final(s_init, s_final, iterations):
    schedule = polynomial_decay(s_init, s_final, iterations, power=1)
    expected = s_init + np.arange(1, iterations + 1) * (s_final - s_init) / iterations
    np.testing.assert_allclose(schedule, expected)
    assert schedule[-1] == s_final
    keeps = keep_schedule(34720, s_init, s_final, iterations, power=1)
    assert keeps[-1] == keep_count(34720, s_final)


@pytest.mark.parametrize(
    "params, epochs",
    [
        ({"dense_epochs": 0, "finetune_epochs": 1}, 1),
        ({"dense_epochs": 0, "iterations": 4, "retrain_epochs": 1, "finetune_epochs": 0}, 4),
        ({"dense_epochs": 0, "iterations": 3, "retrain_epochs": 2, "finetune_epochs": 1}, 7),
        ({"dense_epochs": 2, "iterations": 3, "retrain_epochs": 2, "finetune_epochs": 1}, 9),
    ],
)
def test_retraining_epochs(params, epochs):
    assert retraining_epochs(params) == epochs
