"""Masked training on the real model with small random data (a few seconds each)."""

import numpy as np
import pytest

from fwprune import groups, runtime
from fwprune.export import load_exported
from fwprune.io import epochs_trained
from fwprune.masks import magnitude_mask
from fwprune.metrics import evaluate
from fwprune.model import flatten_kernels, prunable_kernels, split_flat
from fwprune.networks import REGISTRY
from fwprune.training import MaskedNetwork

SEED = 3


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    runtime.configure(threads=1, seed=SEED)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(256, 28, 28, 1)).astype("float32")
    return x, rng.integers(0, 10, size=256).astype("int32")


def network(seed=SEED, name="cnn"):
    return MaskedNetwork(learning_rate=0.05, momentum=0.0, batch_size=64, seed=seed, network=name)


# Every registered network trains masked and exports (fwprune/networks/).
NETWORKS = pytest.mark.parametrize("name", list(REGISTRY))


def all_values(net):
    return [v.numpy() for v in net.model.variables + net.model.optimizer.variables]


# A learning-rate schedule (train.learning_rate_steps) in small: epoch 1 at rate 0, so that
# no step moves a weight, epochs 2-3 at 0.05, then 0.02 for good.
SCHEDULE = [
    {"epochs": 1, "learning_rate": 0.0},
    {"epochs": 2, "learning_rate": 0.05},
    {"epochs": 1, "learning_rate": 0.02},
]


def scheduled(steps=SCHEDULE, momentum=0.9):
    return MaskedNetwork(
        learning_rate=0.05,
        momentum=momentum,
        batch_size=64,
        seed=SEED,
        learning_rate_steps=steps,
    )


# The schedule's epoch 2 has another rate than epoch 1: the resumed job must find it.
@pytest.mark.parametrize(
    "steps",
    [None, [{"epochs": 1, "learning_rate": 0.05}, *SCHEDULE[2:]]],
    ids=["constant", "schedule"],
)
def test_two_epochs_at_once_equal_the_two_step_chain(data, tmp_path, steps):
    straight = scheduled(steps, momentum=0.0)
    start = tmp_path / "start.npz"
    straight.save(start, tmp_path / "start.keras")
    straight.train(*data, epochs=2)

    chained = scheduled(steps, momentum=0.0)
    chained.restore(start).train(*data, epochs=1)
    chained.save(tmp_path / "one.npz", tmp_path / "one.keras")
    resumed = scheduled(steps, momentum=0.0).restore(tmp_path / "one.npz")
    resumed.train(*data, epochs=1)

    assert resumed.epochs_trained == straight.epochs_trained == 2
    for a, b in zip(all_values(straight), all_values(resumed), strict=True):
        np.testing.assert_array_equal(a, b)


def record_epochs(net) -> list[tuple[float, bool]]:
    """Per epoch `net` trains from now on: the optimizer's learning rate during it and
    whether any trainable weight moved (its model's `fit` runs one epoch per call)."""
    record = []
    fit = net.model.fit

    def recording_fit(*args, **kwargs):
        before = [variable.numpy() for variable in net.model.trainable_variables]
        rate = float(net.model.optimizer.learning_rate.numpy())
        history = fit(*args, **kwargs)
        after = [variable.numpy() for variable in net.model.trainable_variables]
        moved = any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))
        record.append((rate, moved))
        return history

    net.model.fit = recording_fit
    return record


def test_training_takes_each_rate_from_the_absolute_epoch(data, tmp_path):
    """Epochs 1-2 in one job, then a job resuming from the saved state trains epochs 3-5:
    the rates are the schedule's for epochs 1..5, the last step's rate holding past its
    end; at rate 0 (with momentum, from rest) no weight moves."""
    first = scheduled()
    first_epochs = record_epochs(first)
    first.train(*data, epochs=2)
    first.save(tmp_path / "two.npz", tmp_path / "two.keras")
    resumed = scheduled().restore(tmp_path / "two.npz")
    resumed_epochs = record_epochs(resumed)
    resumed.train(*data, epochs=3)

    rates, moved = zip(*(first_epochs + resumed_epochs), strict=True)
    expected = [0.0, 0.05, 0.05, 0.02, 0.02]
    assert list(rates) == [float(np.float32(rate)) for rate in expected]
    assert list(moved) == [False, True, True, True, True]
    assert resumed.epochs_trained == 5


