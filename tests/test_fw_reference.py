"""Our `fw` and `fw_momentum` against an independent re-implementation of METHODS.md.

The methods run on a one-layer softmax model in numpy (`SoftmaxNetwork`, like
`MaskedNetwork` a `fwprune.methods.PrunableNetwork`), whose mask gradient and masked
training are a few lines of exact maths. `reference_run` is METHODS.md's algorithm
written again from the text, with its own sorts for the LMO and top-k and its own step
sizes, schedule and moving average: it shares no code with `fwprune` but the softmax
model. Every iterate is compared: the gradient g_i, the direction d_i, the LMO vertex v_i,
the relaxed mask m_i, the hard mask after each pruning event and the latent weights. A
wrong sign, a swapped weight or a dropped factor anywhere in the loop changes an iterate.

The behaviour tests below plant gradients to check what a reader of the paper expects:
revival of pruned weights, masks that follow the gradient rather than |W|, a momentum
direction that outvotes the last gradient, a fresh subsample per iteration.
"""

import math

import numpy as np
import pytest

from fwprune import groups
from fwprune.masks import largest_magnitudes
from fwprune.methods import PRUNERS, PrunableNetwork

FEATURES, CLASSES, EXAMPLES = 6, 3, 48
LEARNING_RATE = 0.5


