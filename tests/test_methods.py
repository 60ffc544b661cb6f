"""The methods on the real model with small random data, and their registry."""

import numpy as np
import pytest

from conftest import fresh_network
from fwprune.masks import keep_count, magnitude_mask
from fwprune.methods import PRUNERS, REGISTRY, Method, config_schema
from fwprune.methods.random import random_mask
from fwprune.training import MaskedNetwork

FW = dict(iterations=4, subsample=64, gradient_batch_size=32, retrain_epochs=0)
FW |= dict(step_size="harmonic", gamma=0.5, finetune_epochs=0)
PARAMS = {
    "magnitude": dict(sparsity=0.5, finetune_epochs=1),
    "fw": dict(FW, sparsity=0.55),
    "fw_momentum": dict(FW, sparsity_init=0.3, sparsity_final=0.6, momentum=0.9),
}
FINAL_SPARSITY = {"magnitude": 0.5, "fw": 0.55, "fw_momentum": 0.6}


@pytest.mark.parametrize("method", PARAMS)
def test_each_method_prunes_to_exactly_its_sparsity(method, data):
    net = PRUNERS[method](fresh_network(), data, PARAMS[method], np.random.default_rng(0))
    assert net.mask.sum() == keep_count(net.size, FINAL_SPARSITY[method])
    net.check_mask_invariant()


def test_magnitude_prunes_the_smallest_weights(data):
    net = fresh_network()
    expected = magnitude_mask(net.latent_weights(), 0.5)
    np.testing.assert_array_equal(
        PRUNERS["magnitude"](net, data, PARAMS["magnitude"], None).mask, expected
    )


@pytest.mark.parametrize("method", ["fw", "fw_momentum"])
def test_fw_starts_from_the_magnitude_mask(method, data, monkeypatch):
    """With a zero gradient the LMO returns 0, m shrinks but keeps its ranking: the final
    mask is then the magnitude mask of the start iterate m_0."""
    net = fresh_network()
    expected = magnitude_mask(net.latent_weights(), FINAL_SPARSITY[method])
    monkeypatch.setattr(MaskedNetwork, "mask_gradient", lambda self, x, y, b: np.zeros(self.size))
    pruned = PRUNERS[method](net, data, PARAMS[method], np.random.default_rng(0))
    np.testing.assert_array_equal(pruned.mask, expected)


@pytest.fixture
def kept(monkeypatch):
    """The number of weights kept at each retraining of the network."""
    counts = []
    original = MaskedNetwork.train

    def record(self, x, y, epochs):
        counts.append(int(self.mask.sum()))
        return original(self, x, y, epochs)

    monkeypatch.setattr(MaskedNetwork, "train", record)
    return counts


def test_fw_prunes_only_at_half_and_last_iteration(data, kept):
    net = PRUNERS["fw"](fresh_network(), data, PARAMS["fw"], np.random.default_rng(0))
    k = keep_count(net.size, 0.55)
    assert kept == [net.size, k, k, k]


def test_fw_momentum_follows_its_sparsity_schedule(data, kept):
    net = PRUNERS["fw_momentum"](
        fresh_network(), data, PARAMS["fw_momentum"], np.random.default_rng(0)
    )
    n = net.size
    assert kept == [keep_count(n, s) for s in (0.375, 0.45, 0.525, 0.6)]
    assert set(net.method_state.arrays()) == {"frank_wolfe/relaxed_mask", "frank_wolfe/momentum"}


def test_the_fw_state_is_saved_with_the_network_and_kept_through_a_restore(data, tmp_path):
    """`fw_momentum` leaves its `FrankWolfeState`; the saved state holds its relaxed mask and
    momentum buffer, and a restored network (fine-tuning) saves them again unchanged."""
    from fwprune.methods.fw import FrankWolfeState

    net = PRUNERS["fw_momentum"](
        fresh_network(), data, PARAMS["fw_momentum"], np.random.default_rng(0)
    )
    state = net.method_state
    assert isinstance(state, FrankWolfeState) and len(state.trace) == FW["iterations"]
    np.testing.assert_array_equal(state.relaxed_mask, state.trace[-1].relaxed_mask)
    np.testing.assert_array_equal(state.momentum, state.trace[-1].direction)
    net.save(tmp_path / "pruned.npz", tmp_path / "pruned.keras")
    fresh_network().restore(tmp_path / "pruned.npz").save(
        tmp_path / "again.npz", tmp_path / "again.keras"
    )
    for path in ("pruned.npz", "again.npz"):
        with np.load(tmp_path / path) as archive:
            np.testing.assert_array_equal(archive["frank_wolfe/relaxed_mask"], state.relaxed_mask)
            np.testing.assert_array_equal(archive["frank_wolfe/momentum"], state.momentum)
    fw = PRUNERS["fw"](fresh_network(), data, PARAMS["fw"], np.random.default_rng(0))
    assert set(fw.method_state.arrays()) == {"frank_wolfe/relaxed_mask"}
    assert (
        PRUNERS["magnitude"](fresh_network(), data, PARAMS["magnitude"], None).method_state is None
    )


def test_methods_are_deterministic(data):
    masks = [
        PRUNERS["fw_momentum"](
            fresh_network(), data, PARAMS["fw_momentum"], np.random.default_rng(5)
        ).mask
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*masks)


def test_random_keeps_exactly_its_count_and_is_seeded():
    n = 34_720
    first = random_mask(n, 0.55, np.random.default_rng(3))
    assert first.dtype == bool and first.sum() == keep_count(n, 0.55)
    np.testing.assert_array_equal(first, random_mask(n, 0.55, np.random.default_rng(3)))
    assert (first != random_mask(n, 0.55, np.random.default_rng(4))).any()


def test_random_pruning_is_not_the_magnitude_mask(data):
    net = fresh_network()
    expected_keep = keep_count(net.size, 0.5)
    pruned = PRUNERS["random"](
        net, data, dict(sparsity=0.5, finetune_epochs=1), np.random.default_rng(0)
    )
    assert pruned.mask.sum() == expected_keep
    pruned.check_mask_invariant()
    magnitude = magnitude_mask(net.latent_weights(), 0.5)
    # A random half shares about half of the magnitude mask's weights, far from all.
    assert np.count_nonzero(pruned.mask & magnitude) < 0.6 * expected_keep


def test_every_method_declares_what_the_workflow_needs():
    assert list(REGISTRY)[:3] == ["magnitude", "fw", "fw_momentum"]  # the paper's, in order
    for name, method in REGISTRY.items():
        schema = method.schema()
        assert {method.target_key, "finetune_epochs"} <= set(schema["properties"]), name
        defaults = {key: value["default"] for key, value in schema["properties"].items()}
        assert method.epochs(defaults) >= 0 and method.label and method.marker, name
    with pytest.raises(ValueError, match="no 'finetune_epochs'"):
        Method("toy", None, "", "toy", "o", "sparsity", {"sparsity": {}})
    with pytest.raises(ValueError, match="model name"):
        Method("base", None, "", "base", "o", "sparsity", {"sparsity": {}, "finetune_epochs": {}})


def test_the_config_schema_has_a_section_per_registered_method():
    schema = config_schema({"properties": {"methods": {}}})
    assert set(REGISTRY) <= set(schema["properties"])
    assert schema["properties"]["methods"]["default"] == ["magnitude", "fw", "fw_momentum"]
