"""The ranking scope (docs/filter-pruning.md, "Ranking scope"): per-layer top-k and LMO
against brute force, the exact per-layer keep counts of every method on the real model at
both granularities, a per-layer FW trajectory against a reference written from the docs,
and global scope unchanged (the functions of before the scope, copied here, give the same
masks bit for bit)."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import test_fw_reference as ref

from conftest import fresh_network
from fwprune import groups
from fwprune.frank_wolfe import lmo
from fwprune.masks import keep_count, keep_counts, magnitude_mask, top_k_mask
from fwprune.methods import PRUNERS, REGISTRY
from fwprune.methods.gmp import surviving_magnitude_mask
from fwprune.methods.random import random_mask
from fwprune.schedules import keep_schedule, layer_keep_schedule
from fwprune.training import MaskedNetwork

# --- written again from the docs ------------------------------------------------------------


def best_per_layer(scores, weights, keeps, layers) -> np.ndarray:
    """Per layer l, ones at its keeps[l] highest scores; ties by larger |W|, lower index."""
    chosen = np.zeros(len(scores), dtype=bool)
    for layer, keep in enumerate(keeps):
        members = [j for j in range(len(scores)) if layers[j] == layer]
        members.sort(key=lambda j: (-scores[j], -abs(weights[j]), j))
        chosen[members[:keep]] = True
    return chosen


def expected_keeps(sizes, sparsity) -> list[int]:
    """k_l = n_l - round(p n_l), half to even."""
    return [int(n - round(sparsity * n)) for n in sizes]


def exact(value: float) -> Fraction:
    """A config value as the decimal it was written as: a schedule's s_t exactly, so that
    n_l s_t = x.5 is a true tie (small layers meet them often; float formulas of the same
    s_t disagree there: 0.2 + 3 (0.7 - 0.2) / 5 is 0.49999999999999994)."""
    return Fraction(str(value))


def small_problem(seed: int, sizes=(3, 4, 2), shuffle=False):
    """Integer scores and magnitudes with many ties, and each entry's layer."""
    rng = np.random.default_rng(seed)
    layers = np.repeat(np.arange(len(sizes)), sizes)
    if shuffle:
        layers = rng.permutation(layers)
    n = layers.size
    return rng.integers(-2, 3, n).astype(float), rng.integers(0, 3, n).astype(float), layers


def tie_order(values, weights):
    """Entries ordered by the tie rule: value (low first), then larger |W|, lower index."""
    return sorted(range(len(values)), key=lambda j: (values[j], -abs(weights[j]), j))


def feasible(vertex, keeps, layers) -> bool:
    return all(vertex[layers == layer].sum() <= keep for layer, keep in enumerate(keeps))


# --- the pure functions against brute force -------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("shuffle", [False, True])
def test_per_layer_top_k_is_the_best_of_each_layer_with_exact_counts(seed, shuffle):
    scores, weights, layers = small_problem(seed, shuffle=shuffle)
    rng = np.random.default_rng(100 + seed)
    keeps = [int(rng.integers(0, n + 1)) for n in np.bincount(layers)]
    ours = top_k_mask(scores, weights, keeps, layers)
    np.testing.assert_array_equal(ours, best_per_layer(scores, weights, keeps, layers))
    np.testing.assert_array_equal(np.bincount(layers[ours], minlength=len(keeps)), keeps)
    # Brute force: no choice of exactly k_l entries per layer has a larger score sum.
    per_layer = [
        itertools.combinations(np.flatnonzero(layers == j), k) for j, k in enumerate(keeps)
    ]
    best = max(scores[list(sum(combo, ()))].sum() for combo in itertools.product(*per_layer))
    assert scores[ours].sum() == best


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("shuffle", [False, True])
def test_per_layer_lmo_is_the_brute_force_minimum_over_the_product_set(seed, shuffle):
    """Every 0/1 vector of at most k_l ones per layer (the vertices of the product set) is
    enumerated. Ours reaches the minimum of <g, v>; among the minimisers, it is the one of
    fewest ones (no zero entries of g), and among those the earliest in the tie rule."""
    gradient, weights, layers = small_problem(seed, shuffle=shuffle)
    rng = np.random.default_rng(200 + seed)
    keeps = [int(rng.integers(0, n + 1)) for n in np.bincount(layers)]
    vertices = [
        np.array(v, dtype=float)
        for v in itertools.product([0, 1], repeat=gradient.size)
        if feasible(np.array(v), keeps, layers)
    ]
    values = [float(gradient @ v) for v in vertices]
    ours = lmo(gradient, weights, keeps, layers)
    assert feasible(ours, keeps, layers)
    assert gradient @ ours == min(values)
    position = {j: place for place, j in enumerate(tie_order(gradient, weights))}
    minimisers = [v for v, value in zip(vertices, values, strict=True) if value == min(values)]
    fewest = min(v.sum() for v in minimisers)
    expected = min(
        (v for v in minimisers if v.sum() == fewest),
        key=lambda v: sorted(position[j] for j in np.flatnonzero(v)),
    )
    np.testing.assert_array_equal(ours, expected)


