"""One HDF5 file per dataset: both alleles' codes, targets, split and the variant table.

Layout (``results/<dataset>/data/pairs.h5``; N peaks, L = ``sequence_length``)
-------------------------------------------------------------------------------
=====================  ===========  =============================================================
dataset                dtype/shape  content
=====================  ===========  =============================================================
ref_codes, alt_codes   uint8 (N,L)  base codes of the reference / strain allele (A=0 C=1 G=2 T=3
                                    N=4, padding 5), right-padded
ref_length, alt_length int32 (N,)   unpadded lengths
peak, chrom            utf-8 (N,)   peak name (unique) and chromosome
peak_start, peak_end   int64 (N,)   the counted peak interval (reference, 0-based half-open)
start, end             int64 (N,)   reference window of ``ref_codes`` (-1: unknown, e.g. a
                                    dataset imported from the authors' HDF5)
strain_start,          int64 (N,)   strain interval of ``alt_codes`` (strain coordinates)
strain_end
strain_trim_left,      int32 (N,)   strain bases trimmed off the homologous interval to fit L
strain_trim_right
ref_count, alt_count   int64 (N,)   fragments per allele; **float64** when any count is not an
                                    integer (an imported table, e.g. MMARGE's halved reads, or
                                    the authors' ln(1+count) targets inverted)
y                      f32 (N,3)    ln(1+ref), ln(1+alt), ln(1+ref) - ln(1+alt)
split                  utf-8 (N,)   train / val / test
variants/peak_index    int32 (V,)   row of the peak
variants/ref_pos,      int32 (V,)   position of the minimal edit in each allele array
variants/alt_pos
variants/id, kind,     utf-8 (V,)   ``chrom:POS:REF:ALT``; snp/mnp/ins/del/complex; VCF REF and
ref, alt, ref_edit,                 ALT; the minimal edit (see
alt_edit                            :func:`deepallele.datasets.pairs.variant_table`)
variants/complete      bool (V,)    the whole edit lies inside both arrays
=====================  ===========  =============================================================

Every dataset is gzip-compressed (level 4; code arrays chunked by rows). Attributes:
``format`` (``deepallele-pairs``), ``format_version``, ``sequence_length``, ``window_length``
(reference window, ``<= sequence_length``), ``encoding``,
``allele_order`` (``["ref", "alt"]``), ``reference_name``, ``strain_name``, ``y_columns``,
``split_scheme``, ``val_chroms``, ``test_chroms``, ``test_is_val`` (paper scheme: the test set
is the validation set) and the source files (``counts``, ``reference_fasta``,
``strain_fasta``, ``chain``, ``vcf``). The file is written to ``<path>.tmp`` and renamed, so
a failed job never leaves a partial file.

One opener
----------
This module is the only code that opens a ``pairs.h5``. Every stage reads it through
:func:`open_pairs` (training, interpretation, MeanDiff, score-variants, validation), which
returns a :class:`StoredPairs`: the datasets asked for, the variant table when asked for, the
attributes, and :meth:`StoredPairs.rows`, which applies the ``test_is_val`` rule
(:func:`~deepallele.datasets.split.split_label`). :func:`read_pairs_h5` is the same read as a
dict of everything, for a file the dataset stage wrote (it checks ``format``).
:func:`write_pairs_h5` writes the stage's file; :func:`write_minimal_pairs` writes the
minimal layout of toy datasets (tests, benchmarks: codes, ``y``, split, names, no variant
table, no ``format``); :func:`replace_split` relabels the rows of a copy (settings sweeps).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from ..alphabet import ENCODING
from .pairs import VARIANT_COLUMNS, PairedSequences, paired_sequences, peaks_from_counts, variant_table
from .split import SPLITS, assign_split, split_attrs, split_label

log = logging.getLogger("deepallele.datasets")

FORMAT = "deepallele-pairs"
FORMAT_VERSION = 1
Y_COLUMNS = ["ln1p_ref", "ln1p_alt", "ln_ratio"]
_INT_DATASETS = {"ref_length": np.int32, "alt_length": np.int32, "peak_start": np.int64, "peak_end": np.int64,
                 "start": np.int64, "end": np.int64, "strain_start": np.int64, "strain_end": np.int64,
                 "strain_trim_left": np.int32, "strain_trim_right": np.int32}
_STRINGS = h5py.string_dtype("utf-8")
_CHUNK_ROWS = 1024


def count_arrays(ref_count, alt_count) -> tuple[np.ndarray, np.ndarray]:
    """Both count arrays in their stored dtype: int64 when every count is a whole number,
    else float64 for both (so ``2.5`` is never truncated to ``2``).

    Raises
    ------
    ValueError
        A count that is negative, NaN or infinite.
    """
    arrays = [np.asarray(c) for c in (ref_count, alt_count)]
    if all(a.dtype.kind in "iub" for a in arrays):
        return arrays[0].astype(np.int64), arrays[1].astype(np.int64)
    ref, alt = (a.astype(np.float64) for a in arrays)
    if not (np.isfinite(ref).all() and np.isfinite(alt).all()):
        raise ValueError("counts must be finite numbers")
    if np.array_equal(ref, np.round(ref)) and np.array_equal(alt, np.round(alt)):
        return ref.astype(np.int64), alt.astype(np.int64)
    return ref, alt


def targets(ref_count, alt_count) -> np.ndarray:
    """``y`` of shape (N, 3), float32: ln(1+ref), ln(1+alt) and their difference (the natural
    log ratio), computed in float64."""
    ref = np.log1p(np.asarray(ref_count, dtype=np.float64))
    alt = np.log1p(np.asarray(alt_count, dtype=np.float64))
    return np.stack([ref, alt, ref - alt], axis=1).astype(np.float32)


def _strings(values) -> np.ndarray:
    return np.array([str(v) for v in values], dtype=object)


def _put(group: h5py.Group, name: str, data: np.ndarray) -> None:
    if data.dtype == object:
        group.create_dataset(name, data=data, dtype=_STRINGS, compression="gzip", compression_opts=4,
                             chunks=(max(1, min(len(data), 4 * _CHUNK_ROWS)),), maxshape=(None,))
        return
    chunks = (max(1, min(data.shape[0], _CHUNK_ROWS if data.ndim > 1 else 16 * _CHUNK_ROWS)), *data.shape[1:])
    # maxshape lets a dataset with no rows have a chunk shape
    group.create_dataset(name, data=data, compression="gzip", compression_opts=4, chunks=chunks,
                         maxshape=(None, *data.shape[1:]))


def write_pairs_h5(path: str | Path, pairs: PairedSequences, ref_count, alt_count, split,
                   variants: pd.DataFrame, attrs: dict | None = None) -> None:
    """Write a paired-allele dataset to one HDF5 file (layout in the module notes).

    Parameters
    ----------
    path : str or pathlib.Path
        Output file; written as ``<path>.tmp`` and renamed when complete.
    pairs : PairedSequences
        Sequences and windows (:func:`~deepallele.datasets.pairs.paired_sequences`).
    ref_count, alt_count : array-like of int or float, shape (N,)
        Fragments per allele, in the order of ``pairs``; stored as int64 when all are whole
        numbers, else as float64 (:func:`count_arrays`).
    split : array-like of str, shape (N,)
        ``train`` / ``val`` / ``test`` per peak.
    variants : pandas.DataFrame
        :func:`~deepallele.datasets.pairs.variant_table` output.
    attrs : dict, optional
        Extra file attributes (names, split description, source files); values are strings,
        numbers, booleans or lists of strings.
    """
    path = Path(path)
    n = len(pairs)
    ref_count, alt_count = count_arrays(ref_count, alt_count)
    split = np.asarray(split).astype(str)
    for name, arr in (("ref_count", ref_count), ("alt_count", alt_count), ("split", split)):
        if arr.shape != (n,):
            raise ValueError(f"{name} has shape {arr.shape}, expected ({n},)")
    bad = sorted(set(split) - set(SPLITS))
    if bad:
        raise ValueError(f"unknown split label(s) {bad}; expected {SPLITS}")
    if (ref_count < 0).any() or (alt_count < 0).any():
        raise ValueError("counts must be non-negative")
    missing = [c for c in VARIANT_COLUMNS if c not in variants.columns]
    if missing:
        raise ValueError(f"variant table lacks column(s) {missing}")

    tmp = path.with_name(path.name + ".tmp")
    try:
        with h5py.File(tmp, "w") as h5:
            _put(h5, "ref_codes", np.ascontiguousarray(pairs.ref_codes, dtype=np.uint8))
            _put(h5, "alt_codes", np.ascontiguousarray(pairs.alt_codes, dtype=np.uint8))
            for name, dtype in _INT_DATASETS.items():
                _put(h5, name, np.asarray(getattr(pairs, name), dtype=dtype))
            _put(h5, "peak", _strings(pairs.peak))
            _put(h5, "chrom", _strings(pairs.chrom))
            _put(h5, "ref_count", ref_count)
            _put(h5, "alt_count", alt_count)
            _put(h5, "y", targets(ref_count, alt_count))
            _put(h5, "split", _strings(split))
            group = h5.create_group("variants")
            _put(group, "peak_index", variants["peak_index"].to_numpy(dtype=np.int32))
            _put(group, "ref_pos", variants["ref_pos"].to_numpy(dtype=np.int32))
            _put(group, "alt_pos", variants["alt_pos"].to_numpy(dtype=np.int32))
            for name in ("id", "kind", "ref", "alt", "ref_edit", "alt_edit"):
                _put(group, name, _strings(variants[name]))
            _put(group, "complete", variants["complete"].to_numpy(dtype=bool))
            meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "sequence_length": int(pairs.length),
                    "encoding": ENCODING, "allele_order": ["ref", "alt"], "y_columns": Y_COLUMNS,
                    "n_peaks": n, "n_variants": len(variants)}
            meta.update(attrs or {})
            for key, value in meta.items():
                h5.attrs[key] = value
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _attr(value):
    if isinstance(value, np.ndarray):
        return [v.decode() if isinstance(v, bytes) else (v.item() if hasattr(v, "item") else v) for v in value]
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _read_dataset(node: h5py.Dataset) -> np.ndarray:
    if node.dtype.kind in "OS":
        return np.asarray(node.asstr()[()], dtype=object)
    return node[()]


@dataclass
class StoredPairs:
    """A ``pairs.h5`` in memory (:func:`open_pairs`): the datasets read, the variants, the attributes.

    Attributes
    ----------
    path : pathlib.Path
        The file read.
    arrays : dict of str to numpy.ndarray
        The top-level datasets read, by name (layout in the module notes), e.g. ``ref_codes``
        and ``alt_codes`` ``(N, L)`` uint8, ``y`` ``(N, 3)`` float32, ``split`` and ``peak``
        ``(N,)`` object arrays of ``str``. ``stored["y"]`` is ``stored.arrays["y"]``.
    attrs : dict
        The file attributes as Python values (lists for list attributes).
    variants : pandas.DataFrame or None
        The variant table (:data:`~deepallele.datasets.pairs.VARIANT_COLUMNS`), when read.
    """

    path: Path
    arrays: dict
    attrs: dict
    variants: pd.DataFrame | None = None

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def __contains__(self, name: str) -> bool:
        return name in self.arrays

    def __len__(self) -> int:
        first = next(iter(self.arrays.values()), None)
        return 0 if first is None else int(first.shape[0])

    @property
    def codes(self) -> np.ndarray:
        """``(N, 2, L)`` uint8: ``ref_codes`` and ``alt_codes`` stacked (allele 0 = reference)."""
        return np.stack([self.arrays["ref_codes"], self.arrays["alt_codes"]], axis=1).astype(np.uint8)

    @property
    def sequence_length(self) -> int:
        """``L``: the ``sequence_length`` attribute, else the width of the code arrays."""
        return int(self.attrs.get("sequence_length", self.arrays["ref_codes"].shape[-1]))

    @property
    def test_is_val(self) -> bool:
        """The file's split has no separate test rows (paper scheme)."""
        return bool(self.attrs.get("test_is_val", False))

    def label(self, split: str | None) -> str:
        """The split label read for a requested split: ``"all"`` for ``None`` or ``"all"``, else
        :func:`~deepallele.datasets.split.split_label`."""
        return "all" if split in (None, "all") else split_label(split, self.test_is_val)

    def rows(self, split: str | None) -> np.ndarray:
        """Row indices of a split in file order (``None`` or ``"all"``: every row; ``"test"``:
        the val rows when the file says ``test_is_val``; an absent label: no rows)."""
        label = self.label(split)
        labels = self.arrays["split"]
        if label == "all":
            return np.arange(len(labels))
        return np.flatnonzero(labels == label)

    def as_dict(self) -> dict:
        """The :func:`read_pairs_h5` form: the arrays by name, ``"variants"`` and ``"attrs"``."""
        return {**self.arrays, "variants": self.variants, "attrs": self.attrs}


