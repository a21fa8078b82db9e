"""Agreement of attribution maps: per-sequence Pearson r (Fig S3a seed robustness; ISM vs TISM)."""
from __future__ import annotations

import numpy as np


def per_sequence_correlation(a: np.ndarray, b: np.ndarray, x: np.ndarray | None = None,
                             reference_only: bool = False) -> np.ndarray:
    """Pearson r between two attribution maps of each sequence pair.

    Parameters
    ----------
    a, b : numpy.ndarray
        ``(N, 2, 4, L)`` attributions of the same pairs.
    x : numpy.ndarray, optional
        ``(N, 2, 4, L)`` one-hot; restricts the comparison to positions holding a base.
    reference_only : bool
        Compare only the reference-base entries (needs ``x``).

    Returns
    -------
    numpy.ndarray
        ``(N,)`` r (NaN where either map is constant).
    """
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    if x is not None:
        xx = np.asarray(x).reshape(len(x), 2, 4, -1)
        keep = (xx > 0) if reference_only else np.broadcast_to(xx.sum(2, keepdims=True) > 0, xx.shape)
        keep = keep.reshape(len(x), -1)
    else:
        keep = np.ones_like(a, dtype=bool)
    out = np.full(len(a), np.nan)
    for i in range(len(a)):
        u, v = a[i, keep[i]], b[i, keep[i]]
        u, v = u - u.mean(), v - v.mean()
        den = np.sqrt((u * u).sum() * (v * v).sum())
        if den > 0:
            out[i] = (u * v).sum() / den
    return out
