"""Binary masks over the flat vector of all prunable weights (METHODS.md, "Masks").

Pure numpy, no Keras: every function takes and returns flat arrays so that it can be
checked against brute force on small inputs.
"""

import numpy as np


def keep_count(n: int, sparsity: float) -> int:
    """Weights kept at `sparsity`: n - round(sparsity * n), half to even."""
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must lie in [0, 1], got {sparsity}")
    return n - int(round(sparsity * n))


def rank_descending(scores: np.ndarray, magnitudes: np.ndarray) -> np.ndarray:
    """Flat indices ordered by score (high first), ties by |W| (high first), then index.

    This is the single tie rule of the project, so that every mask is deterministic.
    """
    scores = np.asarray(scores, dtype=np.float64).ravel()
    magnitudes = np.abs(np.asarray(magnitudes, dtype=np.float64).ravel())
    if scores.shape != magnitudes.shape:
        raise ValueError(f"scores {scores.shape} and weights {magnitudes.shape} differ")
    index = np.arange(scores.size)
    # np.lexsort sorts by its last key first.
    return np.lexsort((index, -magnitudes, -scores))


def keep_counts(layers: np.ndarray, sparsity: float) -> np.ndarray:
    """Per layer l, the units it keeps at `sparsity`: k_l = n_l - round(sparsity * n_l).

    `layers` holds each unit's layer index (`groups.ranking_layers`); all zeros is the
    global ranking, one "layer" of all n units, and gives [keep_count(n, sparsity)].
    """
    sizes = np.bincount(np.asarray(layers, dtype=np.int64).ravel())
    return np.array([keep_count(int(n), sparsity) for n in sizes], dtype=np.int64)


def top_k_mask(scores: np.ndarray, weights: np.ndarray, k, layers=None) -> np.ndarray:
    """Boolean mask keeping exactly the k best-ranked entries (see `rank_descending`).

    With `layers` (each entry's layer index) k is a sequence of per-layer counts: the k[l]
    best-ranked entries of each layer l. One ranking of all entries, cut per layer, so ties
    within a layer follow the single tie rule. Without `layers` every entry is in layer 0:
    the global ranking, the one implementation of both scopes.
    """
    n = np.size(scores)
    layers = np.zeros(n, np.int64) if layers is None else np.asarray(layers, np.int64).ravel()
    keeps = np.atleast_1d(np.asarray(k, dtype=np.int64))
    sizes = np.bincount(layers, minlength=keeps.size)
    if layers.size != n or keeps.shape != sizes.shape:
        raise ValueError(f"{keeps.size} keep counts for layers of sizes {sizes}")
    if np.any(keeps < 0) or np.any(keeps > sizes):
        raise ValueError(f"k must lie in [0, {sizes.tolist()}] per layer, got {keeps.tolist()}")
    order = rank_descending(scores, weights)
    ordered_layers = layers[order]
    # Each entry's place in its own layer's ranking: 0 for the layer's best.
    by_layer = np.argsort(ordered_layers, kind="stable")
    place = np.empty(n, np.int64)
    place[by_layer] = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    mask = np.zeros(n, dtype=bool)
    mask[order[place < keeps[ordered_layers]]] = True
    return mask


def largest_magnitudes(weights: np.ndarray, k, layers=None) -> np.ndarray:
    """Boolean mask of the k largest |W| (ties by index); per layer with `layers`."""
    magnitudes = np.abs(np.ravel(weights))
    return top_k_mask(magnitudes, magnitudes, k, layers)


def magnitude_mask(weights: np.ndarray, sparsity: float, layers=None) -> np.ndarray:
    """Global magnitude pruning: keep the n - round(p n) largest |W| (paper Algorithm 2);
    with `layers`, the n_l - round(p n_l) largest of each layer l."""
    if layers is None:
        layers = np.zeros(np.size(weights), np.int64)
    return largest_magnitudes(weights, keep_counts(layers, sparsity), layers)


def sparsity(values: np.ndarray) -> float:
    """Fraction of exact zeros."""
    values = np.ravel(values)
    return float(np.count_nonzero(values == 0) / values.size)
