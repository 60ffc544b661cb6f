"""Gradual magnitude pruning: the polynomial schedule, and `gmp` on the real model."""

import numpy as np
import pytest

from conftest import fresh_network
from fwprune.masks import keep_count, magnitude_mask
from fwprune.methods import PRUNERS
from fwprune.methods.gmp import surviving_magnitude_mask
from fwprune.model import flatten_kernels
from fwprune.schedules import keep_schedule, polynomial_decay
from fwprune.training import MaskedNetwork

GMP = dict(sparsity_init=0.0, sparsity_final=0.6, iterations=4, power=3)
GMP |= dict(retrain_epochs=1, finetune_epochs=0)


# --- the schedule (pure numpy) ------------------------------------------------------
SCHEDULES = [
    (0.0, 0.6, 4, 3),
    (0.0, 0.7, 1, 3),
    (0.1, 0.9, 7, 3),
    (0.3, 0.6, 10, 2),
    (0.0, 0.55, 3, 1),
    (0.2, 0.2, 5, 3),
    (0.0, 1.0, 100, 0.5),
]


@pytest.mark.parametrize(("s_init", "s_final", "steps", "power"), SCHEDULES)
def test_schedule_ends_at_s_final_exactly_and_never_falls(s_init, s_final, steps, power):
    schedule = polynomial_decay(s_init, s_final, steps, power)
    assert schedule.shape == (steps,)
    assert schedule[-1] == s_final
    assert np.all(np.diff(schedule) >= 0)
    assert np.all((s_init <= schedule) & (schedule <= s_final))


def test_schedule_is_the_hand_computed_cubic():
    # s_t = 0.8 (1 - (1 - t/4)^3): 0.8 * 37/64, 0.8 * 7/8, 0.8 * 63/64, 0.8.
    np.testing.assert_allclose(polynomial_decay(0.0, 0.8, 4, 3), [0.4625, 0.7, 0.7875, 0.8])
    # From s_init = 0.2: 0.5 + (0.2 - 0.5)(1 - t/2)^3 = 0.4625, 0.5.
    np.testing.assert_allclose(polynomial_decay(0.2, 0.5, 2, 3), [0.4625, 0.5])


def test_cubic_prunes_fast_early_unlike_the_linear_schedule():
    cubic, linear = polynomial_decay(0.0, 0.6, 4, 3), polynomial_decay(0.0, 0.6, 4, power=1)
    assert np.all(cubic[:-1] > linear[:-1])
    np.testing.assert_allclose(linear, [0.15, 0.3, 0.45, 0.6])


def tfmot_polynomial_decay(step, initial, final, begin_step, end_step, power, frequency):
    """tfmot.sparsity.keras.PolynomialDecay.__call__ (pruning_schedule.py), transcribed."""
    p = np.minimum(1.0, np.maximum(0.0, (step - begin_step) / (end_step - begin_step)))
    sparsity = (initial - final) * (1 - p) ** power + final
    should_prune = (begin_step <= step <= end_step) and (step - begin_step) % frequency == 0
    return should_prune, sparsity


@pytest.mark.parametrize(("s_init", "s_final", "steps", "power"), SCHEDULES)
@pytest.mark.parametrize(("begin_step", "frequency"), [(0, 1), (2000, 469), (37, 5)])
def test_schedule_equals_tfmot_at_the_corresponding_steps(
    s_init, s_final, steps, power, begin_step, frequency
):
    """Our step t is tfmot's step begin_step + t * frequency, end_step = begin + n * freq."""
    end_step = begin_step + steps * frequency
    ours = polynomial_decay(s_init, s_final, steps, power)
    for t in range(1, steps + 1):
        prune, theirs = tfmot_polynomial_decay(
            begin_step + t * frequency, s_init, s_final, begin_step, end_step, power, frequency
        )
        assert prune
        assert ours[t - 1] == pytest.approx(theirs, abs=1e-12)
    # tfmot's only other pruning event, at begin_step itself, is at s_init: the one we skip.
    prune, theirs = tfmot_polynomial_decay(
        begin_step, s_init, s_final, begin_step, end_step, power, frequency
    )
    assert prune and theirs == pytest.approx(s_init)
    between = [
        tfmot_polynomial_decay(step, s_init, s_final, begin_step, end_step, power, frequency)[0]
        for step in range(begin_step - 1, end_step + 2)
        if (step - begin_step) % frequency
    ]
    assert not any(between)


def test_keep_schedule_counts_down_to_the_exact_final_count():
    n = 34_720
    keeps = keep_schedule(n, 0.0, 0.6, 4, 3)
    assert keeps == [keep_count(n, s) for s in polynomial_decay(0.0, 0.6, 4, 3)]
    assert keeps[-1] == keep_count(n, 0.6)
    assert all(a >= b for a, b in zip(keeps, keeps[1:], strict=False))


@pytest.mark.parametrize(
    "kwargs",
    [dict(steps=0), dict(power=0), dict(power=-1), dict(s_init=-0.1), dict(s_final=1.5)],
)
def test_schedule_rejects_bad_arguments(kwargs):
    arguments = dict(s_init=0.0, s_final=0.6, steps=4, power=3) | kwargs
    with pytest.raises(ValueError):
        polynomial_decay(**arguments)