def test_per_layer_ties_go_to_the_larger_magnitude_then_the_lower_index():
    layers = np.array([0, 0, 0, 1, 1, 1, 1])
    weights = np.array([1.0, 2.0, 2.0, 1.0, 1.0, 1.0, 3.0])
    chosen = top_k_mask(np.zeros(7), weights, [2, 2], layers)
    np.testing.assert_array_equal(chosen, [False, True, True, True, False, False, True])
    gradient = np.array([-1.0, -1.0, 0.0, -1.0, -1.0, -1.0, -1.0])
    vertex = lmo(gradient, weights, [2, 3], layers)
    np.testing.assert_array_equal(vertex, [1, 1, 0, 1, 1, 0, 1])


def test_keep_counts_round_each_layer_half_to_even():
    layers = np.repeat([0, 1, 2], [3, 5, 10])
    for sparsity in (0.0, 0.1, 0.3, 0.5, 0.75, 0.9):
        assert keep_counts(layers, sparsity).tolist() == expected_keeps([3, 5, 10], sparsity)
    assert keep_counts(np.zeros(18, int), 0.5).tolist() == [9]


def test_layer_keep_schedule_is_the_schedule_applied_per_layer():
    layers = np.repeat([0, 1], [32, 64])
    schedule = layer_keep_schedule(layers, 0.3, 0.6, 4, power=1)
    sparsities = [0.3 + i * 0.3 / 4 for i in range(1, 5)]
    assert [k.tolist() for k in schedule] == [expected_keeps([32, 64], s) for s in sparsities]


def test_per_layer_impossible_counts_are_refused():
    layers = np.array([0, 0, 1])
    with pytest.raises(ValueError, match="k must lie"):
        top_k_mask(np.zeros(3), np.zeros(3), [3, 0], layers)
    with pytest.raises(ValueError, match="keep counts"):
        top_k_mask(np.zeros(3), np.zeros(3), [1], layers)


def test_units_know_their_layer_and_scopes_their_ranking_groups():
    shapes = [(3, 3, 1, 32), (3, 3, 32, 64), (1600, 10)]
    filters = groups.units_for("filter", shapes)
    np.testing.assert_array_equal(filters.layer, np.repeat([0, 1], [32, 64]))
    weights = groups.units_for("unstructured", shapes)
    np.testing.assert_array_equal(np.bincount(weights.layer), [288, 18432, 16000])
    np.testing.assert_array_equal(groups.ranking_layers(filters, "layer"), filters.layer)
    np.testing.assert_array_equal(groups.ranking_layers(filters, "global"), np.zeros(96))
    with pytest.raises(ValueError, match="unknown scope"):
        groups.ranking_layers(filters, "channel")


# --- global scope: bit for bit what it was -------------------------------------------------


