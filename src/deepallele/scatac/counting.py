"""Peaks x cells counts per allele and cell type (Signac ``FeatureMatrix`` semantics), and the
pseudo-bulk allele count table.

Inputs are tables, read at the edge: fragments as a DataFrame ``chrom, start, end, barcode[,
count]`` (10x fragment file: 0-based, end exclusive, Tn5-adjusted), peaks as a DataFrame
``chrom, start, end, name`` (BED, half-open; read them with
:func:`deepallele.reads.peaks.read_peaks`), cell types as ``barcode, cell_type``
(:func:`read_cell_types`).

Counting rule (Signac ``FeatureMatrix``: ``scanTabix`` per peak, ``sparseMatrix(x = 1)``)
    Each fragment **record** that overlaps a peak, ``frag_start < peak_end and frag_end >
    peak_start``, adds 1 to (peak, cell). Column 5 (read pairs) is ignored. A fragment that
    overlaps two peaks counts in both, also when the peaks overlap each other. Records of
    barcodes that are not among the selected cells are dropped before the overlap step.

Complexity
    Every chromosome gets its own block of a single linear axis (``code * 2**40 + position``),
    so one sorted array of peak starts serves all chromosomes. A fragment's candidate peaks
    are those starting in ``(start - W, end)``, with ``W`` the widest peak; two binary searches
    find them and an end check keeps the hits (:func:`deepallele.reads.counts.interval_hits`).
    Work: ``O(P log P)`` once per chunk for the peaks, plus ``O(F log P + C)`` for ``F``
    fragments with ``C`` candidates (``C`` is about ``F`` for the 251-bp peak set; at most
    ``F * peaks-per-(W + fragment length)`` when peaks overlap). Memory: the chunk plus the
    non-zeros of the selected cells (:class:`PeakCellCounter` streams chunks).

Outputs (:func:`cell_type_counts`), the layout the authors' ``mtx_counts_preprocess.py``
reads::

    <outdir>/ocr_list.txt                      peak names, one per line (matrix rows)
    <outdir>/<ct>/barcodes_list_<ct>.txt       cell barcodes as spelled in the fragments (columns)
    <outdir>/<ct>/ref_counts_<ct>.mtx          MatrixMarket, peaks x cells, integer
    <outdir>/<ct>/alt_counts_<ct>.mtx          (the authors read ``mmread(...).T``: cells x peaks)

The pseudo-bulk table has the bulk path's columns (:data:`deepallele.reads.counts.COUNT_COLUMNS`).
"""
from __future__ import annotations

import gzip
import heapq
import logging
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
import scipy.sparse as sp

from ..alphabet import reverse_complement
from ..reads.counts import COUNT_COLUMNS, interval_hits, ln_ratio

log = logging.getLogger("deepallele.scatac.counting")

#: Columns a fragment table must have (``count`` is optional for counting; QC sums it).
FRAGMENT_COLUMNS = ["chrom", "start", "end", "barcode", "count"]
PEAK_COLUMNS = ["chrom", "start", "end", "name"]
CELL_TYPE_COLUMNS = ["barcode", "cell_type"]
#: Header names accepted in a cell-type table (first column / type column), lower case.
_BARCODE_HEADERS = ("barcode", "barcodes", "cell_barcode")
_TYPE_HEADERS = ("cell_type", "celltype")
#: A GEM-group style suffix ("-1", "-2", ...), Cell Ranger's library marker (design §5.5).
_SUFFIX = re.compile(r"-\d+$")
_DNA = re.compile(r"^[ACGTNacgtn]+$")
#: Each chromosome's block on the linear axis; positions must stay below it.
_BLOCK = 1 << 40
_MAX_LISTED = 5


# --- cell types and barcodes ------------------------------------------------------------------


