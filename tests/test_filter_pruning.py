"""Filter pruning on the real model: the group gradient by autodiff through an explicit gate,
one FW iteration against a numpy reference, every method's exact filter counts, and the
physically smaller exported model (docs/filter-pruning.md). `data` is conftest's."""

import numpy as np
import pytest
import test_training

from fwprune import groups
from fwprune.export import load_exported
from fwprune.methods import PRUNERS
from fwprune.model import split_flat
from fwprune.training import MaskedNetwork

SEED = 5
FILTERS = 32 + 64


def filter_network():
    return MaskedNetwork(
        learning_rate=0.05, momentum=0.0, batch_size=32, seed=SEED, granularity="filter"
    )


@pytest.fixture(scope="module")
def trained(data):
    """A filter network trained one epoch, so that biases and gradients are far from zero."""
    net = filter_network()
    net.train(*data, epochs=1)
    return net


def gate_gradient(net, unit_gate: np.ndarray, x, y) -> np.ndarray:
    """d/du of the mean loss L(W ⊙ u[producer] ⊙ u[consumer]) by autodiff through an explicit
    gate on the filters (an independent route to groups.gradient)."""
    import tensorflow as tf

    def weight_gate(gate):
        extended = tf.concat([gate, tf.ones(1)], axis=0)  # the last entry: "no unit"
        units = net.units
        return tf.gather(extended, units.producer) * tf.gather(extended, units.consumer)

    return test_training.gate_gradient(net, unit_gate, x, y, weight_gate)


def pruned_filters(conv1: list[int], conv2: list[int]) -> np.ndarray:
    """The unit mask without the given filters of conv1 and conv2."""
    kept = np.ones(FILTERS, bool)
    kept[conv1] = False
    kept[[32 + j for j in conv2]] = False
    return kept


def largest_biases(net, layer: str, count: int) -> list[int]:
    return list(np.argsort(-net.model.get_layer(layer).bias.numpy())[:count])


def test_unit_gradient_is_the_gradient_in_a_filter_gate(trained, data):
    """At a mask with pruned filters in both convs, for kept and pruned filters alike.

    A pruned filter's gate gradient comes only from its bias (its kernel and its readers are
    both gated): the pruned filters here have the largest biases, so that it is non-zero and
    a kept filter's gradient depends on which of its inputs are pruned."""
    conv1, conv2 = largest_biases(trained, "conv1", 3), largest_biases(trained, "conv2", 3)
    kept = pruned_filters(conv1, conv2)
    trained.set_unit_mask(kept)
    x, y = data[0][:48], data[1][:48]
    expected = gate_gradient(trained, kept.astype("float32"), x, y)
    measured = trained.unit_gradient(x, y, batch_size=20)
    np.testing.assert_allclose(measured, expected, rtol=2e-3, atol=1e-4 * np.abs(expected).max())
    assert np.count_nonzero(expected[~kept]) == (~kept).sum()


def reference_top_k(scores, magnitudes, k) -> np.ndarray:
    order = sorted(range(len(scores)), key=lambda j: (-scores[j], -magnitudes[j], j))
    chosen = np.zeros(len(scores), bool)
    chosen[order[:k]] = True
    return chosen


def reference_filter_norms(latent, shapes) -> np.ndarray:
    """Each filter's root mean square weight."""
    conv1, conv2, _ = split_flat(latent, shapes)
    return np.array(
        [np.sqrt(np.mean(conv1[..., j] ** 2)) for j in range(32)]
        + [np.sqrt(np.mean(conv2[..., j] ** 2)) for j in range(64)]
    )