def old_top_k_mask(scores, weights, k):
    """masks.top_k_mask before the scope (commit ade9c98), copied."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    magnitudes = np.abs(np.asarray(weights, dtype=np.float64).ravel())
    mask = np.zeros(scores.size, dtype=bool)
    mask[np.lexsort((np.arange(scores.size), -magnitudes, -scores))[:k]] = True
    return mask


def old_random_mask(size, sparsity, rng):
    mask = np.zeros(size, dtype=bool)
    mask[rng.choice(size, keep_count(size, sparsity), replace=False)] = True
    return mask


@pytest.mark.parametrize("seed", range(20))
def test_global_scope_gives_the_masks_of_before(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    scores = rng.integers(-3, 4, n) * rng.choice([1.0, 0.5], n)  # many ties
    weights = rng.normal(size=n).round(1)
    k = int(rng.integers(0, n + 1))
    global_layers = groups.ranking_layers(groups.weight_units(n), "global")
    expected = old_top_k_mask(scores, weights, k)
    np.testing.assert_array_equal(top_k_mask(scores, weights, k), expected)
    np.testing.assert_array_equal(top_k_mask(scores, weights, [k], global_layers), expected)
    vertex = old_top_k_mask(-scores, weights, k) & (scores < 0)
    np.testing.assert_array_equal(lmo(scores, weights, k, global_layers), vertex)
    p = float(rng.uniform(0, 1))
    np.testing.assert_array_equal(
        magnitude_mask(weights, p, global_layers),
        old_top_k_mask(np.abs(weights), weights, keep_count(n, p)),
    )
    np.testing.assert_array_equal(
        random_mask(n, p, np.random.default_rng(seed), global_layers),
        old_random_mask(n, p, np.random.default_rng(seed)),
    )
    kept = rng.random(n) < 0.7
    survive = int(rng.integers(0, kept.sum() + 1))
    np.testing.assert_array_equal(
        surviving_magnitude_mask(weights, kept, [survive], global_layers),
        old_top_k_mask(np.where(kept, np.abs(weights), -np.inf), weights, survive),
    )
    schedule = layer_keep_schedule(global_layers, 0.0, p, 3, 3)
    assert [k.tolist() for k in schedule] == [[k] for k in keep_schedule(n, 0.0, p, 3, 3)]


# --- the methods on the real model ----------------------------------------------------------

FW = dict(subsample=32, gradient_batch_size=16, retrain_epochs=0, step_size="harmonic")
FW |= dict(finetune_epochs=0, scope="layer")
PARAMS = {
    "magnitude": dict(sparsity=0.75, finetune_epochs=0, scope="layer"),
    "random": dict(sparsity=0.75, finetune_epochs=0, scope="layer"),
    "gmp": dict(sparsity_init=0.0, sparsity_final=0.75, iterations=3, power=3)
    | dict(retrain_epochs=0, finetune_epochs=0, scope="layer"),
    "fw": dict(FW, sparsity=0.75, iterations=2),
    "fw_momentum": dict(FW, sparsity_init=0.3, sparsity_final=0.75, momentum=0.9, iterations=3),
}


def network(granularity: str) -> MaskedNetwork:
    return MaskedNetwork(
        learning_rate=0.05, momentum=0.0, batch_size=32, seed=0, granularity=granularity
    )


def per_layer_schedule(method: str, sizes) -> list[list[int]]:
    """The keep counts of each pruning event, per layer, written from the docs."""
    params = PARAMS[method]
    if method in ("magnitude", "random"):
        return [expected_keeps(sizes, params["sparsity"])]
    N = params["iterations"]
    if method == "fw":
        return [expected_keeps(sizes, params["sparsity"])] * 2  # events at ceil(N/2) and N
    s0, sN = exact(params["sparsity_init"]), exact(params["sparsity_final"])
    power = params.get("power", 1)
    steps = [sN + (s0 - sN) * (1 - Fraction(t, N)) ** power for t in range(1, N + 1)]
    return [expected_keeps(sizes, s) for s in steps]


@pytest.mark.parametrize("granularity", ["unstructured", "filter"])
@pytest.mark.parametrize("method", PARAMS)
def test_scope_layer_keeps_exactly_each_layers_share_at_every_event(
    method, granularity, data, monkeypatch
):
    """Every pruning event (each set_unit_mask) keeps n_l - round(s n_l) units of each layer:
    conv1's 32 and conv2's 64 filters, or the three kernels' weights."""
    events = []
    original = MaskedNetwork.set_unit_mask

    def record(self, unit_mask):
        events.append(np.bincount(self.units.layer[unit_mask], minlength=layer_count))
        original(self, unit_mask)

    monkeypatch.setattr(MaskedNetwork, "set_unit_mask", record)
    net = network(granularity)
    sizes = np.bincount(net.units.layer).tolist()
    layer_count = len(sizes)
    PRUNERS[method](net, data, PARAMS[method], np.random.default_rng(1))
    assert [e.tolist() for e in events] == per_layer_schedule(method, sizes)
    np.testing.assert_array_equal(net.mask, groups.expand(net.units, net.unit_mask))