def _listed(items: Sequence, limit: int = _MAX_LISTED) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def read_cell_types(path: str | Path) -> pd.DataFrame:
    """Read a ``barcode<TAB>cell_type`` table.

    Parameters
    ----------
    path : str or pathlib.Path
        Tab-separated text (optionally gzipped). Blank lines and ``#`` comments are skipped. An
        optional header is recognised by a first field named ``barcode`` (or ``barcodes``,
        ``cell_barcode``); it must then name a ``cell_type`` (or ``celltype``) column, and
        further columns are ignored. Without a header the first two columns are used.

    Returns
    -------
    pandas.DataFrame
        Columns ``barcode, cell_type`` (str), one row per barcode, in file order. A barcode
        listed twice with the same type is kept once.

    Raises
    ------
    ValueError
        Naming the file: it is missing or has no rows; a row lacks the barcode or the type
        column; the header has no type column; a barcode is listed with two different types.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: cell-type table not found")
    opener = gzip.open if path.suffix == ".gz" else open
    rows: list[tuple[int, list[str]]] = []
    with opener(path, "rt") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            rows.append((number, [f.strip() for f in line.rstrip("\r\n").split("\t")]))
    barcode_col, type_col = 0, 1
    if rows and rows[0][1][0].lower() in _BARCODE_HEADERS:
        header = [f.lower() for f in rows[0][1]]
        types = [i for i, f in enumerate(header) if f in _TYPE_HEADERS]
        if not types:
            raise ValueError(f"{path}: the header names no cell-type column (expected one of "
                             f"{list(_TYPE_HEADERS)}; columns: {rows[0][1]})")
        type_col = types[0]
        rows = rows[1:]
    if not rows:
        raise ValueError(f"{path}: the cell-type table is empty (expected barcode<TAB>cell_type lines)")
    problems, records = [], []
    for number, fields in rows:
        if len(fields) <= type_col or not fields[barcode_col] or not fields[type_col]:
            # the likeliest cause is a space-separated file
            problems.append(f"line {number}: missing barcode or cell_type column "
                            f"(expected tab-separated barcode<TAB>cell_type, got {fields!r})")
            continue
        records.append((number, fields[barcode_col], fields[type_col]))
    if problems:
        raise ValueError(f"{path}: " + "\n  ".join(["invalid cell-type table:"] + problems[:10]
                                                    + ([f"... ({len(problems)} problems in all)"]
                                                       if len(problems) > 10 else [])))
    table = pd.DataFrame.from_records(records, columns=["line", *CELL_TYPE_COLUMNS])
    conflicting = table.groupby("barcode", sort=False)["cell_type"].nunique()
    conflicting = conflicting[conflicting > 1]
    if len(conflicting):
        listed = []
        for barcode in conflicting.index[:_MAX_LISTED]:
            sub = table[table["barcode"] == barcode]
            listed.append(f"{barcode} ({', '.join(f'{t} line {n}' for n, t in zip(sub['line'], sub['cell_type']))})")
        raise ValueError(f"{path}: {len(conflicting)} barcode(s) listed with conflicting cell types: "
                         + "; ".join(listed))
    table = table.drop_duplicates("barcode", keep="first")
    return table[CELL_TYPE_COLUMNS].reset_index(drop=True)


def _split_suffix(barcode: str) -> tuple[str, str]:
    m = _SUFFIX.search(barcode)
    return (barcode[:m.start()], m.group()) if m else (barcode, "")


def _variants(table: list[str], fragment_suffixes: list[str]) -> list[tuple[str, list[str]]]:
    """Candidate spellings of the table barcodes: (name, transformed list), no two alike."""
    split = [_split_suffix(b) for b in table]
    suffix_choices = [("", None)]  # None: keep each barcode's own suffix
    if any(s for _, s in split):
        suffix_choices.append(("strip suffix", ""))
    suffix_choices += [(f"set suffix {s!r}", s) for s in fragment_suffixes if s]
    out, seen = [], set()
    for revcomp in (False, True):
        for suffix_name, suffix in suffix_choices:
            name = ", ".join(n for n in ("reverse complement" if revcomp else "", suffix_name) if n) or "as-is"
            spelled = []
            for core, own in split:
                if revcomp and _DNA.match(core):
                    core = reverse_complement(core)
                spelled.append(core + (own if suffix is None else suffix))
            key = tuple(spelled)
            if key not in seen:
                seen.add(key)
                out.append((name, spelled))
    return out


def match_cell_barcodes(table_barcodes: Sequence[str], fragment_barcodes: Iterable[str],
                        min_fraction: float = 0.5, source: str = "") -> tuple[dict, dict]:
    """Find each table barcode under the spelling the fragment files use.

    The cell-type table may come from another pipeline than our fragments (design §4.1, §5.5):
    Cell Ranger's ``-1`` GEM-group suffix may be on one side only, and the i5 barcode may be
    reverse complemented (forward- vs reverse-complement-workflow sequencers). Every
    combination of {as-is, reverse complement} x {own suffix, suffix stripped, each suffix the
    fragment barcodes carry} is tried, and the one that finds the most table barcodes wins
    (earlier in that order on ties). A transform that maps two table barcodes onto one
    fragment barcode (e.g. stripping ``-1``/``-2`` of two libraries) merges cells and is not
    used.

    Parameters
    ----------
    table_barcodes : sequence of str, shape (n_table,)
        Barcodes of the cell-type table (unique).
    fragment_barcodes : iterable of str
        Barcodes seen in the fragments (duplicates allowed).
    min_fraction : float
        Fail when fewer than this fraction of table barcodes is found.
    source : str
        Named in the error (e.g. the table's path).

    Returns
    -------
    mapping : dict of str to str
        ``table_barcode -> fragment_barcode`` for the table barcodes found, in table order.
    report : dict
        ``n_table``, ``n_found``, ``fraction_found``, ``transform`` (the name of the winner),
        ``tried`` (``{transform: fraction found}``, every transform tried) and ``ambiguous``
        (names of transforms dropped because they merge barcodes).

    Raises
    ------
    ValueError
        Naming ``source``: the table is empty, or ``fraction_found < min_fraction`` (the
        message lists the fraction of every transform and example barcodes of both sides).
    """
    where = source or "cell barcodes"
    table = [str(b) for b in table_barcodes]
    if not table:
        raise ValueError(f"{where}: no table barcodes to match")
    if len(set(table)) != len(table):
        dup = [b for b, n in Counter(table).items() if n > 1]
        raise ValueError(f"{where}: table barcodes must be unique: {_listed(dup)}")
    if not isinstance(fragment_barcodes, (np.ndarray, pd.Index, pd.Series, list)):
        fragment_barcodes = list(fragment_barcodes)
    present = set(pd.unique(pd.Series(fragment_barcodes, dtype=object).astype(str)).tolist())
    suffixes = [s for s, _ in Counter(_split_suffix(b)[1] for b in present).most_common()]
    tried, ambiguous = {}, []
    best_name, best_found = None, {}
    for name, spelled in _variants(table, suffixes):
        found = {t: s for t, s in zip(table, spelled) if s in present}
        tried[name] = len(found) / len(table)
        if len(set(found.values())) < len(found):
            ambiguous.append(name)
            continue
        if best_name is None or len(found) > len(best_found):
            best_name, best_found = name, found
    fraction = len(best_found) / len(table)
    report = {"n_table": len(table), "n_found": len(best_found), "fraction_found": fraction,
              "transform": best_name, "tried": tried, "ambiguous": ambiguous}
    if fraction < min_fraction:
        shown = "; ".join(f"{n} {f:.1%}" + (" (merges barcodes, not used)" if n in ambiguous else "")
                          for n, f in tried.items())
        raise ValueError(
            f"{where}: only {len(best_found)} of {len(table)} table barcodes ({fraction:.1%}) occur in the "
            f"fragments (need at least {min_fraction:.0%}); transforms tried: {shown}. Table barcodes look like "
            f"{_listed(table[:3], 3)}; fragment barcodes like {_listed(heapq.nsmallest(3, present), 3)}. Check the "
            "sample (library) and the barcode orientation.")
    log.info("%s: %d of %d table barcodes found (%.1f%%, %s)", where, len(best_found), len(table),
             100 * fraction, best_name)
    return best_found, report


# --- overlaps ---------------------------------------------------------------------------------


def check_peaks(peaks: pd.DataFrame) -> pd.DataFrame:
    """Validate a peak table (columns, non-empty, unique names, ``0 <= start < end``); index reset."""
    missing = [c for c in PEAK_COLUMNS if c not in peaks]
    if missing:
        raise ValueError(f"peak table lacks column(s) {missing} (read it with deepallele.reads.peaks.read_peaks)")
    if peaks.empty:
        raise ValueError("the peak table is empty: nothing to count")
    if peaks["name"].duplicated().any():
        raise ValueError(f"peak names must be unique: {_listed(peaks['name'][peaks['name'].duplicated()].tolist())}")
    start, end = peaks["start"].to_numpy(np.int64), peaks["end"].to_numpy(np.int64)
    if (start < 0).any() or (start >= end).any() or (end >= _BLOCK).any():
        raise ValueError("peaks need 0 <= start < end < 2**40")
    return peaks.reset_index(drop=True)


def check_fragments(fragments: pd.DataFrame, need_count: bool = False) -> None:
    """Raise ValueError unless ``fragments`` has ``chrom, start, end, barcode`` (and ``count``)."""
    need = FRAGMENT_COLUMNS if need_count else FRAGMENT_COLUMNS[:4]
    missing = [c for c in need if c not in fragments]
    if missing:
        raise ValueError(f"fragment table lacks column(s) {missing} (expected {FRAGMENT_COLUMNS})")


class PeakIndex:
    """Peaks on one linear axis, to find the peaks each fragment overlaps (any chromosome).

    Chromosome ``k`` (order of first appearance in the peaks) occupies ``[k * 2**40, (k + 1) *
    2**40)``, so records of different chromosomes never overlap and one sorted search covers
    them all.

    Parameters
    ----------
    peaks : pandas.DataFrame, shape (n_peaks, >= 4)
        ``chrom, start, end, name``; any order, may overlap.
    """

    def __init__(self, peaks: pd.DataFrame):
        peaks = check_peaks(peaks)
        self.n_peaks = len(peaks)
        self.chroms = pd.Index(pd.unique(peaks["chrom"].astype(str)))
        offset = self.chroms.get_indexer(peaks["chrom"].astype(str)).astype(np.int64) * _BLOCK
        #: shape (n_peaks,): linear starts and ends, in the order of the peak table
        self.starts = offset + peaks["start"].to_numpy(np.int64)
        self.ends = offset + peaks["end"].to_numpy(np.int64)
        # the union of the peaks, for "overlaps any peak" (touching peaks stay apart: no base shared)
        order = np.argsort(self.starts, kind="stable")
        s, e = self.starts[order], np.maximum.accumulate(self.ends[order])
        new = np.r_[True, s[1:] >= e[:-1]]
        self.union_starts = s[new]
        self.union_ends = e[np.r_[np.flatnonzero(new)[1:] - 1, s.size - 1]]

    def linear(self, chrom, start, end) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Records mapped onto the axis.

        Parameters
        ----------
        chrom, start, end : array-like, shape (n,)

        Returns
        -------
        keep : numpy.ndarray of bool, shape (n,)
            Records on a chromosome that has peaks (the others cannot overlap one).
        starts, ends : numpy.ndarray of int64, shape (keep.sum(),)
        """
        code = self.chroms.get_indexer(pd.Index(np.asarray(chrom)).astype(str))
        keep = code >= 0
        start = np.asarray(start, dtype=np.int64)[keep]
        end = np.asarray(end, dtype=np.int64)[keep]
        if start.size and (start.min() < 0 or end.max() >= _BLOCK):
            raise ValueError("fragment coordinates must lie in [0, 2**40)")
        offset = code[keep].astype(np.int64) * _BLOCK
        return keep, offset + start, offset + end

    def hits(self, chrom, start, end) -> tuple[np.ndarray, np.ndarray]:
        """Every (record, peak) pair with ``start < peak_end and end > peak_start``.

        Returns
        -------
        record, peak : numpy.ndarray of int64, shape (n_hits,)
            Row positions in the given records and in the peak table.
        """
        keep, s, e = self.linear(chrom, start, end)
        record, peak = interval_hits(s, e, self.starts, self.ends)
        return np.flatnonzero(keep)[record], peak

    def any_hit(self, chrom, start, end) -> np.ndarray:
        """shape (n,) bool: the record overlaps at least one peak."""
        keep, s, e = self.linear(chrom, start, end)
        idx = np.searchsorted(self.union_ends, s, side="right")  # first union interval ending after start
        hit = idx < self.union_starts.size
        hit[hit] = self.union_starts[idx[hit]] < e[hit]
        out = np.zeros(keep.size, dtype=bool)
        out[keep] = hit
        return out


# --- counting ---------------------------------------------------------------------------------


class PeakCellCounter:
    """Accumulate a peaks x cells count matrix over chunks of fragments (Signac rule).

    Parameters
    ----------
    peaks : pandas.DataFrame, shape (n_peaks, >= 4)
        ``chrom, start, end, name``; rows of the matrix in this order.
    cells : sequence of str, shape (n_cells,)
        Barcodes as spelled in the fragments (unique); columns in this order.

    Examples
    --------
    >>> counter = PeakCellCounter(peaks, cells)
    >>> for chunk in pd.read_csv(path, sep="\\t", comment="#", header=None, names=FRAGMENT_COLUMNS,
    ...                          chunksize=5_000_000):
    ...     counter.add(chunk)
    >>> matrix = counter.matrix()
    """

    def __init__(self, peaks: pd.DataFrame, cells: Sequence[str]):
        self.index = PeakIndex(peaks)
        self.cells = pd.Index([str(c) for c in cells])
        if self.cells.has_duplicates:
            raise ValueError(f"cell barcodes must be unique: {_listed(self.cells[self.cells.duplicated()].tolist())}")
        self.shape = (self.index.n_peaks, len(self.cells))
        self._matrix = sp.csr_matrix(self.shape, dtype=np.int64)
        self.n_records = 0  # records seen
        self.n_in_cells = 0  # of them, records of the selected cells

    def add(self, fragments: pd.DataFrame) -> None:
        """Count one chunk of fragment records (columns ``chrom, start, end, barcode``)."""
        check_fragments(fragments)
        self.n_records += len(fragments)
        col = self.cells.get_indexer(fragments["barcode"].astype(str))
        mine = col >= 0  # drop other barcodes before the overlap step
        self.n_in_cells += int(mine.sum())
        if not mine.any():
            return
        record, peak = self.index.hits(fragments["chrom"].to_numpy()[mine], fragments["start"].to_numpy()[mine],
                                       fragments["end"].to_numpy()[mine])
        # duplicate (peak, cell) pairs add up, as in sparseMatrix(x = 1)
        chunk = sp.coo_matrix((np.ones(record.size, dtype=np.int64), (peak, col[mine][record])),
                              shape=self.shape).tocsr()
        self._matrix = self._matrix + chunk

    def matrix(self) -> sp.csr_matrix:
        """The counts so far: shape (n_peaks, n_cells), int64, canonical (sorted, no duplicates)."""
        m = self._matrix.astype(np.int64).tocsr()
        m.sum_duplicates()
        m.sort_indices()
        return m


def peak_cell_counts(fragments: pd.DataFrame, peaks: pd.DataFrame, cells: Sequence[str]) -> sp.csr_matrix:
    """Signac ``FeatureMatrix`` counts of one fragment table.

    Parameters
    ----------
    fragments : pandas.DataFrame, shape (n_records, >= 4)
        ``chrom, start, end, barcode[, count]``; ``count`` is ignored (records are counted).
    peaks : pandas.DataFrame, shape (n_peaks, >= 4)
        ``chrom, start, end, name``; any order, may overlap.
    cells : sequence of str, shape (n_cells,)
        Barcodes (fragment spelling) to count; other barcodes are ignored.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n_peaks, n_cells), int64
        Records overlapping each peak (half-open) per cell; rows in peak order, columns in
        ``cells`` order. See the module notes for the rule and the complexity.
    """
    counter = PeakCellCounter(peaks, cells)
    counter.add(fragments)
    return counter.matrix()


def peak_cell_counts_chunked(chunks: Iterable[pd.DataFrame], peaks: pd.DataFrame,
                             cells: Sequence[str]) -> sp.csr_matrix:
    """:func:`peak_cell_counts` over an iterable of fragment chunks (e.g. ``pd.read_csv(...,
    chunksize=...)``); equal to counting their concatenation at once. shape (n_peaks, n_cells)."""
    counter = PeakCellCounter(peaks, cells)
    for chunk in chunks:
        counter.add(chunk)
    return counter.matrix()


# --- outputs ----------------------------------------------------------------------------------


def atomic_write(path: str | Path, write) -> Path:
    """Call ``write(binary file)`` on ``<path>.tmp`` and rename it, so a failed job leaves no file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_matrix_market(matrix, path: str | Path) -> Path:
    """Write a peaks x cells count matrix as MatrixMarket ``coordinate integer general``.

    Entries are written in row-major order (sorted rows, then columns) and the header carries no
    date or tool comment, so the same matrix gives the same bytes. The file goes through
    ``<path>.tmp`` and a rename. The authors read it as ``scipy.io.mmread(path).T`` (cells x
    peaks).

    Parameters
    ----------
    matrix : scipy.sparse matrix or numpy.ndarray, shape (n_peaks, n_cells)
        Integer counts.
    path : str or pathlib.Path
        The ``.mtx`` file (no suffix is added).
    """
    m = sp.csr_matrix(matrix)
    if m.dtype.kind not in "iub":
        raise ValueError(f"{path}: MatrixMarket counts must be integers, got {m.dtype}")
    m = m.astype(np.int64)
    m.sum_duplicates()
    m.sort_indices()
    m.eliminate_zeros()
    if m.nnz == 0:
        # scipy labels an empty matrix "real" whatever field it is given
        header = f"%%MatrixMarket matrix coordinate integer general\n%\n{m.shape[0]} {m.shape[1]} 0\n"
        return atomic_write(path, lambda fh: fh.write(header.encode()))
    # symmetry forced: scipy writes a square symmetric matrix as its lower triangle otherwise
    return atomic_write(path, lambda fh: scipy.io.mmwrite(fh, m.tocoo(), field="integer", symmetry="general"))


def _write_lines(lines: Iterable[str], path: str | Path) -> Path:
    text = "".join(f"{line}\n" for line in lines)
    return atomic_write(path, lambda fh: fh.write(text.encode()))


def pseudobulk_counts(ref_matrix, alt_matrix, peaks: pd.DataFrame) -> pd.DataFrame:
    """Sum each allele's matrix over its cells: the bulk path's per-allele count table.

    Parameters
    ----------
    ref_matrix, alt_matrix : scipy.sparse matrix or numpy.ndarray, shape (n_peaks, n_cells)
    peaks : pandas.DataFrame, shape (n_peaks, >= 4)
        The peak table the matrices were counted on (row order).

    Returns
    -------
    pandas.DataFrame, shape (n_peaks, 7)
        :data:`deepallele.reads.counts.COUNT_COLUMNS`: ``peak, chrom, start, end, ref_count,
        alt_count, ln_ratio`` with ``ln_ratio = ln((1 + ref) / (1 + alt))``.
    """
    peaks = check_peaks(peaks)
    sums = []
    for label, m in (("ref", ref_matrix), ("alt", alt_matrix)):
        if m.shape[0] != len(peaks):
            raise ValueError(f"{label} matrix has {m.shape[0]} rows for {len(peaks)} peaks")
        sums.append(np.asarray(m.sum(axis=1)).ravel().astype(np.int64))
    table = pd.DataFrame({"peak": peaks["name"].astype(str).to_numpy(), "chrom": peaks["chrom"].astype(str).to_numpy(),
                          "start": peaks["start"].to_numpy(np.int64), "end": peaks["end"].to_numpy(np.int64),
                          "ref_count": sums[0], "alt_count": sums[1]})
    table["ln_ratio"] = ln_ratio(table["ref_count"], table["alt_count"])
    return table[COUNT_COLUMNS]


def cell_type_label(cell_type: str | Sequence[str]) -> str:
    """File-name label of a cell type, or of several pooled ones (joined by ``+``)."""
    types = [cell_type] if isinstance(cell_type, str) else list(cell_type)
    if not types:
        raise ValueError("no cell type given")
    label = "+".join(str(t) for t in types)
    if "/" in label or label in (".", ".."):
        raise ValueError(f"cell type {label!r} cannot name a folder")
    return label


def cell_type_counts(ref_fragments: pd.DataFrame, alt_fragments: pd.DataFrame, peaks: pd.DataFrame,
                     cell_types: pd.DataFrame | str | Path, cell_type: str | Sequence[str],
                     outdir: str | Path | None = None, min_fraction: float = 0.5) -> dict:
    """Peaks x cells matrices of both alleles for the cells of one cell type, and their pseudo-bulk.

    Parameters
    ----------
    ref_fragments, alt_fragments : pandas.DataFrame
        Each allele's fragment records (``chrom, start, end, barcode[, count]``).
    peaks : pandas.DataFrame, shape (n_peaks, >= 4)
        ``chrom, start, end, name`` (:func:`deepallele.reads.peaks.read_peaks`).
    cell_types : pandas.DataFrame or path
        ``barcode, cell_type`` (:func:`read_cell_types`; a path is read with it).
    cell_type : str or sequence of str
        The type to keep; several types are pooled (folder label joined by ``+``).
    outdir : str or pathlib.Path, optional
        Write the authors' layout there (see the module notes).
    min_fraction : float
        Passed to :func:`match_cell_barcodes`.

    Returns
    -------
    dict
        ``counts``: the pseudo-bulk table (:func:`pseudobulk_counts`); ``ref``, ``alt``:
        csr_matrix, shape (n_peaks, n_cells), int64; ``cells``: list of str, shape (n_cells,),
        the fragment spelling of the cells found, in table order; ``match``: the report of
        :func:`match_cell_barcodes`; ``files``: paths written (empty without ``outdir``).

    Raises
    ------
    ValueError
        No barcode of the type in the table (the types present are listed), or too few table
        barcodes found in the fragments.
    """
    source = "cell-type table"
    if isinstance(cell_types, (str, Path)):
        source = str(cell_types)
        cell_types = read_cell_types(cell_types)
    missing = [c for c in CELL_TYPE_COLUMNS if c not in cell_types]
    if missing:
        raise ValueError(f"{source}: lacks column(s) {missing}")
    label = cell_type_label(cell_type)
    types = [cell_type] if isinstance(cell_type, str) else [str(t) for t in cell_type]
    chosen = cell_types[cell_types["cell_type"].astype(str).isin(types)]
    if chosen.empty:
        raise ValueError(f"{source}: no barcode of cell type {label!r}; types present: "
                         f"{_listed(sorted(cell_types['cell_type'].astype(str).unique()))}")
    peaks = check_peaks(peaks)
    for fragments in (ref_fragments, alt_fragments):
        check_fragments(fragments)
    seen = pd.unique(pd.concat([ref_fragments["barcode"], alt_fragments["barcode"]], ignore_index=True).astype(str))
    mapping, report = match_cell_barcodes(chosen["barcode"].astype(str).tolist(), seen, min_fraction,
                                          source=f"{source} ({label})")
    cells = list(mapping.values())
    ref = peak_cell_counts(ref_fragments, peaks, cells)
    alt = peak_cell_counts(alt_fragments, peaks, cells)
    counts = pseudobulk_counts(ref, alt, peaks)
    files: list[Path] = []
    if outdir is not None:
        outdir = Path(outdir)
        folder = outdir / label
        files = [_write_lines(peaks["name"].astype(str), outdir / "ocr_list.txt"),
                 _write_lines(cells, folder / f"barcodes_list_{label}.txt"),
                 write_matrix_market(ref, folder / f"ref_counts_{label}.mtx"),
                 write_matrix_market(alt, folder / f"alt_counts_{label}.mtx")]
    return {"counts": counts, "ref": ref, "alt": alt, "cells": cells, "match": report, "files": files}
