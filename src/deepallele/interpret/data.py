"""Inputs and outputs of the interpretation stage: the pairs to interpret and attribution files."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..alphabet import one_hot
from ..datasets.store import open_pairs


@dataclass
class InterpretSet:
    """The rows of one split of a ``pairs.h5``.

    Attributes
    ----------
    rows : numpy.ndarray
        Row of each pair in the file (``variants.peak_index``).
    peak : numpy.ndarray
        Peak names.
    codes : numpy.ndarray
        ``(N, 2, L)`` uint8 codes of the *whole file* (variant rows index it).
    obs : numpy.ndarray
        Observed ln ratio of the selected rows.
    variants : pandas.DataFrame
        The variant table of the selected rows.
    split : str
        The split label read.
    """

    rows: np.ndarray
    peak: np.ndarray
    codes: np.ndarray
    obs: np.ndarray
    variants: pd.DataFrame
    split: str

    def one_hot(self) -> torch.Tensor:
        """``(N, 2, 4, L)`` float32 one-hot of the selected rows."""
        return one_hot(torch.from_numpy(self.codes[self.rows]))


def load_interpret_set(path: str | Path, split: str = "test", max_pairs: int | None = None) -> InterpretSet:
    """Read the pairs of one split (``test`` reads ``val`` when the file says ``test_is_val``).

    Parameters
    ----------
    path : str or pathlib.Path
        The dataset's ``pairs.h5``.
    split : str
        ``test``, ``val``, ``train`` or ``all``.
    max_pairs : int, optional
        Keep the first rows only (benchmarks and tests).

    Raises
    ------
    ValueError
        When the file lacks a dataset or the split has no rows.
    """
    path = Path(path)
    stored = open_pairs(path, ("ref_codes", "alt_codes", "y", "split", "peak"), variants=True)
    label = stored.label(split)
    rows = stored.rows(split)
    if rows.size == 0:
        raise ValueError(f"{path}: no rows in split {label!r} (splits present: {sorted(set(stored['split']))})")
    if max_pairs is not None:
        rows = rows[:max_pairs]
    obs = stored["y"][rows, 2].astype(np.float64)
    var = stored.variants
    var = var[np.isin(var["peak_index"], rows)].reset_index(drop=True)
    return InterpretSet(rows, stored["peak"][rows], stored.codes, obs, var, label)


def save_attributions(path: str | Path, attr: torch.Tensor | np.ndarray, rows, peak, method: str, target: str,
                      seconds: float) -> None:
    """One model's attributions (``(N, 2, 4, L)`` float32) with their rows, peaks and provenance."""
    np.savez_compressed(path, attr=np.asarray(attr, dtype=np.float32), rows=np.asarray(rows),
                        peak=np.asarray(peak, dtype=str), method=method, target=target, seconds=seconds)


def load_attributions(path: str | Path) -> dict:
    """Arrays written by :func:`save_attributions` (``method``/``target`` as str, ``seconds`` as float)."""
    with np.load(path) as f:
        out = {k: f[k] for k in f.files}
    for k in ("method", "target"):
        out[k] = str(out[k])
    out["seconds"] = float(out["seconds"])
    return out


def mean_attributions(paths: list) -> dict:
    """Mean attribution map over seeds (the files must list the same rows)."""
    first = load_attributions(paths[0])
    acc = first["attr"].astype(np.float64)
    for p in paths[1:]:
        a = load_attributions(p)
        if not np.array_equal(a["rows"], first["rows"]):
            raise ValueError(f"{p}: different rows than {paths[0]}")
        acc += a["attr"]
    first["attr"] = (acc / len(paths)).astype(np.float32)
    return first


def attributed_pairs(attr_paths: list, pairs: str | Path) -> tuple[dict, np.ndarray, pd.DataFrame]:
    """One model's seed-mean attributions with the one-hot and the variants of their pairs (the
    inputs of seqlet extraction, :func:`deepallele.motifs.seqlets.extract_seqlets`).

    Parameters
    ----------
    attr_paths : list of path
        The model's attribution files of each seed (:func:`save_attributions`, the same rows).
    pairs : str or pathlib.Path
        The dataset's ``pairs.h5``.

    Returns
    -------
    attr : dict
        :func:`mean_attributions` (``attr`` ``(N, 2, 4, L)``, ``rows``, ``peak``, ``method`` ...).
    x : numpy.ndarray
        ``(N, 2, 4, L)`` float32 one-hot of those rows.
    variants : pandas.DataFrame
        The variant table of those rows (``peak_index`` = row).
    """
    attr = mean_attributions(list(attr_paths))
    data = load_interpret_set(pairs, "all")
    rows = attr["rows"]
    return attr, one_hot(data.codes[rows]), data.variants[np.isin(data.variants["peak_index"], rows)]
