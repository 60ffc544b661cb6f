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


def top_k_mask(scores: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask keeping exactly the k best-ranked entries (see `rank_descending`)."""
    n = np.size(scores)
    if not 0 <= k <= n:
        raise ValueError(f"k must lie in [0, {n}], got {k}")
    mask = np.zeros(n, dtype=bool)
    mask[rank_descending(scores, weights)[:k]] = True
    return mask


def largest_magnitudes(weights: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the k largest |W| (ties by index)."""
    magnitudes = np.abs(np.ravel(weights))
    return top_k_mask(magnitudes, magnitudes, k)


def magnitude_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """Global magnitude pruning: keep the n - round(p n) largest |W| (paper Algorithm 2)."""
    return largest_magnitudes(weights, keep_count(np.size(weights), sparsity))


def sparsity(values: np.ndarray) -> float:
    """Fraction of exact zeros."""
    values = np.ravel(values)
    return float(np.count_nonzero(values == 0) / values.size)
