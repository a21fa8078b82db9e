"""A :class:`~deepallele.motifs.meandiff.scan.Scan` on disk (``results/<dataset>/meandiff/scan.npz``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .scan import Scan

#: arrays of a scan file
SCAN_ARRAYS = ("motifs", "peak", "ratio", "ref_sums", "alt_sums", "ref_counts", "alt_counts")


def write_scan(scan: Scan, path: str | Path) -> Path:
    """Save a :class:`Scan` as a compressed ``.npz`` (written to ``<path>.tmp.npz`` and renamed).

    Sums are stored as float32 (FIMO's scores have fewer significant digits than that).

    Parameters
    ----------
    scan : Scan
        ``M`` motifs x ``N`` sequences.
    path : str or pathlib.Path
        The ``.npz`` to write (parent folders are made).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, motifs=np.array(scan.motifs, dtype=str), peak=np.array(scan.peak, dtype=str),
                        ratio=scan.ratio, ref_sums=scan.ref_sums.astype(np.float32),
                        alt_sums=scan.alt_sums.astype(np.float32), ref_counts=scan.ref_counts,
                        alt_counts=scan.alt_counts)
    tmp.replace(path)
    return path


def read_scan(path: str | Path) -> Scan:
    """Load a :class:`Scan` written by :func:`write_scan`.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.npz``.

    Returns
    -------
    Scan
        Sums as float64, ``(M, N)`` each.

    Raises
    ------
    ValueError
        A missing array or arrays whose shapes disagree (the message names the file).
    """
    path = Path(path)
    with np.load(path, allow_pickle=False) as z:
        missing = [k for k in SCAN_ARRAYS if k not in z.files]
        if missing:
            raise ValueError(f"{path}: not a MeanDiff scan (missing {missing})")
        scan = Scan(list(z["motifs"].astype(str)), z["peak"].astype(object), z["ratio"].astype(np.float64),
                    z["ref_sums"].astype(np.float64), z["alt_sums"].astype(np.float64),
                    z["ref_counts"], z["alt_counts"])
    shape = (len(scan.motifs), len(scan.peak))
    for name in ("ref_sums", "alt_sums", "ref_counts", "alt_counts"):
        if getattr(scan, name).shape != shape:
            raise ValueError(f"{path}: {name} has shape {getattr(scan, name).shape}, expected {shape}")
    return scan