def open_pairs(path: str | Path, names=None, *, optional=(), variants: bool = False,
               check_format: bool = False) -> StoredPairs:
    """Read a ``pairs.h5`` (or the datasets of it that a stage uses) into memory.

    Parameters
    ----------
    path : str or pathlib.Path
        The dataset's ``pairs.h5``.
    names : sequence of str, optional
        Top-level datasets to read; each must exist. Default: every top-level dataset.
    optional : sequence of str
        Datasets read when the file has them (toy files lack e.g. ``chrom``).
    variants : bool
        Read the variant table (the file must have one).
    check_format : bool
        Require the ``format`` attribute of a file the dataset stage wrote.

    Returns
    -------
    StoredPairs

    Raises
    ------
    ValueError
        A missing dataset or variant table (named, with the file), or with ``check_format``
        another ``format``.
    OSError
        The file cannot be opened as HDF5.
    """
    path = Path(path)
    with h5py.File(path, "r") as h5:
        if check_format and h5.attrs.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file (format attribute {h5.attrs.get('format')!r})")
        if names is None:
            wanted = [name for name, node in h5.items() if isinstance(node, h5py.Dataset)]
        else:
            missing = [name for name in [*names, *(["variants"] if variants else [])] if name not in h5]
            if missing:
                raise ValueError(f"{path}: no dataset {missing[0]!r} (not a paired dataset written by the "
                                 "dataset stage?)")
            wanted = [*names, *(name for name in optional if name in h5 and name not in names)]
        arrays = {name: _read_dataset(h5[name]) for name in wanted}
        table = None
        if variants:
            if "variants" not in h5:
                raise ValueError(f"{path}: no dataset 'variants' (not a paired dataset written by the dataset stage?)")
            group = h5["variants"]
            table = pd.DataFrame({name: _read_dataset(group[name]) for name in VARIANT_COLUMNS},
                                 columns=VARIANT_COLUMNS)
        attrs = {key: _attr(value) for key, value in h5.attrs.items()}
    return StoredPairs(path, arrays, attrs, table)