@pytest.mark.parametrize("granularity", ["unstructured", "filter"])
def test_scope_layer_magnitude_keeps_each_layers_largest(granularity, data):
    """At 75 % of filters, global RMS ranking empties conv2 (docs/filter-pruning.md); per
    layer, each keeps its own largest, ties by magnitude then index."""
    net = network(granularity)
    scores, layers = net.unit_magnitudes(), net.units.layer
    sizes = np.bincount(layers)
    PRUNERS["magnitude"](net, data, PARAMS["magnitude"], None)
    expected = best_per_layer(scores, scores, expected_keeps(sizes, 0.75), layers)
    np.testing.assert_array_equal(net.unit_mask, expected)


def test_scope_global_is_the_default_and_changes_nothing(data):
    for method in ("magnitude", "gmp"):
        params = {k: v for k, v in PARAMS[method].items() if k != "scope"}
        masks = [
            PRUNERS[method](fresh_network(), data, p, np.random.default_rng(1)).mask
            for p in (params, dict(params, scope="global"))
        ]
        np.testing.assert_array_equal(*masks)
    for method in REGISTRY.values():
        setting = method.schema()["properties"]["scope"]
        assert setting["enum"] == ["global", "layer"] and setting["default"] == "global"


# --- a per-layer FW trajectory against the docs ---------------------------------------------


class LayeredSoftmaxNetwork(ref.SoftmaxNetwork):
    """The reference tests' softmax model with its weights split into three layers."""

    SIZES = (5, 6, 7)

    def __init__(self, latent):
        super().__init__(latent)
        self.units = groups.weight_units(latent.size, np.repeat([0, 1, 2], self.SIZES))


def reference_layer_run(method, params, latent, x, y, seed) -> list[dict]:
    """docs/filter-pruning.md's layer-scope FW: m_0, the LMO and every event per layer."""
    rng = np.random.default_rng(seed)
    layers = np.repeat([0, 1, 2], LayeredSoftmaxNetwork.SIZES)
    W, h = latent.astype(np.float64).copy(), np.ones(latent.size, dtype=bool)
    N = params["iterations"]
    if method == "fw":
        s = params["sparsity"]
        events = {i: expected_keeps(LayeredSoftmaxNetwork.SIZES, s) for i in {(N + 1) // 2, N}}
    else:
        s0, sN = exact(params["sparsity_init"]), exact(params["sparsity_final"])
        events = {
            i: expected_keeps(LayeredSoftmaxNetwork.SIZES, s0 + i * (sN - s0) / N)
            for i in range(1, N + 1)
        }
    k = events[N]
    m = best_per_layer(np.abs(W), W, k, layers).astype(float)
    d = np.zeros(W.size)
    iterates = []
    for i in range(1, N + 1):
        chosen = np.sort(rng.choice(len(y), params["subsample"], replace=False))
        g = W * ref.softmax_loss_gradient(W * h, x[chosen], y[chosen])
        d = g if method == "fw" else params["momentum"] * d + (1 - params["momentum"]) * g
        v = (best_per_layer(-d, W, k, layers) & (d < 0)).astype(float)
        gamma = ref.reference_step(params, i)
        m = (1 - gamma) * m + gamma * v
        if i in events:
            h = best_per_layer(m, W, events[i], layers)
        iterates.append(dict(direction=d, vertex=v, relaxed_mask=m, hard_mask=h))
        for _ in range(params["retrain_epochs"]):
            W = ref.masked_gradient_step(W, h, x, y)
    return iterates


@pytest.mark.parametrize("case", ref.CASES)
def test_layer_scope_fw_matches_the_per_layer_reference(case):
    method, params = ref.CASES[case]
    params = dict(params, scope="layer")
    latent, x, y = ref.problem()
    network = PRUNERS[method](
        LayeredSoftmaxNetwork(latent), (x, y), params, np.random.default_rng(7)
    )
    expected = reference_layer_run(method, params, latent, x, y, seed=7)
    for ours, theirs in zip(network.method_state.trace, expected, strict=True):
        np.testing.assert_allclose(ours.direction, theirs["direction"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ours.relaxed_mask, theirs["relaxed_mask"], rtol=1e-12)
        np.testing.assert_array_equal(ours.vertex, theirs["vertex"])
        np.testing.assert_array_equal(ours.hard_mask, theirs["hard_mask"])
    # The per-layer run is not the global one: the scope reaches the result.
    global_run = ref.reference_run(method, params, latent, x, y, seed=7)
    assert any(
        not np.array_equal(a["hard_mask"], b["hard_mask"])
        for a, b in zip(expected, global_run, strict=False)
    )
