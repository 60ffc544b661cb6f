"""Masked training: a Keras model that computes with W ⊙ h and updates only kept weights.

`MaskedNetwork` puts together a registered network, its SGD optimizer, the mask state of
its prunable kernels (`fwprune.masking`: the unit mask, the weight mask it gives, the
frozen latent weights, the mask constraint), the training loop and the mask gradient.
Its state is saved and restored by key (`fwprune.checkpoint`), its plain model exported
by `fwprune.export`. What a pruning method may use of it is `fwprune.methods.PrunableNetwork`.
"""

import logging
import time

import keras
import numpy as np
import tensorflow as tf

from fwprune import checkpoint, groups, networks
from fwprune.channels import channel_flow
from fwprune.export import masked_export, write_exported
from fwprune.io import epochs_trained
from fwprune.learning_rates import learning_rate_at
from fwprune.masking import KernelMasks
from fwprune.model import INPUT_SHAPE, build_model, flatten_kernels, prunable_kernels, split_flat

logger = logging.getLogger("fwprune")


class SavedMethodState:
    """The entries a pruning method left in a restored state, saved again as they were."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self._arrays = arrays

    def arrays(self) -> dict[str, np.ndarray]:
        return dict(self._arrays)


def kernel_velocities(optimizer, kernels: list) -> list:
    """The SGD momentum variable of each of `kernels` ([] for plain SGD).

    Keras documents no accessor from a model variable to its optimizer variables. An SGD
    with momentum builds one per trainable variable with `add_variable_from_reference`,
    named after the reference variable's path (`cnn/conv1/kernel` ->
    `cnn_conv1_kernel_momentum`); found here by that name among `optimizer.variables`, the
    same names the saved state keys them by (`fwprune.checkpoint`). Fails loudly if Keras
    names them otherwise.
    """
    if not optimizer.momentum:
        return []
    by_name = {variable.name: variable for variable in optimizer.variables}
    velocities = [by_name.get(f"{kernel.path.replace('/', '_')}_momentum") for kernel in kernels]
    for kernel, velocity in zip(kernels, velocities, strict=True):
        if velocity is None or tuple(velocity.shape) != tuple(kernel.shape):
            raise RuntimeError(f"no SGD momentum variable for {kernel.path} in {sorted(by_name)}")
    return velocities


class MaskedNetwork:
    """A network (`fwprune.networks`, by default the paper's CNN; a registered name or a
    user's builder) built for images of `input_shape` and `num_classes` classes, with hard
    masks on its prunable kernels, its SGD state and the latent pruned weights.

    `epochs_trained` counts every epoch since initialisation and seeds the shuffling,
    so a chain of one-epoch jobs replays a single long run exactly; minus the budget it
    is the training spent after the checkpoint. It also picks each epoch's learning rate
    (`learning_rate_steps`, `fwprune.learning_rates.learning_rate_at`; none: `learning_rate`).

    Methods prune *units* (`fwprune.groups`): weights, or filters with `granularity`
    "filter". The `unit_*` members are the methods' view (`fwprune.methods.PrunableNetwork`);
    `set_unit_mask` is the only way to set a mask, the weight mask `mask` follows from it.
    A method may leave state of its own in `method_state`, saved with the network.
    """

    def __init__(
        self,
        learning_rate: float,
        momentum: float,
        batch_size: int,
        seed: int,
        network: str | dict = networks.DEFAULT,
        granularity: str = "unstructured",
        learning_rate_steps: list[dict] | None = None,
        input_shape: tuple[int, ...] = INPUT_SHAPE,
        num_classes: int = 10,
    ):
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_steps = learning_rate_steps
        self.seed = seed
        self.network = network
        self.input_shape, self.num_classes = tuple(input_shape), num_classes
        # Initial weights and the dropout stream depend on the seed alone.
        keras.utils.set_random_seed(seed)
        self.model = self.build()
        # Filters: which kernel reads which one's channels, from the model's graph.
        sources = channel_flow(self.model).source if granularity == "filter" else None
        self.masking = KernelMasks(prunable_kernels(self.model), granularity, sources)
        self.model.compile(
            optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=False,
        )
        self.model.optimizer.build(self.model.trainable_variables)
        self.granularity = granularity
        self.method_state = None
        self.epochs_trained = 0
        # This process's training, for its job's work record (`runtime.record_training`).
        self.epochs_run = self.examples_run = 0

    def build(self) -> keras.Model:
        """A fresh model of the same network, for the same data."""
        return build_model(self.network, self.num_classes, self.input_shape)

    # --- masks and latent weights (`fwprune.masking`) -------------------------------
    @property
    def kernels(self) -> list:
        return self.masking.kernels

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        return self.masking.shapes

    @property
    def size(self) -> int:
        return self.masking.size

    @property
    def mask(self) -> np.ndarray:
        """The weight mask h, from the unit mask (read-only)."""
        return self.masking.mask

    def latent_weights(self) -> np.ndarray:
        """W: trained values where kept, frozen latent values where pruned."""
        return self.masking.latent_weights()

    def kernel_velocities(self) -> list:
        """The SGD momentum variable of each prunable kernel ([] for plain SGD)."""
        return kernel_velocities(self.model.optimizer, self.kernels)

    def check_mask_invariant(self) -> None:
        """Pruned weights are exactly zero: fails loudly if a mask never reached training."""
        self.masking.check_invariant()

    # --- the methods' view: units -----------------------------------------------------
    @property
    def units(self) -> groups.Units:
        return self.masking.units

    @property
    def unit_count(self) -> int:
        return self.units.count

    @property
    def unit_mask(self) -> np.ndarray:
        """The kept units (read-only)."""
        return self.masking.unit_mask

    def unit_magnitudes(self) -> np.ndarray:
        """Each unit's score for magnitude pruning and for ties (|W| for a weight)."""
        return groups.magnitudes(self.units, self.latent_weights())

    def set_unit_mask(self, unit_mask: np.ndarray) -> None:
        """A pruning event over units: keep the weights whose units are all kept; a revived
        weight resumes from W, and every entry whose mask changes restarts from rest
        (`KernelMasks.set_unit_mask`)."""
        self.masking.set_unit_mask(unit_mask, self.kernel_velocities())

    def unit_gradient(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> np.ndarray:
        """∂L(W ⊙ h(u))/∂u at the current unit mask (METHODS.md's g for weights)."""
        weight_gradient = self.mask_gradient(x, y, batch_size)
        return groups.gradient(self.units, weight_gradient, self.unit_mask)

    # --- training and gradients -------------------------------------------------------
    def train(self, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
        """Masked SGD for `epochs` epochs, each at the learning rate of its absolute epoch
        (a restored state's epochs included); one log line per epoch."""
        # One tensor copy of the arrays per call; each epoch gathers its batches from it
        # rather than copying a shuffled array (docs/performance.md, item 1).
        examples = tf.data.Dataset.from_tensors((tf.constant(x), tf.constant(y))).repeat()
        for _ in range(epochs):
            rate = learning_rate_at(
                self.learning_rate_steps, self.learning_rate, self.epochs_trained + 1
            )
            # Set before every epoch: a restored state brings the rate it was saved with.
            self.model.optimizer.learning_rate.assign(rate)
            if self.learning_rate_steps:
                logger.info("epoch %d at learning rate %g", self.epochs_trained + 1, rate)
            order = np.random.default_rng([self.seed, self.epochs_trained]).permutation(len(y))
            start = time.perf_counter()
            batches = shuffled_batches(examples, order, self.batch_size)
            history = self.model.fit(batches, epochs=1, shuffle=False, verbose=0)
            self.epochs_trained += 1
            self.epochs_run += 1
            self.examples_run += len(y)
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

    # --- export and saved state -------------------------------------------------------
    def export(self) -> keras.Model:
        """The plain model of the same network whose kernels are W ⊙ h
        (`fwprune.export.masked_export`)."""
        masks = split_flat(self.mask, self.shapes)
        return masked_export(self.model, self.build(), self.granularity, masks)

    def state_variables(self) -> dict:
        """{key: variable} of the model and the optimizer, as the saved state keys them."""
        return checkpoint.model_variables(self.model) | checkpoint.optimizer_variables(
            self.model.optimizer
        )

    def save(self, state_path, model_path, litert_path=None, sparse_litert_path=None) -> None:
        """Write the full state (npz, `fwprune.checkpoint`) and the exported Keras model, each
        atomically, and if their paths are given, the exported model's LiteRT twin (float32)
        and the twin in the converter's sparse format (`fwprune.export.write_exported`)."""
        arrays = {} if self.method_state is None else self.method_state.arrays()
        if not all(map(checkpoint.is_method_key, arrays)):
            raise ValueError(f"a method's state must be keyed <method>/<name>: {sorted(arrays)}")
        masking = self.masking
        arrays |= {"latent": masking.latent, "mask": masking.mask, "unit_mask": masking.unit_mask}
        checkpoint.save(state_path, self.state_variables(), arrays, self.epochs_trained)
        write_exported(self.export(), model_path, litert_path, sparse_litert_path)

    def restore(self, state_path) -> "MaskedNetwork":
        """Load a state written by `save` (by any build of the same network)."""
        saved = checkpoint.load(state_path, self.state_variables())
        method = {key: value for key, value in saved.items() if checkpoint.is_method_key(key)}
        self.method_state = SavedMethodState(method) if method else None
        self.masking.load(self._saved_unit_mask(saved), saved["mask"], saved["latent"])
        self.epochs_trained = epochs_trained(state_path)
        return self

    def _saved_unit_mask(self, saved: dict) -> np.ndarray:
        """The saved unit mask, if its units are ours; a checkpoint of another granularity
        (pretraining is unstructured) is unpruned, so all units are kept."""
        unit_mask = saved["unit_mask"]
        if unit_mask.size == self.units.count:
            return unit_mask.astype(bool)
        if not unit_mask.all():
            raise ValueError(f"a pruned state of other units cannot be read as {self.granularity}")
        return np.ones(self.units.count, dtype=bool)


def shuffled_batches(examples: tf.data.Dataset, order: np.ndarray, batch_size: int):
    """Batches of `examples` (an endless repeat of (x, y)) taken in `order`, as Keras's own
    shuffling gathers them: no shuffled copy of the arrays is made."""
    indices = tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    def gather(index, data):
        return tuple(tf.gather(part, index) for part in data)

    return tf.data.Dataset.zip((indices, examples)).map(gather).prefetch(1)