def read_pairs_h5(path: str | Path) -> dict:
    """Read a dataset written by :func:`write_pairs_h5` into memory (:func:`open_pairs` of everything).

    Returns
    -------
    dict
        Every top-level dataset as a numpy array (strings as object arrays of ``str``),
        ``"variants"``: a :class:`pandas.DataFrame` with :data:`VARIANT_COLUMNS`, and
        ``"attrs"``: the file attributes as Python values (lists for list attributes).

    Raises
    ------
    ValueError
        Not a ``deepallele-pairs`` file, or no variant table.
    """
    return open_pairs(path, variants=True, check_format=True).as_dict()


def write_minimal_pairs(path: str | Path, ref_codes: np.ndarray, alt_codes: np.ndarray, y: np.ndarray, split,
                        peak=None, chrom=None, start=None, end=None, split_scheme: str = "heldout") -> None:
    """Write the minimal layout that training, interpretation and MeanDiff read (toy datasets).

    No variant table and no ``format`` attribute: :func:`open_pairs` reads it,
    :func:`read_pairs_h5` does not. Used by tests and benchmarks.

    Parameters
    ----------
    path : str or pathlib.Path
    ref_codes, alt_codes : numpy.ndarray, shape (N, L)
        Base codes (:mod:`deepallele.alphabet`).
    y : array-like, shape (N, 3)
        ln(1+ref), ln(1+alt), ln ratio.
    split : sequence of str, shape (N,)
    peak, chrom : sequence of str, shape (N,), optional
        Default ``chr1-<i>-<i+1>`` and the part of the peak name before the first ``-``.
    start, end : array-like of int, shape (N,), optional
        Reference windows (default ``0`` and ``L``).
    split_scheme : str
        The ``split_scheme`` attribute.
    """
    n, length = ref_codes.shape
    str_dt = h5py.string_dtype("utf-8")
    peak = [f"chr1-{i}-{i + 1}" for i in range(n)] if peak is None else list(peak)
    chrom = [p.split("-")[0] for p in peak] if chrom is None else list(chrom)
    with h5py.File(path, "w") as h5:
        h5.create_dataset("ref_codes", data=ref_codes.astype(np.uint8), compression="gzip")
        h5.create_dataset("alt_codes", data=alt_codes.astype(np.uint8), compression="gzip")
        h5.create_dataset("y", data=np.asarray(y, dtype=np.float32))
        h5.create_dataset("split", data=list(split), dtype=str_dt)
        h5.create_dataset("peak", data=peak, dtype=str_dt)
        h5.create_dataset("chrom", data=chrom, dtype=str_dt)
        h5.create_dataset("start", data=np.zeros(n, np.int64) if start is None else np.asarray(start))
        h5.create_dataset("end", data=np.full(n, length, np.int64) if end is None else np.asarray(end))
        h5.attrs["sequence_length"] = length
        h5.attrs["split_scheme"] = split_scheme


