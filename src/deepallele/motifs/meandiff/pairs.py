"""The sequence pairs MeanDiff scans: one split of a paired dataset (``pairs.h5``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...alphabet import PAD_CODE
from ...datasets.store import open_pairs


@dataclass
class PairSet:
    """The sequences of one split of a paired dataset.

    Attributes
    ----------
    ref_codes, alt_codes : numpy.ndarray
        (N, L) uint8 codes (A=0 C=1 G=2 T=3 N=4 padding=5).
    ratio : numpy.ndarray
        (N,) float64 ln((1 + ref) / (1 + alt)).
    peak : numpy.ndarray
        (N,) peak names.
    split : str
        The split label the rows carry in the file.
    """

    ref_codes: np.ndarray
    alt_codes: np.ndarray
    ratio: np.ndarray
    peak: np.ndarray
    split: str

    @property
    def length(self) -> int:
        """L, the padded sequence length."""
        return int(self.ref_codes.shape[1])


def load_pair_set(path: str | Path, split: str = "test") -> PairSet:
    """Read one split of a ``pairs.h5`` (:func:`deepallele.datasets.store.open_pairs`).

    Parameters
    ----------
    path : str or pathlib.Path
        The dataset's ``pairs.h5``.
    split : {"test", "val", "train", "all"}
        Which rows; ``"test"`` reads the ``"val"`` rows when the file says ``test_is_val``.

    Returns
    -------
    PairSet
        ``N`` rows of the split, codes ``(N, L)``, the ln ratio (the last column of ``y``).

    Raises
    ------
    ValueError
        A missing dataset in the file, a ``y`` without the ratio column, or no rows of the split.
    """
    path = Path(path)
    stored = open_pairs(path, ("ref_codes", "alt_codes", "y", "split", "peak"))
    y = stored["y"]
    if y.ndim != 2 or y.shape[1] < 3:
        raise ValueError(f"{path}: 'y' has shape {y.shape}, expected (N, 3) with the ln ratio last")
    label, rows = stored.label(split), stored.rows(split)
    if rows.size == 0:
        raise ValueError(f"{path}: no rows in split {label!r} (splits present: {sorted(set(stored['split']))})")
    return PairSet(stored["ref_codes"][rows].astype(np.uint8), stored["alt_codes"][rows].astype(np.uint8),
                   y[rows, 2].astype(np.float64), stored["peak"][rows], label)


def sequence_lengths(codes: np.ndarray) -> np.ndarray:
    """Unpadded length of each row: the position of the first padding code, else L.

    Parameters
    ----------
    codes : numpy.ndarray
        (N, L) codes, right-padded with :data:`deepallele.alphabet.PAD_CODE`.

    Returns
    -------
    numpy.ndarray
        (N,) int64 lengths.
    """
    pad = codes == PAD_CODE
    return np.where(pad.any(axis=1), pad.argmax(axis=1), codes.shape[1]).astype(np.int64)