def softmax_loss_gradient(effective: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/d(W ⊙ h) of the mean cross-entropy of softmax(x @ (W ⊙ h)), flattened."""
    logits = x @ effective.reshape(FEATURES, CLASSES)
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    probabilities[np.arange(len(y)), y] -= 1.0
    return (x.T @ probabilities / len(y)).ravel()


def masked_gradient_step(latent: np.ndarray, mask: np.ndarray, x, y) -> np.ndarray:
    """One full-batch epoch of masked gradient descent: pruned latent values stay frozen."""
    return latent - LEARNING_RATE * mask * softmax_loss_gradient(latent * mask, x, y)


class SoftmaxNetwork:
    """A softmax regression that is a `fwprune.methods.PrunableNetwork`, as `MaskedNetwork`
    is; every weight is a unit (unstructured pruning, one layer: scope global only). Its
    `mask`, `latent_weights` and `mask_gradient` are for the tests."""

    def __init__(self, latent: np.ndarray):
        self.latent = latent.astype(np.float64).copy()
        self.mask = np.ones(latent.size, dtype=bool)
        self.subsamples = []  # the examples of each mask-gradient call, for the tests
        self.units = groups.weight_units(latent.size)
        self.method_state = None

    def latent_weights(self) -> np.ndarray:
        return self.latent.copy()

    def mask_gradient(self, x, y, batch_size) -> np.ndarray:
        self.subsamples.append(x[:, 0].copy())
        return self.latent * softmax_loss_gradient(self.latent * self.mask, x, y)

    # --- PrunableNetwork ---
    def train(self, x, y, epochs) -> None:
        for _ in range(epochs):
            self.latent = masked_gradient_step(self.latent, self.mask, x, y)

    @property
    def unit_count(self) -> int:
        return self.latent.size

    @property
    def unit_mask(self) -> np.ndarray:
        return self.mask

    def unit_magnitudes(self) -> np.ndarray:
        return np.abs(self.latent)

    def set_unit_mask(self, unit_mask: np.ndarray) -> None:
        self.mask = np.asarray(unit_mask, dtype=bool).copy()

    def unit_gradient(self, x, y, batch_size) -> np.ndarray:
        return self.mask_gradient(x, y, batch_size)


def test_the_fake_and_the_real_network_are_both_what_methods_may_use():
    """Both satisfy `PrunableNetwork`, and the members the fake adds for the tests are all
    members of `MaskedNetwork` too, with the same meaning."""
    from fwprune.training import MaskedNetwork

    fake = SoftmaxNetwork(np.ones(FEATURES * CLASSES))
    assert isinstance(fake, PrunableNetwork)
    assert isinstance(MaskedNetwork(0.05, 0.0, 8, seed=0), PrunableNetwork)
    declared = {name for name in vars(PrunableNetwork) if not name.startswith("_")}
    declared |= set(PrunableNetwork.__annotations__)
    assert declared == {
        "units",
        "method_state",
        "unit_count",
        "unit_mask",
        "unit_magnitudes",
        "set_unit_mask",
        "unit_gradient",
        "train",
    }
    extra = {name for name in dir(fake) if not name.startswith("_")} - declared
    assert extra == {"latent", "mask", "latent_weights", "mask_gradient", "subsamples"}
    assert extra - {"latent", "subsamples"} <= set(dir(MaskedNetwork))


# --- METHODS.md, written again ------------------------------------------------------------


def best_k(scores, weights, k) -> np.ndarray:
    """Ones at the k highest scores; ties by larger |W|, then lower index."""
    order = sorted(range(len(scores)), key=lambda j: (-scores[j], -abs(weights[j]), j))
    chosen = np.zeros(len(scores), dtype=bool)
    chosen[order[:k]] = True
    return chosen


def reference_lmo(direction, weights, k) -> np.ndarray:
    """argmin over C_k of <direction, v>: the k most negative entries, negative ones only."""
    return (best_k(-direction, weights, k) & (direction < 0)).astype(np.float64)


def reference_step(params, i) -> float:
    return 2 / (i + 2) if params["step_size"] == "harmonic" else params["gamma"]


def reference_keeps(method, params, n) -> dict[int, int]:
    """Iteration -> weights kept by its pruning event."""
    N = params["iterations"]
    if method == "fw":
        k = n - round(params["sparsity"] * n)
        return {math.ceil(N / 2): k, N: k}
    s0, sN = params["sparsity_init"], params["sparsity_final"]
    return {i: n - round((s0 + i * (sN - s0) / N) * n) for i in range(1, N + 1)}


def reference_run(method, params, latent, x, y, seed) -> list[dict]:
    """The iterates of METHODS.md's `fw` / `fw_momentum` on the softmax model."""
    rng = np.random.default_rng(seed)
    W, h = latent.astype(np.float64).copy(), np.ones(latent.size, dtype=bool)
    keeps = reference_keeps(method, params, W.size)
    k = keeps[params["iterations"]]
    m = best_k(np.abs(W), W, k).astype(np.float64)  # m_0: the magnitude mask at the target
    d = np.zeros(W.size)
    iterates = []
    for i in range(1, params["iterations"] + 1):
        chosen = np.sort(rng.choice(len(y), params["subsample"], replace=False))
        g = W * softmax_loss_gradient(W * h, x[chosen], y[chosen])
        d = g if method == "fw" else params["momentum"] * d + (1 - params["momentum"]) * g
        v = reference_lmo(d, W, k)
        gamma = reference_step(params, i)
        m = (1 - gamma) * m + gamma * v
        if i in keeps:
            h = best_k(m, W, keeps[i])
        iterates.append(dict(weights=W, gradient=g, direction=d, vertex=v, relaxed_mask=m))
        iterates[-1]["hard_mask"] = h
        for _ in range(params["retrain_epochs"]):
            W = masked_gradient_step(W, h, x, y)
    iterates.append(dict(weights=W, hard_mask=h))  # the state after the last retraining
    return iterates


# --- the comparison -----------------------------------------------------------------------

COMMON = dict(subsample=16, gradient_batch_size=8, finetune_epochs=0, retrain_epochs=1)
COMMON |= dict(step_size="harmonic", gamma=0.3)
CASES = {
    "fw, harmonic": ("fw", dict(COMMON, sparsity=0.5, iterations=4, retrain_epochs=1)),
    "fw, odd N, constant step": (
        "fw",
        dict(COMMON, sparsity=0.6, iterations=5, retrain_epochs=2, step_size="constant"),
    ),
    "fw_momentum, harmonic": (
        "fw_momentum",
        dict(COMMON, sparsity_init=0.3, sparsity_final=0.6, momentum=0.9, iterations=4),
    ),
    "fw_momentum, constant step, rho 0.5": (
        "fw_momentum",
        dict(COMMON, sparsity_init=0.2, sparsity_final=0.7, momentum=0.5, iterations=5)
        | dict(step_size="constant", gamma=0.3, retrain_epochs=2),
    ),
}


def problem(seed=0):
    """Latent weights and data of a small softmax regression with separable classes."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, CLASSES, EXAMPLES)
    x = rng.normal(size=(EXAMPLES, FEATURES)) + np.eye(CLASSES, FEATURES)[y] * 2.0
    x[:, 0] = np.arange(EXAMPLES)  # an example's id, so the tests can see the subsamples
    x[:, 0] /= EXAMPLES
    return rng.normal(size=FEATURES * CLASSES), x, y


@pytest.mark.parametrize("case", CASES)
def test_every_iterate_matches_the_reference(case):
    method, params = CASES[case]
    latent, x, y = problem()
    network = PRUNERS[method](SoftmaxNetwork(latent), (x, y), params, np.random.default_rng(7))
    expected = reference_run(method, params, latent, x, y, seed=7)
    assert len(network.method_state.trace) == params["iterations"]
    for ours, theirs in zip(network.method_state.trace, expected, strict=False):
        np.testing.assert_allclose(ours.magnitudes, np.abs(theirs["weights"]), rtol=1e-12)
        for name in ("gradient", "direction", "relaxed_mask"):
            np.testing.assert_allclose(
                getattr(ours, name), theirs[name], rtol=1e-12, atol=1e-15, err_msg=name
            )
        for name in ("vertex", "hard_mask"):
            np.testing.assert_array_equal(getattr(ours, name), theirs[name], err_msg=name)
    np.testing.assert_allclose(network.latent_weights(), expected[-1]["weights"], rtol=1e-12)
    np.testing.assert_array_equal(network.mask, expected[-1]["hard_mask"])
    np.testing.assert_allclose(
        network.method_state.relaxed_mask, expected[-2]["relaxed_mask"], rtol=1e-12
    )


def test_the_reference_problems_can_tell_bugs_apart():
    """Guards the comparison above against problems too easy to show a bug. Some case has
    each of: FW masks unlike the magnitude mask of the same weights; a direction with fewer
    negative entries than k (so the LMO's "negative ones only" matters); a momentum
    direction d_i whose vertex differs from that of the fresh gradient g_i."""
    seen = set()
    for method, params in CASES.values():
        latent, x, y = problem()
        iterates = reference_run(method, params, latent, x, y, seed=7)[:-1]
        k = iterates[-1]["hard_mask"].sum()
        for it in iterates:
            magnitude = best_k(np.abs(it["weights"]), it["weights"], it["hard_mask"].sum())
            if not np.array_equal(it["hard_mask"], magnitude):
                seen.add(f"{method}: mask unlike magnitude")
            if 0 < np.count_nonzero(it["direction"] < 0) < k:
                seen.add("LMO meets positive entries")
            if method == "fw_momentum" and not np.array_equal(
                it["vertex"], reference_lmo(it["gradient"], it["weights"], k)
            ):
                seen.add("momentum changes the vertex")
    assert seen == {
        "fw: mask unlike magnitude",
        "fw_momentum: mask unlike magnitude",
        "LMO meets positive entries",
        "momentum changes the vertex",
    }


# --- behaviour under planted gradients ----------------------------------------------------


class PlantedNetwork(SoftmaxNetwork):
    """A network whose mask gradient at iteration i is the i-th planted vector."""

    def __init__(self, latent, gradients):
        super().__init__(latent)
        self.planted = list(gradients)

    def mask_gradient(self, x, y, batch_size):
        super().mask_gradient(x, y, batch_size)
        return self.planted.pop(0)


FW = dict(COMMON, iterations=4, retrain_epochs=0, step_size="harmonic", gamma=0.5)


def test_fw_revives_a_pruned_weight_the_gradient_makes_most_valuable():
    latent, x, y = problem()
    n, keep = latent.size, latent.size // 2
    pruned_first = int(np.argmin(np.abs(latent)))  # outside every magnitude mask
    valuable = np.zeros(n)
    valuable[pruned_first] = -1.0
    gradients = [np.zeros(n), np.zeros(n), valuable, valuable]
    network = PRUNERS["fw"](
        PlantedNetwork(latent, gradients), (x, y), FW | dict(sparsity=0.5), np.random.default_rng(0)
    )
    first_event, last_event = network.method_state.trace[1], network.method_state.trace[3]
    assert not first_event.hard_mask[pruned_first]
    assert last_event.hard_mask[pruned_first] and network.mask.sum() == keep
    assert network.latent_weights()[pruned_first] == latent[pruned_first]


def test_fw_follows_the_gradient_where_it_disagrees_with_magnitude():
    """g favours the smallest weights: magnitude keeps the largest, fw the smallest."""
    latent, x, y = problem()
    keep = latent.size // 2
    favour_small = -1.0 / np.abs(latent)
    network = PRUNERS["fw"](
        PlantedNetwork(latent, [favour_small] * 4),
        (x, y),
        FW | dict(sparsity=0.5),
        np.random.default_rng(0),
    )
    np.testing.assert_array_equal(network.mask, largest_magnitudes(1.0 / latent, keep))
    assert not (network.mask & largest_magnitudes(latent, keep)).any()


def test_the_momentum_direction_outvotes_the_last_gradient():
    """Three gradients favour set A, the last one set B: with rho = 0.9 the moving average
    still favours A, so the LMO picks A at the last iteration (the fresh g would pick B)."""
    latent, x, y = problem()
    n = latent.size
    keep = n - round(0.5 * n)
    set_a, set_b = np.arange(n) < keep, np.arange(n) >= n - keep
    gradients = [-1.0 * set_a] * 3 + [-1.0 * set_b]
    params = FW | dict(sparsity_init=0.5, sparsity_final=0.5, momentum=0.9)
    network = PRUNERS["fw_momentum"](
        PlantedNetwork(latent, gradients), (x, y), params, np.random.default_rng(0)
    )
    last = network.method_state.trace[-1]
    np.testing.assert_allclose(last.direction, -(1 - 0.9**3) * 0.9 * set_a - 0.1 * set_b)
    np.testing.assert_array_equal(last.vertex, set_a)
    np.testing.assert_array_equal(network.mask, set_a)


@pytest.mark.parametrize("method", ["fw", "fw_momentum"])
def test_each_iteration_draws_a_fresh_subsample_fixed_by_the_seed(method):
    latent, x, y = problem()
    params = dict(CASES[f"{method}, harmonic"][1], subsample=10)
    runs = []
    for _ in range(2):
        network = SoftmaxNetwork(latent)
        PRUNERS[method](network, (x, y), params, np.random.default_rng(3))
        runs.append([tuple(np.rint(ids * EXAMPLES).astype(int)) for ids in network.subsamples])
    subsamples = runs[0]
    assert runs[0] == runs[1]
    assert len(subsamples) == params["iterations"]
    assert len(set(subsamples)) == len(subsamples)
    for ids in subsamples:
        assert len(set(ids)) == 10 and set(ids) <= set(range(EXAMPLES))