def test_without_a_schedule_every_epoch_has_the_constant_rate(data, tmp_path):
    net = scheduled(steps=None)
    epochs = record_epochs(net)
    net.train(*data, epochs=2)
    assert epochs == [(float(np.float32(0.05)), True)] * 2


@NETWORKS
def test_pruned_weights_stay_zero_and_latent_frozen_through_training(data, name):
    net = network(name=name)
    before = net.latent_weights()
    mask = magnitude_mask(before, 0.7)
    net.set_unit_mask(mask)
    net.train(*data, epochs=2)
    kernels = flatten_kernels(net.kernels)
    assert np.all(kernels[~mask] == 0.0)
    np.testing.assert_array_equal(net.latent_weights()[~mask], before[~mask])
    # Kept weights train; on random data some ReLU units stay dead, and their weights with
    # them (LeNet-5 here: 0.50 of its kept weights moved, 0.46-0.48 in dense1 and dense2).
    assert np.count_nonzero(kernels[mask] != before[mask]) > 0.4 * mask.sum()


def test_a_new_mask_reaches_the_compiled_train_step(data):
    """Keras compiles the train step once; a later mask must still be obeyed."""
    net = network()
    net.train(*data, epochs=1)
    mask = magnitude_mask(net.latent_weights(), 0.5)
    net.set_unit_mask(mask)
    net.train(*data, epochs=1)
    assert np.all(flatten_kernels(net.kernels)[~mask] == 0.0)


def test_revived_weight_resumes_from_its_latent_value(data):
    net = network()
    latent = net.latent_weights()
    net.set_unit_mask(magnitude_mask(latent, 0.5))
    net.set_unit_mask(np.ones(net.size, bool))
    np.testing.assert_array_equal(flatten_kernels(net.kernels), latent)


def test_invariant_check_catches_regrown_weights():
    net = network()
    net.set_unit_mask(magnitude_mask(net.latent_weights(), 0.5))
    flat = flatten_kernels(net.kernels)
    flat[np.flatnonzero(~net.mask)[0]] = 1.0  # what a mask lost by Keras would allow
    for variable, values in zip(net.kernels, split_flat(flat, net.shapes), strict=True):
        variable.assign(values)
    with pytest.raises(RuntimeError, match="1 pruned weights are non-zero"):
        net.check_mask_invariant()


@NETWORKS
def test_batched_mask_gradient_equals_per_example_sum(data, name):
    net = network(name=name)
    net.set_unit_mask(magnitude_mask(net.latent_weights(), 0.5))
    x, y = data[0][:48], data[1][:48]
    batched = net.mask_gradient(x, y, batch_size=16)
    per_example = sum(net.mask_gradient(x[i : i + 1], y[i : i + 1], 1) for i in range(48)) / 48
    np.testing.assert_allclose(batched, per_example, atol=1e-5, rtol=1e-4)
    assert np.count_nonzero(batched[~net.mask]), "g must be defined for pruned weights too"


@NETWORKS
def test_export_has_exact_zeros_and_the_same_predictions(data, tmp_path, name):
    net = network(name=name)
    net.set_unit_mask(magnitude_mask(net.latent_weights(), 0.6))
    net.save(tmp_path / "s.npz", tmp_path / "s.keras")
    exported = load_exported(tmp_path / "s.keras")
    assert exported.name == name
    kernels = flatten_kernels(prunable_kernels(exported))
    assert np.count_nonzero(kernels == 0) == np.count_nonzero(~net.mask)
    np.testing.assert_allclose(
        exported.predict(data[0], verbose=0), net.model.predict(data[0], verbose=0)
    )
    assert epochs_trained(tmp_path / "s.npz") == 0
    scores = evaluate(exported, *data, batch_size=128)
    assert 0 <= scores["test_accuracy"] <= 1 and scores["test_loss"] > 0


def gate_gradient(net, gate: np.ndarray, x, y, weight_gate=lambda gate: gate) -> np.ndarray:
    """dL/dm of the mean loss L(W ⊙ weight_gate(m)) at the gate m, by autodiff through an
    explicit gate on the latent weights: an independent route to METHODS.md's
    g = W ⊙ ∂L/∂(W ⊙ h) (and, with a gate per filter, to the filter gradient)."""
    import tensorflow as tf

    gate = tf.Variable(gate.astype("float32"))
    sizes = [int(np.prod(shape)) for shape in net.shapes]
    with tf.GradientTape() as tape:
        gated = tf.split(tf.constant(net.latent_weights(), tf.float32) * weight_gate(gate), sizes)
        by_kernel = {
            id(kernel): tf.reshape(piece, kernel.shape)
            for kernel, piece in zip(net.kernels, gated, strict=True)
        }
        trainable = [by_kernel.get(id(v), v) for v in net.model.trainable_variables]
        probabilities, _ = net.model.stateless_call(
            trainable, net.model.non_trainable_variables, x, training=False
        )
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, probabilities))
    return tf.convert_to_tensor(tape.gradient(loss, gate)).numpy()  # a gather gives slices


