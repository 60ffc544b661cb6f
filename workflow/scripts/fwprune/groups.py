"""Pruning units over the flat vector of all prunable weights (docs/filter-pruning.md).

A *unit* is what a method keeps or removes: one weight (granularity `unstructured`) or one
filter of a Conv2D layer together with every weight that reads its output channel
(granularity `filter`). Each weight has at most two units: its *producer* (the filter whose
output channel it computes) and its *consumer* (the filter whose output channel it reads).
A weight is kept when both are kept, so a unit mask u gives the weight mask

    h = u[producer] ⊙ u[consumer]        (a missing unit counts as kept)

and the relaxed problem of the FW methods is f(u) = L(W ⊙ u[producer] ⊙ u[consumer]).
Pure numpy, no Keras: every function takes and returns flat arrays.
"""

import dataclasses

import numpy as np

GRANULARITIES = ("unstructured", "filter")
# Where a method ranks its units (docs/filter-pruning.md, "Ranking scope"): all units in
# one ranking, or each layer's units among themselves, each layer losing the same share.
SCOPES = ("global", "layer")


@dataclasses.dataclass(frozen=True)
class Units:
    """Each weight's producer and consumer unit; `count` stands for "no unit" (kept)."""

    producer: np.ndarray  # int, one entry per weight
    consumer: np.ndarray  # int, one entry per weight
    count: int  # number of units
    # int, one entry per unit: the prunable kernel (in model order) the unit belongs to,
    # the layer it is ranked in with scope `layer` (`ranking_layers`).
    layer: np.ndarray


def weight_units(size: int, layer: np.ndarray | None = None) -> Units:
    """Unstructured pruning: every weight is its own unit, in its kernel's layer (`layer`,
    one index per weight; all 0 if not given)."""
    layer = np.zeros(size, np.int64) if layer is None else np.asarray(layer, np.int64)
    if layer.shape != (size,):
        raise ValueError(f"{layer.shape} layer indices for {size} weights")
    return Units(np.arange(size), np.full(size, size), size, layer)


def chain_sources(shapes: list[tuple[int, ...]]) -> list[int | None]:
    """The kernel each kernel of a chain reads filters of (only pooling and a channels-last
    flatten between them): the one before it, if that is a Conv2D kernel."""
    return [i - 1 if i and len(shapes[i - 1]) == 4 else None for i in range(len(shapes))]


def filter_units(shapes: list[tuple[int, ...]], sources: list[int | None] | None = None) -> Units:
    """Filter pruning of kernels (Conv2D 4-D, Dense 2-D, in model order) where kernel i
    reads the output channels of kernel `sources[i]` (None: of no kernel; default: the
    chain, `chain_sources`; `fwprune.channels.channel_flow` finds them in a model's graph):
    every output channel of a Conv2D kernel that another kernel reads is a unit. A reader
    reads the channel through its input axis (a Conv2D's axis 2; a Dense row r reads
    channel r % channels, after a channels-last flatten or a global pooling)."""
    sources = chain_sources(shapes) if sources is None else sources
    grouped = [len(shape) == 4 and index in sources for index, shape in enumerate(shapes)]
    widths = [shape[-1] if grouped[index] else 0 for index, shape in enumerate(shapes)]
    offsets = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)
    count = int(offsets[-1])
    producers, consumers = [], []
    for index, shape in enumerate(shapes):
        grid = np.indices(shape)
        producers.append(offsets[index] + grid[-1] if grouped[index] else np.full(shape, count))
        consumers.append(_reader_units(shapes, index, sources[index], grid, offsets, count))
    return Units(
        np.concatenate([p.ravel() for p in producers]),
        np.concatenate([c.ravel() for c in consumers]),
        count,
        np.repeat(np.arange(len(shapes)), widths).astype(np.int64),
    )


def _reader_units(shapes, index: int, source, grid: np.ndarray, offsets, count: int):
    """The unit each weight of kernel `index` reads: the filter of kernel `source` feeding it."""
    if source is None:
        return np.full(shapes[index], count)
    channels = shapes[source][-1]
    channel = grid[2] if len(shapes[index]) == 4 else grid[0] % channels
    return offsets[source] + channel


def units_for(
    granularity: str, shapes: list[tuple[int, ...]], sources: list[int | None] | None = None
) -> Units:
    """The units of `granularity` over kernels of `shapes` (`sources`: `filter_units`)."""
    if granularity == "unstructured":
        sizes = [int(np.prod(shape)) for shape in shapes]
        return weight_units(sum(sizes), np.repeat(np.arange(len(shapes)), sizes))
    if granularity == "filter":
        return filter_units(shapes, sources)
    raise ValueError(f"unknown granularity {granularity!r}: use one of {GRANULARITIES}")


def ranking_layers(units: Units, scope: str) -> np.ndarray:
    """Each unit's ranking group for `scope`: 0 for every unit (`global`: one ranking), or
    its layer (`layer`: the units of each prunable kernel ranked among themselves). The
    masks' per-layer functions (`masks.keep_counts`, `masks.top_k_mask`) take this index."""
    if scope == "global":
        return np.zeros(units.count, np.int64)
    if scope == "layer":
        return units.layer
    raise ValueError(f"unknown scope {scope!r}: use one of {SCOPES}")


def _with_kept_sentinel(unit_values: np.ndarray) -> np.ndarray:
    return np.append(np.asarray(unit_values, dtype=np.float64), 1.0)


def expand(units: Units, unit_mask: np.ndarray) -> np.ndarray:
    """The weight mask h = u[producer] ⊙ u[consumer] of a binary unit mask u."""
    unit_mask = np.asarray(unit_mask, dtype=bool).ravel()
    if unit_mask.size != units.count:
        raise ValueError(f"unit mask has {unit_mask.size} entries, there are {units.count} units")
    kept = np.append(unit_mask, True)
    return kept[units.producer] & kept[units.consumer]


def members(units: Units, unit: int) -> np.ndarray:
    """Flat indices of the weights a unit removes: those it produces or reads."""
    return np.flatnonzero((units.producer == unit) | (units.consumer == unit))


def unit_sum(units: Units, values: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Per unit, the sum of `values` over the weights `owner` (producer or consumer) assigns it."""
    return np.bincount(owner, weights=values, minlength=units.count + 1)[: units.count]


def magnitudes(units: Units, weights: np.ndarray) -> np.ndarray:
    """A unit's score for magnitude pruning and ties: the root mean square of the weights it
    produces (a filter's own kernel; |W| for a weight). The mean, not the sum: ranked
    globally, raw norms grow with a filter's size, and the 9-weight filters of conv1 all
    lost to the 288-weight ones of conv2 (docs/filter-pruning.md)."""
    weights = np.asarray(weights, dtype=np.float64).ravel()
    sizes = np.maximum(unit_sum(units, np.ones(weights.size), units.producer), 1)
    return np.sqrt(unit_sum(units, weights**2, units.producer) / sizes)


def gradient(units: Units, weight_gradient: np.ndarray, unit_mask: np.ndarray) -> np.ndarray:
    """∂f/∂u at the binary unit mask u, f(u) = L(W ⊙ u[producer] ⊙ u[consumer]), from the
    weight mask gradient g = W ⊙ ∂L/∂(W ⊙ h): by the chain rule each weight's g counts for
    its producer when its consumer is kept, and for its consumer when its producer is kept."""
    g = np.asarray(weight_gradient, dtype=np.float64).ravel()
    kept = _with_kept_sentinel(unit_mask)
    return unit_sum(units, g * kept[units.consumer], units.producer) + unit_sum(
        units, g * kept[units.producer], units.consumer
    )
