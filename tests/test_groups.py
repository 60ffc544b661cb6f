"""Units and filter groups (fwprune.groups), against brute force on small kernels.

The chain here is the paper CNN in miniature: conv1 (3x3, 1 -> 2 filters), conv2 (3x3,
2 -> 3 filters), a flatten of 2x2 positions, dense (12 -> 4). Filters 0-1 are conv1's,
2-4 conv2's.
"""

import itertools

import numpy as np
import pytest

from fwprune import groups
from fwprune.frank_wolfe import lmo
from fwprune.masks import keep_count, top_k_mask

SHAPES = [(3, 3, 1, 2), (3, 3, 2, 3), (12, 4)]
SIZES = [18, 54, 48]
PAPER_SHAPES = [(3, 3, 1, 32), (3, 3, 32, 64), (1600, 10)]


def by_kernel(flat):
    pieces = np.split(flat, np.cumsum(SIZES)[:-1])
    return [p.reshape(s) for p, s in zip(pieces, SHAPES, strict=True)]


def test_filter_groups_are_a_conv_filter_with_the_weights_that_read_it():
    units = groups.filter_units(SHAPES)
    assert units.count == 5
    for unit, (conv, channel) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]):
        expected = [np.zeros(s, bool) for s in SHAPES]
        expected[conv][..., channel] = True  # the filter
        if conv == 0:
            expected[1][:, :, channel, :] = True  # conv2's input channel
        else:
            expected[2][np.arange(12) % 3 == channel, :] = True  # dense rows after flatten
        flat = np.concatenate([e.ravel() for e in expected])
        np.testing.assert_array_equal(groups.members(units, unit), np.flatnonzero(flat))