@pytest.mark.parametrize("batch_size", [7, 40])
def test_mask_gradient_is_the_gradient_in_a_gate_at_the_hard_mask(data, batch_size):
    """For kept and for pruned weights, whatever the batching of the estimate."""
    net = network()
    net.train(*data, epochs=1)
    net.set_unit_mask(magnitude_mask(net.latent_weights(), 0.6))
    x, y = data[0][:40], data[1][:40]
    expected = gate_gradient(net, net.mask.astype("float32"), x, y)
    measured = net.mask_gradient(x, y, batch_size)
    scale = np.abs(expected).max()
    for part in (net.mask, ~net.mask):
        np.testing.assert_allclose(measured[part], expected[part], rtol=1e-3, atol=1e-4 * scale)
        assert np.count_nonzero(expected[part]) > 0.5 * part.sum()


def test_an_entry_whose_mask_changes_restarts_from_rest_under_momentum(data):
    """SGD momentum: pruning or reviving an entry clears its velocity, nothing else does."""
    net = MaskedNetwork(learning_rate=0.05, momentum=0.9, batch_size=64, seed=SEED)
    net.train(*data, epochs=1)
    before = flatten_kernels(net.kernel_velocities())
    assert np.count_nonzero(before) > 0.5 * before.size
    mask = magnitude_mask(net.latent_weights(), 0.5)
    net.set_unit_mask(mask)
    after = flatten_kernels(net.kernel_velocities())
    np.testing.assert_array_equal(after[~mask], 0.0)
    np.testing.assert_array_equal(after[mask], before[mask])

    net.train(*data, epochs=1)  # pruned entries gather velocity that never moves them
    assert np.all(flatten_kernels(net.kernels)[~mask] == 0.0)
    before = flatten_kernels(net.kernel_velocities())
    net.set_unit_mask(np.ones(net.size, bool))
    after = flatten_kernels(net.kernel_velocities())
    np.testing.assert_array_equal(after[~mask], 0.0)
    np.testing.assert_array_equal(after[mask], before[mask])


def test_the_velocities_found_by_name_are_keras_own(data):
    """`kernel_velocities` finds each kernel's momentum by name; Keras' SGD lists them in
    `momentums`, one per trainable variable, in order."""
    net = MaskedNetwork(learning_rate=0.05, momentum=0.9, batch_size=64, seed=SEED)
    optimizer = net.model.optimizer
    by_variable = dict(
        zip(map(id, net.model.trainable_variables), optimizer.momentums, strict=True)
    )
    assert net.kernel_velocities() == [by_variable[id(kernel)] for kernel in net.kernels]
    assert network().kernel_velocities() == []


# --- the saved state ---------------------------------------------------------------


def momentum_network(name="cnn", granularity="unstructured"):
    return MaskedNetwork(0.05, 0.9, 64, seed=SEED, network=name, granularity=granularity)


def test_the_state_keys_name_what_they_hold(tmp_path):
    net = momentum_network()
    net.save(tmp_path / "s.npz", tmp_path / "s.keras")
    layers = {"conv1": ("kernel", "bias"), "conv2": ("kernel", "bias"), "dense": ("kernel", "bias")}
    expected = {f"model/{layer}/{v}" for layer, names in layers.items() for v in names}
    expected |= {"model/dropout/seed_generator_state", "optimizer/iteration"}
    expected |= {"optimizer/learning_rate", "unit_mask", "mask", "latent", "meta"}
    expected |= {
        f"optimizer/cnn_{layer}_{v}_momentum" for layer in layers for v in ("kernel", "bias")
    }
    with np.load(tmp_path / "s.npz") as archive:
        assert set(archive.files) == expected