# --- the mask of one step ----------------------------------------------------------
def test_surviving_mask_never_revives_even_a_larger_latent_weight():
    # Index 0 was pruned with a large latent value: plain magnitude would take it back.
    weights = np.array([9.0, 0.5, -3.0, 1.0, 2.0, -0.1])
    kept = np.array([False, True, True, True, True, True])
    assert magnitude_mask(weights, 0.5)[0]
    mask = surviving_magnitude_mask(weights, kept, 3)
    np.testing.assert_array_equal(mask, [False, False, True, True, True, False])


def test_surviving_mask_breaks_ties_by_flat_index():
    weights = np.array([1.0, -1.0, 1.0, 1.0, 5.0])
    kept = np.array([True, True, False, True, True])
    np.testing.assert_array_equal(
        surviving_magnitude_mask(weights, kept, 3), [True, True, False, False, True]
    )


def test_surviving_mask_refuses_to_keep_more_than_survive():
    with pytest.raises(ValueError, match="only 2 are still kept"):
        surviving_magnitude_mask(np.ones(4), np.array([1, 1, 0, 0], bool), 3)


# --- gmp on the real model ---------------------------------------------------------


@pytest.fixture(scope="module")
def gmp_run(data):
    """Run gmp once, recording the state at every pruning event and after every retrain."""
    events, retrained = [], []
    original_set_unit_mask, original_train = MaskedNetwork.set_unit_mask, MaskedNetwork.train

    def set_unit_mask(self, unit_mask):
        events.append({"before": self.mask, "weights": self.latent_weights()})
        original_set_unit_mask(self, unit_mask)
        events[-1]["after"] = self.mask

    def train(self, x, y, epochs):
        original_train(self, x, y, epochs)
        retrained.append({"mask": self.mask, "kernels": flatten_kernels(self.kernels)})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MaskedNetwork, "set_unit_mask", set_unit_mask)
        patch.setattr(MaskedNetwork, "train", train)
        network = PRUNERS["gmp"](fresh_network(), data, GMP, np.random.default_rng(0))
    return network, events, retrained


def test_gmp_keeps_exactly_the_final_count(gmp_run):
    network, _, _ = gmp_run
    assert network.mask.sum() == keep_count(network.size, GMP["sparsity_final"])
    network.check_mask_invariant()


def test_gmp_follows_the_cubic_schedule(gmp_run):
    network, events, retrained = gmp_run
    expected = keep_schedule(network.size, 0.0, 0.6, 4, 3)
    assert [int(e["after"].sum()) for e in events] == expected
    assert [int(r["mask"].sum()) for r in retrained] == expected
    assert network.epochs_trained == 4 * GMP["retrain_epochs"]


def test_gmp_masks_are_nested(gmp_run):
    network, events, _ = gmp_run
    assert events[0]["before"].all()
    for event in events:
        assert not np.any(event["after"] & ~event["before"])


def test_gmp_keeps_the_largest_survivors_globally(gmp_run):
    """Each step keeps the globally largest |W| among the previous survivors."""
    _, events, _ = gmp_run
    for event in events:
        magnitudes = np.abs(event["weights"])
        dropped = event["before"] & ~event["after"]
        if dropped.any():
            assert magnitudes[event["after"]].min() >= magnitudes[dropped].max()
    first = events[0]
    np.testing.assert_array_equal(
        first["after"], magnitude_mask(first["weights"], polynomial_decay(0.0, 0.6, 4, 3)[0])
    )


def test_gmp_pruned_weights_are_exactly_zero_after_each_retrain(gmp_run):
    _, _, retrained = gmp_run
    assert len(retrained) == GMP["iterations"]
    for state in retrained:
        assert np.all(state["kernels"][~state["mask"]] == 0.0)
    # Every step pruned something, so the check above is not vacuous.
    assert all((~state["mask"]).any() for state in retrained)


def test_gmp_never_revives_even_when_survivors_shrink(data, monkeypatch):
    """Frozen latent values of pruned weights may exceed kept weights that shrank while
    retraining (weight decay would do it; here a deterministic x0.05 after each retrain):
    a plain magnitude mask of the latent weights would then revive them."""
    original_train, masks = MaskedNetwork.train, []

    def train_and_shrink(self, x, y, epochs):
        original_train(self, x, y, epochs)
        for kernel in self.kernels:
            kernel.assign(kernel.numpy() * 0.05)
        masks.append(self.mask)

    monkeypatch.setattr(MaskedNetwork, "train", train_and_shrink)
    network = PRUNERS["gmp"](fresh_network(), data, GMP, None)
    latent = network.latent_weights()
    # The trap is armed: pruned latent values now outweigh some kept weights.
    assert np.abs(latent[~network.mask]).max() > np.abs(latent[network.mask]).min()
    for before, after in zip(masks, masks[1:], strict=False):
        assert not np.any(after & ~before)
    assert network.mask.sum() == keep_count(network.size, GMP["sparsity_final"])
    network.check_mask_invariant()


def test_gmp_defaults_sparsity_init_and_power(data):
    params = {k: v for k, v in GMP.items() if k not in ("sparsity_init", "power")}
    params["retrain_epochs"] = 0
    network = PRUNERS["gmp"](fresh_network(), data, params, None)
    assert network.mask.sum() == keep_count(network.size, 0.6)


def test_gmp_rejects_a_falling_schedule(data):
    with pytest.raises(ValueError, match="exceeds sparsity_final"):
        PRUNERS["gmp"](fresh_network(), data, dict(GMP, sparsity_init=0.7), None)
