import numpy as np
import pytest

from fwprune.masks import keep_count, magnitude_mask, rank_descending, sparsity, top_k_mask


def random_cases(count=200, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(1, 400))
        # Rounded values make ties common, the case a careless ranking gets wrong.
        weights = np.round(rng.normal(size=n), int(rng.integers(0, 3)))
        yield n, float(rng.uniform(0, 1)), weights


@pytest.mark.parametrize(
    "n, s, expected", [(10, 0.5, 5), (34720, 0.5, 17360), (7, 0.0, 7), (7, 1.0, 0)]
)
def test_keep_count(n, s, expected):
    assert keep_count(n, s) == expected


def test_keep_count_rejects_sparsity_outside_unit_interval():
    with pytest.raises(ValueError, match="sparsity"):
        keep_count(10, 1.5)


def test_magnitude_mask_keeps_exactly_k_for_many_sizes():
    for n, s, weights in random_cases():
        mask = magnitude_mask(weights, s)
        assert mask.sum() == keep_count(n, s)
        # Every pruned weight is zero; kept weights that were already zero add to that.
        assert np.count_nonzero(weights * mask == 0) >= n - keep_count(n, s)


def test_magnitude_mask_equals_numpy_reference():
    for n, s, weights in random_cases(seed=1):
        # Reference: stable sort by descending |W|, so equal magnitudes keep the lower index.
        reference = np.zeros(n, dtype=bool)
        reference[np.argsort(-np.abs(weights), kind="stable")[: keep_count(n, s)]] = True
        np.testing.assert_array_equal(magnitude_mask(weights, s), reference)


def test_ties_are_broken_by_magnitude_then_index():
    scores = np.array([1.0, 2.0, 2.0, 2.0, 0.0])
    weights = np.array([9.0, -1.0, 3.0, 3.0, 5.0])
    np.testing.assert_array_equal(rank_descending(scores, weights), [2, 3, 1, 0, 4])
    np.testing.assert_array_equal(top_k_mask(scores, weights, 2), [0, 0, 1, 1, 0])


def test_ties_resolve_the_same_way_every_run():
    scores = np.zeros(1000)
    weights = np.ones(1000)
    masks = {top_k_mask(scores, weights, 300).tobytes() for _ in range(5)}
    assert len(masks) == 1
    np.testing.assert_array_equal(np.flatnonzero(top_k_mask(scores, weights, 300)), np.arange(300))


@pytest.mark.parametrize("k", [-1, 11])
def test_top_k_rejects_impossible_k(k):
    with pytest.raises(ValueError, match="k must lie"):
        top_k_mask(np.zeros(10), np.zeros(10), k)


def test_sparsity_counts_exact_zeros():
    assert sparsity(np.array([0.0, -0.0, 1e-30, 2.0])) == 0.5