def replace_split(path: str | Path, labels) -> None:
    """Relabel the rows of a ``pairs.h5`` in place (any labels, e.g. ``"hidden"``; a copy, never the stage's file).

    Parameters
    ----------
    path : str or pathlib.Path
    labels : sequence of str, shape (N,)
        The new ``split`` dataset.
    """
    with h5py.File(path, "r+") as h5:
        n = h5["split"].shape[0]
        if len(labels) != n:
            raise ValueError(f"{path}: {len(labels)} split labels for {n} rows")
        del h5["split"]
        h5.create_dataset("split", data=list(labels), dtype=h5py.string_dtype())


def pairs_summary(data: dict) -> pd.DataFrame:
    """Per-split summary of a dataset (:func:`read_pairs_h5` output, or the same keys).

    Returns
    -------
    pandas.DataFrame
        One row per split label present, then ``all``: ``split, n_peaks, mean_abs_ln_ratio,
        n_variants, n_snp, n_indel, frac_peaks_with_variant, frac_peaks_with_indel,
        n_trimmed`` (strain allele longer than L), ``n_clipped`` (window cut by a contig
        end), ``mean_ref_length, mean_alt_length, sequence_length``. ``data["attrs"]`` needs
        ``sequence_length`` (and ``window_length`` when it differs).
    """
    split = np.asarray(data["split"]).astype(str)
    length = int(data["attrs"]["sequence_length"])
    window = int(data["attrs"].get("window_length", length))
    variants = data["variants"]
    n = split.shape[0]
    peak_index = variants["peak_index"].to_numpy()
    indel = variants["kind"].isin(["ins", "del", "complex"]).to_numpy()
    snp = (variants["kind"] == "snp").to_numpy()
    has_variant = np.zeros(n, dtype=bool)
    has_variant[peak_index] = True
    has_indel = np.zeros(n, dtype=bool)
    has_indel[peak_index[indel]] = True
    trimmed = (np.asarray(data["strain_trim_left"]) + np.asarray(data["strain_trim_right"])) > 0
    # a window of unknown coordinates (start -1, e.g. imported sequences) is not "clipped"
    clipped = ((np.asarray(data["end"]) - np.asarray(data["start"])) < window) & (np.asarray(data["start"]) >= 0)
    ratio = np.abs(np.asarray(data["y"])[:, 2]) if n else np.zeros(0)
    rows = []
    labels = [s for s in SPLITS if (split == s).any()] + ["all"]
    for label in labels:
        rows_mask = np.ones(n, dtype=bool) if label == "all" else split == label
        in_split = rows_mask[peak_index] if len(peak_index) else np.zeros(0, dtype=bool)
        k = int(rows_mask.sum())
        rows.append({
            "split": label, "n_peaks": k,
            "mean_abs_ln_ratio": round(float(ratio[rows_mask].mean()), 6) if k else float("nan"),
            "n_variants": int(in_split.sum()), "n_snp": int((in_split & snp).sum()),
            "n_indel": int((in_split & indel).sum()),
            "frac_peaks_with_variant": round(float(has_variant[rows_mask].mean()), 6) if k else float("nan"),
            "frac_peaks_with_indel": round(float(has_indel[rows_mask].mean()), 6) if k else float("nan"),
            "n_trimmed": int(trimmed[rows_mask].sum()), "n_clipped": int(clipped[rows_mask].sum()),
            "mean_ref_length": round(float(np.asarray(data["ref_length"])[rows_mask].mean()), 3) if k else float("nan"),
            "mean_alt_length": round(float(np.asarray(data["alt_length"])[rows_mask].mean()), 3) if k else float("nan"),
            "sequence_length": length,
        })
    return pd.DataFrame(rows)