def test_one_fw_iteration_over_filters_matches_a_numpy_reference(data):
    """METHODS.md's FW iteration with filters as units, written again: m_0 the top-k filters
    by RMS weight, g by autodiff through the gate, v = LMO(g) over C_k, m_1 = m_0/3 + 2v/3,
    h = top-k(m_1) with ties by RMS then index."""
    net = filter_network()
    net.train(*data, epochs=1)
    params = dict(sparsity=0.5, iterations=1, subsample=len(data[1]), gradient_batch_size=32)
    params |= dict(retrain_epochs=0, step_size="harmonic", finetune_epochs=0)
    norms = reference_filter_norms(net.latent_weights(), net.shapes)
    gradient = gate_gradient(net, np.ones(FILTERS, "float32"), *data)
    PRUNERS["fw"](net, data, params, np.random.default_rng(0))
    (iterate,) = net.method_state.trace
    k = FILTERS - round(0.5 * FILTERS)
    np.testing.assert_allclose(iterate.magnitudes, norms, rtol=1e-6)
    scale = np.abs(gradient).max()
    np.testing.assert_allclose(iterate.gradient, gradient, rtol=2e-3, atol=1e-4 * scale)
    g = iterate.gradient  # the vertex from our own sort of the same gradient
    vertex = (reference_top_k(-g, norms, k) & (g < 0)).astype(float)
    np.testing.assert_array_equal(iterate.vertex, vertex)
    relaxed = reference_top_k(norms, norms, k) / 3 + 2 * vertex / 3
    np.testing.assert_allclose(iterate.relaxed_mask, relaxed, rtol=1e-12)
    np.testing.assert_array_equal(net.unit_mask, reference_top_k(relaxed, norms, k))
    assert not np.array_equal(net.unit_mask, reference_top_k(norms, norms, k))


METHOD_PARAMS = {
    "magnitude": dict(sparsity=0.5, finetune_epochs=0),
    "random": dict(sparsity=0.3, finetune_epochs=0),
    "gmp": dict(sparsity_init=0.0, sparsity_final=0.6, iterations=2, power=3)
    | dict(retrain_epochs=1, finetune_epochs=0),
    "fw": dict(sparsity=0.55, iterations=2, subsample=32, gradient_batch_size=16)
    | dict(retrain_epochs=1, step_size="harmonic", finetune_epochs=0),
    "fw_momentum": dict(sparsity_init=0.3, sparsity_final=0.6, momentum=0.9, iterations=2)
    | dict(subsample=32, gradient_batch_size=16, retrain_epochs=1, step_size="harmonic")
    | dict(finetune_epochs=0),
}


def target_sparsity(params: dict) -> float:
    return params.get("sparsity", params.get("sparsity_final"))


@pytest.mark.parametrize("method", METHOD_PARAMS)
def test_every_method_removes_exactly_its_share_of_filters(method, data, tmp_path):
    params = METHOD_PARAMS[method]
    net = PRUNERS[method](filter_network(), data, params, np.random.default_rng(1))
    kept = net.unit_mask
    assert kept.sum() == FILTERS - round(target_sparsity(params) * FILTERS)
    np.testing.assert_array_equal(net.mask, groups.expand(net.units, kept))
    net.save(tmp_path / "state.npz", tmp_path / "model.keras")
    restored = filter_network().restore(tmp_path / "state.npz")
    np.testing.assert_array_equal(restored.unit_mask, kept)
    small = load_exported(tmp_path / "model.keras")
    k1, k2 = int(kept[:32].sum()), int(kept[32:].sum())
    assert small.get_layer("conv1").filters == k1
    assert small.get_layer("conv2").kernel.shape == (3, 3, k1, k2)
    assert small.get_layer("dense").kernel.shape == (25 * k2, 10)


def test_the_exported_model_is_smaller_and_computes_what_the_masked_network_does(trained, data):
    kept = pruned_filters([1, 2, 3, 30], list(range(0, 64, 3)))
    trained.set_unit_mask(kept)
    small = trained.export()
    k1, k2 = int(kept[:32].sum()), int(kept[32:].sum())
    expected_parameters = (9 * k1 + k1) + (9 * k1 * k2 + k2) + (25 * k2 * 10 + 10)
    assert small.count_params() == expected_parameters
    masked = trained.model.predict(data[0], verbose=0)
    np.testing.assert_allclose(small.predict(data[0], verbose=0), masked, rtol=0, atol=1e-5)


def test_a_network_without_conv2_is_exported_at_full_shape_with_its_constant_output(trained, data):
    trained.set_unit_mask(pruned_filters([], list(range(64))))
    exported = trained.export()
    assert exported.count_params() == trained.model.count_params()
    masked = trained.model.predict(data[0], verbose=0)
    np.testing.assert_allclose(exported.predict(data[0], verbose=0), masked, rtol=0, atol=1e-5)
    np.testing.assert_allclose(masked, masked[:1].repeat(len(masked), axis=0), atol=1e-6)


def test_an_unstructured_mask_cannot_be_exported_as_filters(trained):
    from fwprune.export import physical_model
    from fwprune.model import build_model

    masks = [np.random.default_rng(0).random(shape) < 0.5 for shape in trained.shapes]
    with pytest.raises(ValueError, match="not a filter mask"):
        physical_model(build_model(), masks)
