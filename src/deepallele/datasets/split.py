"""Chromosome split of a paired-allele dataset into train, val and test.

Two schemes (config ``split.scheme``):

``heldout`` (default)
    Peaks on the ``val`` chromosomes (default chr16) are the validation set (early stopping,
    checkpoint choice), peaks on the ``test`` chromosomes (default chr17, chr18) a real
    held-out test set, every other peak is training data. A chromosome in both lists is an
    error.
``paper``
    As the paper: the chromosomes of ``val`` and ``test`` together are one held-out set used
    both for checkpoint choice and for reporting. Their peaks are marked ``"val"``; there is
    no separate ``"test"`` label, and the HDF5 attributes say ``test_is_val = True`` (with
    ``val_chroms == test_chroms``), so a reader asking for the test set gets these peaks.

Chromosome names are matched with and without a leading ``chr`` (``16`` matches ``chr16``),
so the defaults work for Ensembl-style names too.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

SCHEMES = ("heldout", "paper")
SPLITS = ("train", "val", "test")


def _key(chrom: str) -> str:
    chrom = str(chrom)
    return chrom[3:] if chrom.lower().startswith("chr") else chrom


def assign_split(chroms: Iterable[str], scheme: str = "heldout", val: Sequence[str] = ("chr16",),
                 test: Sequence[str] = ("chr17", "chr18")) -> np.ndarray:
    """Split label of each peak from its chromosome.

    Parameters
    ----------
    chroms : iterable of str
        Chromosome of each peak.
    scheme : {"heldout", "paper"}
        See the module notes.
    val, test : sequence of str
        Validation and test chromosomes.

    Returns
    -------
    numpy.ndarray of str
        ``"train"``, ``"val"`` or ``"test"`` per peak (``paper``: only train and val).

    Raises
    ------
    ValueError
        Unknown scheme, or (``heldout``) a chromosome in both ``val`` and ``test``.

    Examples
    --------
    >>> assign_split(["chr1", "chr16", "chr17"]).tolist()
    ['train', 'val', 'test']
    >>> assign_split(["chr1", "16", "chr17"], scheme="paper").tolist()
    ['train', 'val', 'val']
    """
    if scheme not in SCHEMES:
        raise ValueError(f"split scheme must be one of {SCHEMES}, not {scheme!r}")
    val_keys, test_keys = {_key(c) for c in val}, {_key(c) for c in test}
    if scheme == "heldout" and val_keys & test_keys:
        raise ValueError(f"chromosome(s) {sorted(val_keys & test_keys)} are in both val and test; "
                         "use split scheme 'paper' to evaluate on the validation chromosomes")
    keys = np.array([_key(c) for c in chroms], dtype=object)
    out = np.full(keys.shape[0], "train", dtype="<U5")
    if scheme == "paper":
        out[np.isin(keys, list(val_keys | test_keys))] = "val"
    else:
        out[np.isin(keys, list(val_keys))] = "val"
        out[np.isin(keys, list(test_keys))] = "test"
    return out


def split_attrs(scheme: str = "heldout", val: Sequence[str] = ("chr16",),
                test: Sequence[str] = ("chr17", "chr18")) -> dict:
    """HDF5 attributes that describe a split: ``split_scheme``, ``val_chroms``,
    ``test_chroms`` and ``test_is_val`` (``paper``: both chromosome lists are val ∪ test)."""
    if scheme not in SCHEMES:
        raise ValueError(f"split scheme must be one of {SCHEMES}, not {scheme!r}")
    if scheme == "paper":
        held = list(dict.fromkeys([*val, *test]))
        return {"split_scheme": scheme, "val_chroms": held, "test_chroms": held, "test_is_val": True}
    return {"split_scheme": scheme, "val_chroms": list(val), "test_chroms": list(test), "test_is_val": False}


def split_label(name: str, test_is_val: bool = False) -> str:
    """The label to read for a requested split: ``"test"`` reads ``"val"`` when ``test_is_val``.

    Under the paper's scheme the held-out rows are labelled ``"val"`` and the file says
    ``test_is_val``, so a reader asking for the test set gets them. This is the one place the
    rule is written.

    Examples
    --------
    >>> split_label("test", test_is_val=True), split_label("test"), split_label("train", True)
    ('val', 'test', 'train')
    """
    return "val" if name == "test" and test_is_val else name


def split_rows(split: np.ndarray, name: str | None, test_is_val: bool = False) -> np.ndarray:
    """Row indices of one split (``None``: all rows); ``"test"`` gives the val rows when
    ``test_is_val`` (paper scheme, :func:`split_label`)."""
    if name is None:
        return np.arange(len(split))
    if name not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None, not {name!r}")
    return np.flatnonzero(np.asarray(split) == split_label(name, test_is_val))