def test_the_paper_cnn_has_96_filters_and_each_conv2_filter_25_dense_rows():
    units = groups.filter_units(PAPER_SHAPES)
    assert units.count == 32 + 64
    dense = slice(288 + 18432, None)
    rows_of_conv2_filter_5 = np.unique(np.flatnonzero(units.consumer[dense] == 32 + 5) // 10)
    np.testing.assert_array_equal(rows_of_conv2_filter_5, np.arange(5, 1600, 64))
    assert groups.members(units, 3).size == 9 + 9 * 64
    assert groups.members(units, 40).size == 9 * 32 + 25 * 10


def test_expand_keeps_a_weight_exactly_when_all_its_groups_are_kept():
    units = groups.filter_units(SHAPES)
    for bits in itertools.product([False, True], repeat=units.count):
        kept = np.array(bits)
        expected = np.ones(sum(SIZES), bool)
        for unit in np.flatnonzero(~kept):
            expected[groups.members(units, unit)] = False
        np.testing.assert_array_equal(groups.expand(units, kept), expected)


def test_unstructured_units_are_the_weights_themselves():
    weights = np.random.default_rng(0).normal(size=20)
    gradient = np.random.default_rng(1).normal(size=20)
    mask = weights > 0
    units = groups.weight_units(20)
    np.testing.assert_array_equal(groups.expand(units, mask), mask)
    np.testing.assert_array_equal(groups.magnitudes(units, weights), np.abs(weights))
    np.testing.assert_array_equal(groups.gradient(units, gradient, mask), gradient)


def test_a_filters_magnitude_is_the_root_mean_square_of_its_own_kernel():
    weights = np.random.default_rng(2).normal(size=sum(SIZES))
    conv1, conv2, _ = by_kernel(weights)
    expected = [np.linalg.norm(conv1[..., j]) / 3 for j in range(2)]
    expected += [np.linalg.norm(conv2[..., j]) / np.sqrt(18) for j in range(3)]
    np.testing.assert_allclose(
        groups.magnitudes(groups.filter_units(SHAPES), weights), expected, rtol=1e-12
    )


def numeric_group_gradient(units, loss, unit_mask, step=1e-6):
    """∂/∂u of loss(u[producer] u[consumer]) by central differences."""
    result = []
    for unit in range(units.count):
        values = []
        for sign in (1, -1):
            u = np.append(unit_mask.astype(float), 1.0)
            u[unit] += sign * step
            values.append(loss(u[units.producer] * u[units.consumer]))
        result.append((values[0] - values[1]) / (2 * step))
    return np.array(result)


@pytest.mark.parametrize("pruned", [(), (1,), (0, 3), (2, 4)])
def test_group_gradient_is_the_chain_rule_of_the_product_gate(pruned):
    """With f(u) = L(W ⊙ u[producer] ⊙ u[consumer]) and L a smooth function of the effective
    weights, groups.gradient(W ⊙ ∂L/∂(W⊙h)) equals ∂f/∂u by finite differences, also
    where a weight's other group is pruned (the plain per-group sum is wrong there)."""
    rng = np.random.default_rng(3)
    weights, target = rng.normal(size=sum(SIZES)), rng.normal(size=sum(SIZES))
    curvature = rng.uniform(0.5, 2.0, size=sum(SIZES))

    def loss(gate):
        effective = weights * gate
        return float(np.sum(curvature * (effective - target) ** 2) + np.sum(effective) ** 2)

    units = groups.filter_units(SHAPES)
    kept = np.ones(units.count, bool)
    kept[list(pruned)] = False
    effective = weights * groups.expand(units, kept)
    dloss = 2 * curvature * (effective - target) + 2 * np.sum(effective)
    measured = groups.gradient(units, weights * dloss, kept)
    expected = numeric_group_gradient(units, loss, kept)
    np.testing.assert_allclose(measured, expected, rtol=1e-6, atol=1e-6)
    if pruned:
        naive = np.array([np.sum((weights * dloss)[groups.members(units, u)]) for u in range(5)])
        assert not np.allclose(naive, expected)


def brute_force_lmo(gradient, k):
    """argmin <g, v> over the vertices of C_k = {v in {0,1}^n : sum v <= k}."""
    n = gradient.size
    vertices = [np.array(v, float) for v in itertools.product([0, 1], repeat=n) if sum(v) <= k]
    return min(vertices, key=lambda v: float(gradient @ v))


@pytest.mark.parametrize("seed", range(6))
def test_group_lmo_is_optimal_over_the_group_polytope(seed):
    """The FW vertex over groups: the LMO applied to the group gradient."""
    rng = np.random.default_rng(seed)
    units = groups.filter_units(SHAPES)
    kept = rng.random(units.count) < 0.6
    g = groups.gradient(units, rng.normal(size=sum(SIZES)), kept)
    magnitudes = groups.magnitudes(units, rng.normal(size=sum(SIZES)))
    for k in range(units.count + 1):
        vertex = lmo(g, magnitudes, k)
        assert vertex @ g == pytest.approx(brute_force_lmo(g, k) @ g, abs=1e-12)
        assert vertex.sum() == min(k, np.count_nonzero(g < 0))


def test_group_ties_are_broken_by_the_larger_filter_norm_then_the_lower_index():
    units = groups.filter_units(SHAPES)
    weights = np.zeros(sum(SIZES))
    conv1, conv2, _ = by_kernel(weights)  # views into `weights`
    conv1[..., 0], conv1[..., 1] = 1.0, 2.0
    conv2[..., 0], conv2[..., 1], conv2[..., 2] = 3.0, 3.0, 0.5  # RMS = the value
    magnitudes = groups.magnitudes(units, weights)
    gradient = np.full(units.count, -1.0)  # all tied
    np.testing.assert_array_equal(lmo(gradient, magnitudes, 2), [0, 0, 1, 1, 0])
    np.testing.assert_array_equal(lmo(gradient, magnitudes, 3), [0, 0, 1, 1, 0] + np.eye(5)[1])
    np.testing.assert_array_equal(top_k_mask(magnitudes, magnitudes, 1), [0, 0, 1, 0, 0])


@pytest.mark.parametrize("sparsity", [0.0, 0.25, 0.5, 0.9])
def test_sparsity_counts_filters_over_all_prunable_convs(sparsity):
    units = groups.filter_units(PAPER_SHAPES)
    weights = np.random.default_rng(4).normal(size=34720)
    magnitudes = groups.magnitudes(units, weights)
    kept = top_k_mask(magnitudes, magnitudes, keep_count(96, sparsity))
    assert kept.sum() == 96 - round(sparsity * 96)
    conv1_kept, conv2_kept = kept[:32].sum(), kept[32:].sum()
    weight_mask = groups.expand(units, kept)
    assert weight_mask.sum() == 9 * conv1_kept + 9 * conv1_kept * conv2_kept + 250 * conv2_kept


def test_unknown_granularity_is_refused():
    with pytest.raises(ValueError, match="granularity"):
        groups.units_for("channel", SHAPES)
