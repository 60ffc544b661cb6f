"""Masked training: a Keras model that computes with W ⊙ h and updates only kept weights.

The model's kernels hold W ⊙ h; the latent values of pruned weights are kept aside, frozen,
so that Frank-Wolfe can revive them. Each kernel has a constraint that multiplies it by
its mask after every optimizer step: with SGD this equals using the gradient h ⊙ ∂L/∂(W⊙h),
and pruned entries stay exactly 0.0. The masks are variables read inside the compiled
train step, so assigning a new mask takes effect without recompiling.
"""

import json
import logging
import time

import keras
import numpy as np
import tensorflow as tf

from fwprune import groups, networks
from fwprune.export import litert_bytes, physical_model
from fwprune.io import atomic_output, epochs_trained
from fwprune.model import build_model, flatten_kernels, prunable_kernels, split_flat

logger = logging.getLogger("fwprune")


class MaskConstraint(keras.constraints.Constraint):
    """Zero the pruned entries of a kernel after each update."""

    def __init__(self, mask: keras.Variable):
        self.mask = mask

    def __call__(self, weights):
        return weights * self.mask


class MaskedNetwork:
    """A registered network (`fwprune.networks`, by default the paper's CNN) with hard
    masks on its prunable kernels, its SGD state and the latent pruned weights.

    `epochs_trained` counts every epoch since initialisation and seeds the shuffling,
    so a chain of one-epoch jobs replays a single long run exactly; minus the budget it
    is the training spent after the checkpoint.

    Methods prune *units* (`fwprune.groups`): weights, or filters with `granularity`
    "filter". The `unit_*` members are the methods' view; the weight mask follows from the
    unit mask.
    """

    def __init__(
        self,
        learning_rate: float,
        momentum: float,
        batch_size: int,
        seed: int,
        network: str = networks.DEFAULT,
        granularity: str = "unstructured",
    ):
        self.batch_size = batch_size
        self.seed = seed
        self.network = network
        # Initial weights and the dropout stream depend on the seed alone.
        keras.utils.set_random_seed(seed)
        self.model = build_model(network)
        self.kernels = prunable_kernels(self.model)
        self.shapes = [tuple(kernel.shape) for kernel in self.kernels]
        self.masks = [keras.Variable(np.ones(s, "float32"), trainable=False) for s in self.shapes]
        for kernel, mask in zip(self.kernels, self.masks, strict=True):
            kernel.constraint = MaskConstraint(mask)
        self.model.compile(
            optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=False,
        )
        self.model.optimizer.build(self.model.trainable_variables)
        self.latent = flatten_kernels(self.kernels)
        self.granularity = granularity
        self.units = groups.units_for(granularity, self.shapes)
        self.unit_mask = np.ones(self.units.count, dtype=bool)
        self.frank_wolfe_state: dict[str, np.ndarray] = {}
        self.epochs_trained = 0

    # --- masks and latent weights -------------------------------------------------
    @property
    def size(self) -> int:
        return self.latent.size

    @property
    def mask(self) -> np.ndarray:
        return flatten_kernels(self.masks).astype(bool)

    def latent_weights(self) -> np.ndarray:
        """W: trained values where kept, frozen latent values where pruned."""
        return np.where(self.mask, flatten_kernels(self.kernels), self.latent)

    def set_mask(self, mask: np.ndarray) -> None:
        """A pruning event: compute with W ⊙ h from now on; a revived weight resumes from W.

        Every entry whose mask changes also loses its SGD velocity: masked SGD with momentum
        gives a pruned entry no velocity, so a revived weight restarts from rest (the
        velocity Keras accumulates for pruned entries never moves them: the constraint
        zeroes them after each step).
        """
        latent = self.latent_weights()
        mask = np.asarray(mask, dtype=bool).ravel()
        unchanged = mask == self.mask
        self._assign_flat(self.masks, mask)
        self._assign_flat(self.kernels, latent * mask)
        velocities = self.kernel_velocities()
        if velocities:
            self._assign_flat(velocities, flatten_kernels(velocities) * unchanged)
        self.latent = latent

    # --- the methods' view: units ---------------------------------------------------
    @property
    def unit_count(self) -> int:
        return self.units.count

    def unit_magnitudes(self) -> np.ndarray:
        """Each unit's score for magnitude pruning and for ties (|W| for a weight)."""
        return groups.magnitudes(self.units, self.latent_weights())

    def set_unit_mask(self, unit_mask: np.ndarray) -> None:
        """A pruning event over units: keep the weights whose units are all kept."""
        self.unit_mask = np.asarray(unit_mask, dtype=bool).ravel().copy()
        self.set_mask(groups.expand(self.units, self.unit_mask))

    def unit_gradient(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> np.ndarray:
        """∂L(W ⊙ h(u))/∂u at the current unit mask (METHODS.md's g for weights)."""
        weight_gradient = self.mask_gradient(x, y, batch_size)
        return groups.gradient(self.units, weight_gradient, self.unit_mask)

    def kernel_velocities(self) -> list:
        """The SGD momentum variable of each prunable kernel ([] for plain SGD)."""
        optimizer = self.model.optimizer
        if not optimizer.momentums:
            return []
        # SGD builds one momentum per trainable variable, in the order it was built with.
        by_variable = dict(
            zip(map(id, self.model.trainable_variables), optimizer.momentums, strict=True)
        )
        return [by_variable[id(kernel)] for kernel in self.kernels]

    def _assign_flat(self, variables: list, flat: np.ndarray) -> None:
        pieces = split_flat(flat.astype("float32"), self.shapes)
        for variable, values in zip(variables, pieces, strict=True):
            variable.assign(values)

    def check_mask_invariant(self) -> None:
        """Pruned weights are exactly zero: fails loudly if a mask never reached training."""
        grown_back = np.count_nonzero(flatten_kernels(self.kernels)[~self.mask])
        if grown_back:
            raise RuntimeError(f"{grown_back} pruned weights are non-zero after training")

    # --- training and gradients ---------------------------------------------------
    def train(self, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
        """Masked SGD for `epochs` epochs; one log line per epoch."""
        # One tensor copy of the arrays per call; each epoch gathers its batches from it
        # rather than copying a shuffled array (docs/performance.md, item 1).
        examples = tf.data.Dataset.from_tensors((tf.constant(x), tf.constant(y))).repeat()
        for _ in range(epochs):
            order = np.random.default_rng([self.seed, self.epochs_trained]).permutation(len(y))
            start = time.perf_counter()
            batches = shuffled_batches(examples, order, self.batch_size)
            history = self.model.fit(batches, epochs=1, shuffle=False, verbose=0)
            self.epochs_trained += 1
            logger.info(
                "epoch %d: loss %.4f accuracy %.4f (%.1f s)",
                self.epochs_trained,
                history.history["loss"][-1],
                history.history["accuracy"][-1],
                time.perf_counter() - start,
            )
        self.check_mask_invariant()

    @tf.function(reduce_retracing=True)
    def _summed_kernel_gradients(self, x, y):
        with tf.GradientTape() as tape:
            probabilities = self.model(x, training=False)
            loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(y, probabilities))
        return tape.gradient(loss, self.kernels)

    def mask_gradient(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> np.ndarray:
        """g = W ⊙ ∂L/∂(W⊙h), L the mean loss over (x, y), dropout off; one pass per batch."""
        totals = [np.zeros(shape, np.float64) for shape in self.shapes]
        for start in range(0, len(y), batch_size):
            batch = slice(start, start + batch_size)
            gradients = self._summed_kernel_gradients(x[batch], y[batch])
            for total, gradient in zip(totals, gradients, strict=True):
                total += gradient.numpy()
        return self.latent_weights() * flatten_kernels(totals) / len(y)

    def export(self) -> keras.Model:
        """A plain model of the same network whose kernels are W ⊙ h: with exact zeros, or
        with `filter` granularity, without the removed filters. A filter mask that removes
        a whole layer leaves a network with a constant output and no smaller form: it is
        exported at full shape, zeros and all, so that its accuracy and cost are measured
        as they are."""
        plain = build_model(self.network)
        plain.set_weights(self.model.get_weights())
        if self.granularity != "filter":
            return plain
        masks = split_flat(self.mask, self.shapes)
        if not all(mask.any() for mask in masks):
            logger.warning("a layer lost every filter: the output is constant; full shape")
            return plain
        return physical_model(plain, masks)

    # --- checkpoints --------------------------------------------------------------
    def save(self, state_path, model_path, litert_path=None, sparse_litert_path=None) -> None:
        """Write the full state (npz) and the exported Keras model, each atomically, and if
        their paths are given, the exported model's LiteRT twin (float32) and the twin in
        the converter's sparse format (`fwprune.export.litert_bytes`)."""
        arrays = {f"variable/{i}": v.numpy() for i, v in enumerate(self.model.variables)}
        arrays |= {
            f"optimizer/{i}": v.numpy() for i, v in enumerate(self.model.optimizer.variables)
        }
        arrays |= {f"frank_wolfe/{k}": v for k, v in self.frank_wolfe_state.items()}
        meta = json.dumps({"epochs_trained": self.epochs_trained})
        arrays |= {"latent": self.latent, "mask": self.mask, "unit_mask": self.unit_mask}
        arrays |= {"meta": np.array(meta)}
        with atomic_output(state_path) as temporary:
            np.savez(temporary, **arrays)
        exported = self.export()
        with atomic_output(model_path) as temporary:
            exported.save(temporary)
        for path, sparse in ((litert_path, False), (sparse_litert_path, True)):
            if path is not None:
                with atomic_output(path) as temporary:
                    temporary.write_bytes(litert_bytes(exported, sparse=sparse))

    def restore(self, state_path) -> "MaskedNetwork":
        """Load a state written by `save`."""
        with np.load(state_path) as archive:
            for i, variable in enumerate(self.model.variables):
                variable.assign(archive[f"variable/{i}"])
            for i, variable in enumerate(self.model.optimizer.variables):
                variable.assign(archive[f"optimizer/{i}"])
            prefix = "frank_wolfe/"
            self.frank_wolfe_state = {
                k[len(prefix) :]: archive[k] for k in archive.files if k.startswith(prefix)
            }
            self._assign_flat(self.masks, archive["mask"])
            self._restore_unit_mask(archive)
            self.latent = archive["latent"]
        self.epochs_trained = epochs_trained(state_path)
        return self

    def _restore_unit_mask(self, archive) -> None:
        """The saved unit mask, if its units are ours; a checkpoint of another granularity
        (pretraining is unstructured) is unpruned, so all units are kept."""
        saved = archive["unit_mask"] if "unit_mask" in archive.files else archive["mask"]
        if saved.size == self.units.count:
            self.unit_mask = saved.astype(bool)
        elif not saved.all():
            raise ValueError(f"a pruned state of other units cannot be read as {self.granularity}")


def shuffled_batches(examples: tf.data.Dataset, order: np.ndarray, batch_size: int):
    """Batches of `examples` (an endless repeat of (x, y)) taken in `order`, as Keras's own
    shuffling gathers them: no shuffled copy of the arrays is made."""
    indices = tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    def gather(index, data):
        return tuple(tf.gather(part, index) for part in data)

    return tf.data.Dataset.zip((indices, examples)).map(gather).prefetch(1)


def load_exported(path) -> keras.Model:
    return keras.saving.load_model(path, compile=False)


def evaluate(model: keras.Model, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, float]:
    """Test loss and accuracy of a plain Keras model."""
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=False)
    scores = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)
    return {"test_loss": float(scores["loss"]), "test_accuracy": float(scores["accuracy"])}