def test_a_state_loads_into_another_build_of_the_same_network(data, tmp_path):
    """Keras numbers the names of a process's later optimizers and seed generators (`sgd_1`,
    `seed_generator_1`): the state's keys must not depend on them."""
    first = momentum_network()
    first.train(*data, epochs=1)
    first.set_unit_mask(magnitude_mask(first.latent_weights(), 0.5))
    first.save(tmp_path / "s.npz", tmp_path / "s.keras")
    momentum_network(name="lenet5")  # more names taken in this process
    second = momentum_network().restore(tmp_path / "s.npz")
    assert second.model.optimizer.name != first.model.optimizer.name
    paths = [[v.path for v in net.model.variables] for net in (first, second)]
    assert paths[0] != paths[1]  # the seed generators' paths differ
    ours, theirs = first.state_variables(), second.state_variables()
    assert list(ours) == list(theirs)
    for key, variable in ours.items():
        np.testing.assert_array_equal(theirs[key].numpy(), variable.numpy(), err_msg=key)
    np.testing.assert_array_equal(second.unit_mask, first.unit_mask)
    np.testing.assert_array_equal(second.latent_weights(), first.latent_weights())
    assert second.epochs_trained == 1
    for net in (first, second):
        net.train(*data, epochs=1)
    for a, b in zip(all_values(first), all_values(second), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_state_of_another_network_fails_naming_its_keys(tmp_path):
    from fwprune.checkpoint import StateMismatch

    momentum_network().save(tmp_path / "s.npz", tmp_path / "s.keras")
    with pytest.raises(StateMismatch, match=r"missing \[.*'model/dense1/kernel'.*unexpected"):
        momentum_network(name="lenet5").restore(tmp_path / "s.npz")
    with np.load(tmp_path / "s.npz") as archive:
        lost = {k: archive[k] for k in archive.files if k != "optimizer/cnn_conv1_bias_momentum"}
    np.savez(tmp_path / "lost.npz", **lost)
    with pytest.raises(StateMismatch, match=r"missing \['optimizer/cnn_conv1_bias_momentum'\]"):
        momentum_network().restore(tmp_path / "lost.npz")  # a velocity lost, not a switch
    with np.load(tmp_path / "s.npz") as archive:
        positions = {f"variable/{i}": archive[key] for i, key in enumerate(archive.files)}
    np.savez(tmp_path / "old.npz", **positions)
    with pytest.raises(StateMismatch, match="keyed by variable position"):
        network().restore(tmp_path / "old.npz")


@pytest.mark.parametrize("switch", ["momentum to plain", "plain to momentum"])
def test_a_state_loads_under_the_other_optimiser_with_velocities_at_rest(data, tmp_path, switch):
    """A method's own `sgd_momentum` retrains a checkpoint of the other optimiser: the
    weights and the step count load, the velocities start at zero (or are dropped)."""
    writer, reader = (
        (momentum_network, network)
        if switch == "momentum to plain"
        else (network, momentum_network)
    )
    first = writer()
    first.train(*data, epochs=1)
    first.save(tmp_path / "s.npz", tmp_path / "s.keras")
    second = reader().restore(tmp_path / "s.npz")
    for a, b in zip(first.model.variables, second.model.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert second.model.optimizer.iterations.numpy() == first.model.optimizer.iterations.numpy() > 0
    velocities = second.kernel_velocities()
    assert bool(velocities) == (reader is momentum_network)
    for velocity in velocities:
        assert not velocity.numpy().any()


def test_the_unit_mask_is_the_only_mask(tmp_path):
    """No second setter; the weight mask is read-only and follows from the unit mask; a
    state whose weight mask is not its unit mask's is refused."""
    net = momentum_network(granularity="filter")
    assert not hasattr(net, "set_mask")
    kept = np.arange(net.unit_count) % 4 != 0
    net.set_unit_mask(kept)
    with pytest.raises(ValueError, match="read-only"):
        net.mask[0] = False
    with pytest.raises(ValueError, match="read-only"):
        net.unit_mask[0] = False
    np.testing.assert_array_equal(net.mask, groups.expand(net.units, kept))
    net.save(tmp_path / "s.npz", tmp_path / "s.keras")
    with np.load(tmp_path / "s.npz") as archive:
        entries = dict(archive)
    entries["mask"] = entries["mask"].copy()
    entries["mask"][np.flatnonzero(entries["mask"])[0]] = False
    np.savez(tmp_path / "bad.npz", **entries)
    with pytest.raises(ValueError, match="not the one its unit mask gives"):
        momentum_network(granularity="filter").restore(tmp_path / "bad.npz")