def build_paired_dataset(counts, reference_fasta, strain_fasta, chain, vcf, out_h5, length: int,
                         scheme: str = "heldout", val=("chr16",), test=("chr17", "chr18"),
                         reference_name: str = "B6", strain_name: str = "CAST", sample: str | None = None,
                         summary: str | Path | None = None, window: int | None = None) -> pd.DataFrame:
    """The whole stage: counts table + genomes -> ``pairs.h5`` (+ summary TSV).

    Parameters
    ----------
    counts : str or pathlib.Path
        ``counts/allele_counts.tsv`` (``peak, chrom, start, end, ref_count, alt_count, ...``).
    reference_fasta, strain_fasta, chain, vcf : str or pathlib.Path
        Reference FASTA, strain pseudogenome, its ``ref -> strain`` chain and the strain VCF.
    out_h5 : str or pathlib.Path
        HDF5 to write.
    length : int
        Sequence length L.
    scheme, val, test
        Split (see :mod:`deepallele.datasets.split`).
    reference_name, strain_name : str
        Strain names, stored as attributes.
    sample : str, optional
        VCF sample (as for the pseudogenome).
    summary : str or pathlib.Path, optional
        Where to write :func:`pairs_summary` as TSV.
    window : int, optional
        Reference window length (default ``length``; see
        :func:`~deepallele.datasets.pairs.paired_sequences`).

    Returns
    -------
    pandas.DataFrame
        The summary.
    """
    from ..genome.coordmap import CoordinateMap

    t0 = time.perf_counter()
    peaks = peaks_from_counts(counts)
    cmap = CoordinateMap.load(chain)
    window = length if window is None else int(window)
    pairs = paired_sequences(peaks, reference_fasta, strain_fasta, cmap, length, window=window)
    t1 = time.perf_counter()
    log.info("%d peaks: sequences of L=%d in %.1f s (%d strain alleles trimmed, %d windows clipped)",
             len(pairs), length, t1 - t0, int(((pairs.strain_trim_left + pairs.strain_trim_right) > 0).sum()),
             int(((pairs.end - pairs.start) < window).sum()))
    variants = variant_table(pairs, vcf, cmap, strain_fasta, sample=sample)
    t2 = time.perf_counter()
    log.info("%d variants in the windows (%d complete) in %.1f s", len(variants), int(variants["complete"].sum()),
             t2 - t1)
    labels = assign_split(pairs.chrom, scheme, val, test)
    for label in ("train", "val") + (("test",) if scheme == "heldout" else ()):
        if not (labels == label).any():
            log.warning("split %r is empty (scheme %s, val %s, test %s)", label, scheme, list(val), list(test))
    attrs = {"window_length": window, "reference_name": reference_name, "strain_name": strain_name, **split_attrs(scheme, val, test),
             "counts": str(counts), "reference_fasta": str(reference_fasta), "strain_fasta": str(strain_fasta),
             "chain": str(chain), "vcf": str(vcf), "vcf_sample": sample or ""}
    write_pairs_h5(out_h5, pairs, peaks["ref_count"], peaks["alt_count"], labels, variants, attrs)
    table = pairs_summary({"split": labels, "variants": variants, "y": targets(peaks["ref_count"], peaks["alt_count"]),
                           "strain_trim_left": pairs.strain_trim_left, "strain_trim_right": pairs.strain_trim_right,
                           "start": pairs.start, "end": pairs.end, "ref_length": pairs.ref_length,
                           "alt_length": pairs.alt_length,
                           "attrs": {"sequence_length": length, "window_length": window}})
    if summary is not None:
        table.to_csv(summary, sep="\t", index=False)
    log.info("wrote %s in %.1f s\n%s", out_h5, time.perf_counter() - t0, table.to_string(index=False))
    return table

