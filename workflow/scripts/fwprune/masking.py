"""The mask state of a network's prunable kernels: the unit mask, the weight mask it gives,
the frozen latent values of pruned weights, and the constraint that keeps them pruned.

The unit mask (`fwprune.groups`: weights, or filters) is the only mask anyone sets; the
weight mask h = `groups.expand(units, unit_mask)` follows from it. The kernels hold W ⊙ h;
each kernel's `MaskConstraint` multiplies it by its mask variable after every optimizer
step, so pruned entries stay exactly 0.0. The mask variables are read inside the compiled
train step: assigning a new mask takes effect without recompiling.
"""

import keras
import numpy as np

from fwprune import groups
from fwprune.model import flatten_kernels, split_flat


class MaskConstraint(keras.constraints.Constraint):
    """Zero the pruned entries of a kernel after each update."""

    def __init__(self, mask: keras.Variable):
        self.mask = mask

    def __call__(self, weights):
        return weights * self.mask


def read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class KernelMasks:
    """Hard masks on `kernels` (the prunable kernel variables, in model order) over units of
    `granularity`, and the latent weights W behind them; for filters, kernel i reads the
    filters of kernel `sources[i]` (`fwprune.channels.channel_flow`; default: a chain)."""

    def __init__(self, kernels: list, granularity: str, sources: list[int | None] | None = None):
        self.kernels = kernels
        self.shapes = [tuple(kernel.shape) for kernel in kernels]
        self.masks = [keras.Variable(np.ones(s, "float32"), trainable=False) for s in self.shapes]
        for kernel, mask in zip(kernels, self.masks, strict=True):
            kernel.constraint = MaskConstraint(mask)
        self.granularity = granularity
        self.units = groups.units_for(granularity, self.shapes, sources)
        self.latent = flatten_kernels(kernels)
        self._unit_mask = read_only(np.ones(self.units.count, dtype=bool))
        self._mask = read_only(np.ones(self.latent.size, dtype=bool))

    @property
    def size(self) -> int:
        return self.latent.size

    @property
    def unit_mask(self) -> np.ndarray:
        """The kept units (read-only: set it with `set_unit_mask`)."""
        return self._unit_mask

    @property
    def mask(self) -> np.ndarray:
        """The weight mask h the unit mask gives (read-only)."""
        return self._mask

    def latent_weights(self) -> np.ndarray:
        """W: trained values where kept, frozen latent values where pruned."""
        return np.where(self.mask, flatten_kernels(self.kernels), self.latent)

    def set_unit_mask(self, unit_mask: np.ndarray, velocities: list) -> None:
        """A pruning event: keep the weights whose units are all kept, and compute with
        W ⊙ h from now on; a revived weight resumes from W.

        Every entry whose mask changes also loses its velocity in `velocities` (the SGD
        momentum of each kernel, [] for plain SGD): masked SGD with momentum gives a pruned
        entry no velocity, so a revived weight restarts from rest (the velocity Keras
        accumulates for pruned entries never moves them: the constraint zeroes them after
        each step).
        """
        unit_mask = np.asarray(unit_mask, dtype=bool).ravel().copy()
        mask = groups.expand(self.units, unit_mask)
        latent = self.latent_weights()
        unchanged = mask == self.mask
        self._assign_flat(self.masks, mask)
        self._assign_flat(self.kernels, latent * mask)
        if velocities:
            self._assign_flat(velocities, flatten_kernels(velocities) * unchanged)
        self.latent = latent
        self._unit_mask, self._mask = read_only(unit_mask), read_only(mask)

    def load(self, unit_mask: np.ndarray, mask: np.ndarray, latent: np.ndarray) -> None:
        """Take a saved state as it is (its kernels and velocities are restored apart):
        the unit mask, the weight mask it must give, and the latent weights."""
        unit_mask = np.asarray(unit_mask, dtype=bool).ravel().copy()
        expanded = groups.expand(self.units, unit_mask)
        if not np.array_equal(expanded, np.asarray(mask, dtype=bool).ravel()):
            raise ValueError("the saved weight mask is not the one its unit mask gives")
        self._assign_flat(self.masks, expanded)
        self._unit_mask, self._mask = read_only(unit_mask), read_only(expanded)
        self.latent = np.asarray(latent)

    def _assign_flat(self, variables: list, flat: np.ndarray) -> None:
        pieces = split_flat(flat.astype("float32"), self.shapes)
        for variable, values in zip(variables, pieces, strict=True):
            variable.assign(values)

    def check_invariant(self) -> None:
        """Pruned weights are exactly zero: fails loudly if a mask never reached training."""
        grown_back = np.count_nonzero(flatten_kernels(self.kernels)[~self.mask])
        if grown_back:
            raise RuntimeError(f"{grown_back} pruned weights are non-zero after training")
