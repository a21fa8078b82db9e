"""The authors' processed HDF5 files <-> our ``pairs.h5``.

DeepAllele-public ships its training data as HDF5 (reference spec §3): both alleles as float64
one-hot arrays ``B6_sequence`` / ``Cast_sequence`` of shape (N, L, 4) (channels A, C, G, T;
N = 0.25 in every channel; other letters and right-padding all zero), ``peak_name``
(``chr{chr}-{start}-{end}``) and the targets ln(1 + count) in one of two layouts:

``plain`` (ChIP, ``sequence_datasets_chip_{PWK,SPRET}_B6.hdf5``)
    ``B6_counts``, ``Cast_counts`` and ``ratio`` (= ``B6_counts - Cast_counts``).
``sum`` / ``sc`` (ATAC, ``ATAC-seq-preprocessed.hdf5``)
    ``<t>.B6``, ``<t>.CAST`` and ``<t>.ratio`` (bulk sums / single-cell pseudobulk).

:func:`import_authors_h5` turns such a file into our store (:mod:`deepallele.datasets.store`)
and :func:`export_authors_h5` writes our store in their layout (their ``B6`` is our reference
allele, their ``Cast`` our strain allele, whatever the strain). Import -> export -> import
gives back the same codes, counts, names and split.

What an import knows and what it does not
-----------------------------------------
* **Counts** are ``expm1`` of their targets, rounded to 6 decimals (expm1 of a float64
  ln(1+x) recovers x to ~1e-15 relative; the rounding makes whole counts whole again and makes
  a second round trip exact). They are float64 in the store when any is not whole.
* **Sequences**: each one-hot row must be exactly one-hot (code = the channel with the 1),
  all 0.25 (N) or all zero (padding code); anything else is an error naming the row. The
  length of an allele is the index after its last non-zero row. An all-zero row *inside* a
  sequence (their encoding of a non-ACGTN letter) keeps the padding code, so the model input is
  bit-identical; such rows are counted in the log.
* **Peak names** must all parse (no random-split fallback as in the authors' loader): a regular
  expression with a named group ``chrom`` and optionally ``start`` and ``end``; without them
  ``peak_start`` / ``peak_end`` are -1. The coordinates in a name are stored as written.
* **Windows are unknown**: ``start``, ``end``, ``strain_start``, ``strain_end`` are -1,
  ``strain_trim_*`` 0 (attribute ``windows_known = False``).
* **Variants** are derived from the two sequences (:func:`sequence_diff`; attribute
  ``variants_source = "sequence_diff"``), since the file has no variant table.
"""
from __future__ import annotations

import difflib
import logging
import re
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from ..alphabet import PAD_CODE, decode, from_one_hot, one_hot
from .pairs import VARIANT_COLUMNS, PairedSequences
from .split import assign_split, split_attrs
from .store import count_arrays, pairs_summary, read_pairs_h5, targets, write_pairs_h5

log = logging.getLogger("deepallele.datasets")

#: Default pattern of the authors' peak names (``chr1-3000000-3000300``).
DEFAULT_PEAK_PATTERN = r"^(?P<chrom>chr[^-:_]+)[-:_](?P<start>\d+)[-_](?P<end>\d+)$"
#: Target layouts: their dataset names of (reference, strain, ratio).
TARGET_DATASETS = {"plain": ("B6_counts", "Cast_counts", "ratio"), "sum": ("sum.B6", "sum.CAST", "sum.ratio"),
                   "sc": ("sc.B6", "sc.CAST", "sc.ratio")}
SEQUENCE_DATASETS = ("B6_sequence", "Cast_sequence")
RATIO_TOLERANCE = 1e-6
_ROWS = 4096  # rows decoded / encoded at a time (an ATAC file holds GBs of float64 one-hot)
_HAMMING_MAX_FRACTION = 0.1  # equal-length pairs with more mismatches are aligned instead
_DENSE_WINDOW, _DENSE_MISMATCHES = 16, 8  # a shifted (indel) stretch is this dense in mismatches


# ----------------------------------------------------------------------------- sequences
def one_hot_to_codes(x: np.ndarray, first_row: int = 0, what: str = "sequence") -> np.ndarray:
    """Base codes of the authors' one-hot rows (:func:`deepallele.alphabet.from_one_hot`, channels last).

    Parameters
    ----------
    x : numpy.ndarray, shape (n, L, 4)
        One-hot A, C, G, T; N = 0.25 in all four channels; padding all zero.
    first_row : int
        Index of ``x[0]`` in the file (for errors).
    what : str
        Dataset name (for errors).

    Returns
    -------
    numpy.ndarray of uint8, shape (n, L)
        Codes A=0, C=1, G=2, T=3, N=4, padding (all-zero row) 5.

    Raises
    ------
    ValueError
        A position that is none of the three kinds (row and position named).
    """
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[-1] != 4:
        raise ValueError(f"{what}: expected shape (N, L, 4), got {x.shape}")
    return from_one_hot(x, channel_axis=-1, what=what, first_row=first_row)


def codes_to_one_hot(codes: np.ndarray) -> np.ndarray:
    """The authors' encoding of base codes: float64 of shape (n, L, 4) (N = 0.25, padding 0)."""
    return np.ascontiguousarray(np.moveaxis(one_hot(codes, dtype=np.float64), -2, -1))


def sequence_lengths(codes: np.ndarray) -> np.ndarray:
    """Index after the last non-padding code of each row (int32, shape (n,); 0 for an all-padding row)."""
    nonpad = np.asarray(codes) != PAD_CODE
    length = codes.shape[1] - np.argmax(nonpad[:, ::-1], axis=1)
    return np.where(nonpad.any(axis=1), length, 0).astype(np.int32)


# ----------------------------------------------------------------------------- variants
def _edits(a: np.ndarray, b: np.ndarray) -> list[tuple[str, int, int, int, int]]:
    """Differences of two code arrays as ``(tag, i1, i2, j1, j2)`` (difflib opcodes without
    ``equal``): a Hamming pass for equal lengths with few, scattered mismatches, else difflib
    on the part between the common prefix and suffix."""
    la, lb = len(a), len(b)
    if la == lb:
        diff = np.flatnonzero(a != b)
        dense = (len(diff) >= _DENSE_MISMATCHES
                 and (diff[_DENSE_MISMATCHES - 1:] - diff[:len(diff) - _DENSE_MISMATCHES + 1] < _DENSE_WINDOW).any())
        if len(diff) <= _HAMMING_MAX_FRACTION * la and not dense:
            if not len(diff):
                return []
            breaks = np.flatnonzero(np.diff(diff) > 1) + 1  # runs of adjacent mismatches
            return [("replace", int(r[0]), int(r[-1]) + 1, int(r[0]), int(r[-1]) + 1)
                    for r in np.split(diff, breaks)]
    n = min(la, lb)
    same = np.flatnonzero(a[:n] != b[:n])
    head = int(same[0]) if len(same) else n
    same = np.flatnonzero(a[::-1][:n - head] != b[::-1][:n - head])
    tail = int(same[0]) if len(same) else n - head
    ma, mb = a[head:la - tail].tobytes(), b[head:lb - tail].tobytes()
    ops = difflib.SequenceMatcher(None, ma, mb, autojunk=False).get_opcodes()
    return [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in ops if tag != "equal"]


def _slides_to_edge(long: str, p: int, q: int, first: bool, last: bool) -> bool:
    """Whether the indel ``long[p:q]`` (bases one allele has and the other lacks, with equal
    flanks) is equivalent to one at the start (``first`` edit) or the end (``last`` edit) of
    the arrays: it can be slid there through a repeat (``AC|GG`` + ``GG`` at the end is ``GG``
    appended)."""
    if last:
        a, b = p, q
        while b < len(long) and long[a] == long[b]:
            a, b = a + 1, b + 1
        if b == len(long):
            return True
    if first:
        a, b = p, q
        while a > 0 and long[a - 1] == long[b - 1]:
            a, b = a - 1, b - 1
        if a == 0:
            return True
    return False


def sequence_diff(ref_codes: np.ndarray, alt_codes: np.ndarray, ref_length, alt_length, peak) -> pd.DataFrame:
    """Variant table derived by comparing the two alleles of every peak.

    Parameters
    ----------
    ref_codes, alt_codes : numpy.ndarray of uint8, shape (N, L)
        Allele codes (right-padded).
    ref_length, alt_length : array-like of int, shape (N,)
        Unpadded lengths.
    peak : array-like of str, shape (N,)
        Peak names (used in the variant IDs).

    Returns
    -------
    pandas.DataFrame
        :data:`~deepallele.datasets.pairs.VARIANT_COLUMNS`, peaks in order and variants by
        position, as :func:`~deepallele.datasets.pairs.variant_table` but in array coordinates:

        * one row per difference: a run of substituted bases (``snp``: 1 bp, ``mnp``), an
          insertion (``ins``), a deletion (``del``), or a substitution of unequal lengths
          (``complex``);
        * ``ref_pos``/``alt_pos``, ``ref_edit``/``alt_edit``: the edit and where it lies, with the
          conventions of :func:`~deepallele.datasets.pairs.variant_table` (insertion: the
          reference base after the insertion point and the first inserted base; deletion: the
          first deleted base and the strain base after the deletion point);
        * ``ref``/``alt``: VCF-style alleles, an insertion or deletion with its shared anchor
          base (the base before it, or after it at the start of the arrays);
        * ``id``: ``<peak>:<POS>:<REF>:<ALT>``, POS the 1-based array index of REF's first base;
        * ``complete``: True, except for an insertion or deletion at the start or the end of
          both arrays (or one that slides there through a repeat), or a complex edit touching
          them: it cannot be told from windows that simply end at different places in the two
          genomes.

        An interior padding code (an all-zero row of the authors' encoding) shows as ``-``.

    Notes
    -----
    Equal-length pairs with few, scattered mismatches (at most 10 % of the length, never 8 in
    16 bp, which an indel's shifted stretch would give) are compared base by base; all others
    are aligned with :class:`difflib.SequenceMatcher` (``autojunk=False``) between their
    common prefix and suffix. The alignment of an indel in a repeat is one of the equivalent
    ones, not necessarily left-aligned.
    """
    rows = []
    for i in range(len(ref_length)):
        la, lb = int(ref_length[i]), int(alt_length[i])
        a, b = ref_codes[i, :la], alt_codes[i, :lb]
        edits = _edits(a, b)
        if not edits:
            continue
        sa, sb = decode(a, pad="-"), decode(b, pad="-")
        for k, (tag, i1, i2, j1, j2) in enumerate(edits):
            ref_edit, alt_edit = sa[i1:i2], sb[j1:j2]
            if tag == "replace" and i2 - i1 == j2 - j1:
                kind = "snp" if i2 - i1 == 1 else "mnp"
            else:
                kind = {"insert": "ins", "delete": "del"}.get(tag, "complex")
            ref, alt, pos = ref_edit, alt_edit, i1 + 1
            if kind in ("ins", "del"):
                if i1 > 0 and j1 > 0:  # the bases before an edit are equal in both (difflib)
                    ref, alt, pos = sa[i1 - 1] + ref, sa[i1 - 1] + alt, i1
                elif i2 < la and j2 < lb:
                    ref, alt = ref + sa[i2], alt + sa[i2]
            if kind == "complex":
                at_edge = (i1 == 0 and j1 == 0) or (i2 == la and j2 == lb)
            elif kind in ("ins", "del"):
                at_edge = _slides_to_edge(sb if kind == "ins" else sa, *((j1, j2) if kind == "ins" else (i1, i2)),
                                          first=k == 0, last=k == len(edits) - 1)
            else:
                at_edge = False
            complete = not at_edge
            rows.append((i, f"{peak[i]}:{pos}:{ref}:{alt}", kind, i1, j1, ref, alt, ref_edit, alt_edit, complete))
    table = pd.DataFrame(rows, columns=VARIANT_COLUMNS)
    table = table.astype({"peak_index": np.int32, "ref_pos": np.int32, "alt_pos": np.int32, "complete": bool})
    for col in ("id", "kind", "ref", "alt", "ref_edit", "alt_edit"):
        table[col] = table[col].astype(object)
    return table


# ----------------------------------------------------------------------------- names and targets
def _strings(values) -> list[str]:
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in np.asarray(values).ravel()]


def parse_peak_names(names, pattern: str | None = None, path="peak_name") -> pd.DataFrame:
    """Chromosome (and interval) of every peak name; every name must parse.

    Parameters
    ----------
    names : sequence of str, length N
    pattern : str, optional
        Regular expression matched against the whole name, with a named group ``chrom`` and
        optionally ``start`` and ``end`` (both or neither). Default
        :data:`DEFAULT_PEAK_PATTERN`; e.g. ``^Merged-(?P<chrom>chr[^-]+)-.*$`` for ChIP IDs.
    path : str or pathlib.Path
        Named in errors.

    Returns
    -------
    pandas.DataFrame
        N rows: ``chrom`` (str), ``start``, ``end`` (int64; -1 when the pattern has no
        ``start``/``end``).

    Raises
    ------
    ValueError
        Names that do not match (the first few and their number are listed), or a bad pattern.

    Examples
    --------
    >>> parse_peak_names(["chr1-100-400"]).values.tolist()
    [['chr1', 100, 400]]
    """
    pattern = pattern or DEFAULT_PEAK_PATTERN
    regex = re.compile(pattern)
    groups = set(regex.groupindex)
    if "chrom" not in groups or len({"start", "end"} & groups) == 1:
        raise ValueError(f"peak pattern {pattern!r} needs a named group 'chrom' and either both or neither of "
                         f"'start' and 'end' (has {sorted(groups)})")
    with_interval = "start" in groups
    rows, bad = [], []
    for i, name in enumerate(names):
        match = regex.fullmatch(name)
        if match is None:
            bad.append((i, name))
            continue
        rows.append((match["chrom"], int(match["start"]) if with_interval else -1,
                     int(match["end"]) if with_interval else -1))
    if bad:
        shown = ", ".join(f"row {i}: {n!r}" for i, n in bad[:5])
        raise ValueError(f"{path}: {len(bad)} of {len(names)} peak name(s) do not match the peak pattern {pattern!r} "
                         f"({shown}{', ...' if len(bad) > 5 else ''}); give peak_pattern for these names")
    return pd.DataFrame(rows, columns=["chrom", "start", "end"]).astype({"start": np.int64, "end": np.int64})


def _target_datasets(h5: h5py.File, target: str, path) -> tuple[str, tuple[str, str, str]]:
    if target == "auto":
        target = "plain" if TARGET_DATASETS["plain"][0] in h5 else "sum" if TARGET_DATASETS["sum"][0] in h5 else None
        if target is None:
            raise ValueError(f"{path}: no target datasets (looked for {TARGET_DATASETS['plain'][0]!r} and "
                             f"{TARGET_DATASETS['sum'][0]!r}); datasets present: {sorted(h5.keys())}")
    if target not in TARGET_DATASETS:
        raise ValueError(f"target must be 'auto' or one of {list(TARGET_DATASETS)}, not {target!r}")
    missing = [d for d in TARGET_DATASETS[target] if d not in h5]
    if missing:
        raise ValueError(f"{path}: target {target!r} needs dataset(s) {missing}; datasets present: {sorted(h5.keys())}")
    return target, TARGET_DATASETS[target]


def targets_to_counts(ln1p: np.ndarray, what: str = "target") -> np.ndarray:
    """Counts from ln(1 + count) targets: ``expm1``, rounded to 6 decimals (float64, shape (N,)).

    Raises
    ------
    ValueError
        A non-finite target or a negative count.
    """
    ln1p = np.asarray(ln1p, dtype=np.float64)
    if not np.isfinite(ln1p).all():
        raise ValueError(f"{what}: {int((~np.isfinite(ln1p)).sum())} target(s) are not finite")
    counts = np.round(np.expm1(ln1p), 6)
    if (counts < 0).any():
        i = int(np.flatnonzero(counts < 0)[0])
        raise ValueError(f"{what}: row {i} has ln(1+count) = {ln1p[i]} < 0 (a negative count)")
    return counts + 0.0  # no -0.0


def _strain_from_data_type(data_type: str, target: str) -> str:
    match = re.search(r"(\S+)/(\S+)\s*$", data_type)
    if match:
        return match[1]
    return "CAST" if target in ("sum", "sc") else "alt"


# ----------------------------------------------------------------------------- import / export
def import_authors_h5(path: str | Path, out_h5: str | Path, *, target: str = "auto", peak_pattern: str | None = None,
                      scheme: str = "heldout", val=("chr16",), test=("chr17", "chr18"), reference_name: str = "B6",
                      strain_name: str | None = None, summary: str | Path | None = None) -> pd.DataFrame:
    """The authors' processed HDF5 -> our ``pairs.h5`` (+ summary TSV); see the module notes.

    Parameters
    ----------
    path : str or pathlib.Path
        Their file: ``B6_sequence``, ``Cast_sequence`` (N, L, 4), ``peak_name`` (N,) and targets.
    out_h5 : str or pathlib.Path
        Our store to write (:func:`~deepallele.datasets.store.write_pairs_h5`).
    target : {"auto", "plain", "sum", "sc"}
        Target datasets: ``plain`` = ``B6_counts``, ``Cast_counts``, ``ratio`` (ChIP); ``sum`` /
        ``sc`` = ``<t>.B6``, ``<t>.CAST``, ``<t>.ratio`` (ATAC). ``auto``: plain if present, else sum.
    peak_pattern : str, optional
        Pattern of the peak names (:func:`parse_peak_names`).
    scheme, val, test
        Chromosome split (:mod:`deepallele.datasets.split`).
    reference_name : str
        Name of their ``B6`` allele (our reference).
    strain_name : str, optional
        Name of their ``Cast`` allele (our strain); default from the ``data_type`` attribute
        (``ChIP-seq PWK/B6`` -> ``PWK``), else ``CAST`` for ATAC, else ``alt``.
    summary : str or pathlib.Path, optional
        Where to write :func:`~deepallele.datasets.store.pairs_summary` as TSV.

    Returns
    -------
    pandas.DataFrame
        The summary.

    Raises
    ------
    ValueError
        Naming the file: missing datasets (those present listed), shapes that disagree, a
        position that is not a valid one-hot row, peak names that do not parse or repeat,
        non-finite or negative targets, or a ratio that is not ``B6 - CAST`` within 1e-6.
    """
    t0 = time.perf_counter()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found")
    with h5py.File(path, "r") as h5:
        missing = [d for d in (*SEQUENCE_DATASETS, "peak_name") if d not in h5]
        if missing:
            raise ValueError(f"{path}: missing dataset(s) {missing}; datasets present: {sorted(h5.keys())}")
        target, (ref_name, alt_name, ratio_name) = _target_datasets(h5, target, path)
        shape = h5[SEQUENCE_DATASETS[0]].shape
        n = shape[0]
        if len(shape) != 3 or shape[2] != 4 or h5[SEQUENCE_DATASETS[1]].shape != shape:
            raise ValueError(f"{path}: {SEQUENCE_DATASETS} must both have shape (N, L, 4); got "
                             f"{shape} and {h5[SEQUENCE_DATASETS[1]].shape}")
        for name in ("peak_name", ref_name, alt_name, ratio_name):
            if h5[name].shape != (n,):
                raise ValueError(f"{path}: {name} has shape {h5[name].shape}, expected ({n},)")
        length = int(shape[1])
        codes = {}
        for name in SEQUENCE_DATASETS:
            out = np.empty((n, length), dtype=np.uint8)
            for lo in range(0, n, _ROWS):
                out[lo:lo + _ROWS] = one_hot_to_codes(h5[name][lo:lo + _ROWS], lo, f"{path}: {name}")
            codes[name] = out
        names = _strings(h5["peak_name"][()])
        y_ref, y_alt, y_ratio = (h5[d][()].astype(np.float64) for d in (ref_name, alt_name, ratio_name))
        data_type = h5.attrs.get("data_type", "")
        data_type = data_type.decode() if isinstance(data_type, bytes) else str(data_type)

    off = ~(np.abs(y_ratio - (y_ref - y_alt)) <= RATIO_TOLERANCE)  # NaN counts as off
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(f"{path}: {ratio_name} is not {ref_name} - {alt_name} (tolerance {RATIO_TOLERANCE}) in "
                         f"{int(off.sum())} row(s), e.g. row {i}: {y_ratio[i]} vs {y_ref[i]} - {y_alt[i]}")
    ref_count = targets_to_counts(y_ref, f"{path}: {ref_name}")
    alt_count = targets_to_counts(y_alt, f"{path}: {alt_name}")
    coords = parse_peak_names(names, peak_pattern, f"{path}: peak_name")
    dup = pd.Series(names).duplicated()
    if dup.any():
        raise ValueError(f"{path}: duplicated peak name(s) {pd.Series(names)[dup].unique()[:5].tolist()}")

    ref_codes, alt_codes = codes[SEQUENCE_DATASETS[0]], codes[SEQUENCE_DATASETS[1]]
    ref_length, alt_length = sequence_lengths(ref_codes), sequence_lengths(alt_codes)
    interior = int(sum(((c == PAD_CODE) & (np.arange(length) < ln[:, None])).sum()
                       for c, ln in ((ref_codes, ref_length), (alt_codes, alt_length))))
    if interior:
        log.warning("%s: %d all-zero position(s) inside sequences (a letter other than ACGTN) keep the padding code",
                    path, interior)
    unknown = np.full(n, -1, dtype=np.int64)
    peak = np.array(names, dtype=object)
    pairs = PairedSequences(peak=peak, chrom=coords["chrom"].to_numpy(dtype=object),
                            peak_start=coords["start"].to_numpy(), peak_end=coords["end"].to_numpy(),
                            start=unknown, end=unknown.copy(), strain_start=unknown.copy(), strain_end=unknown.copy(),
                            strain_trim_left=np.zeros(n, np.int32), strain_trim_right=np.zeros(n, np.int32),
                            ref_codes=ref_codes, alt_codes=alt_codes, ref_length=ref_length, alt_length=alt_length,
                            length=length)
    t1 = time.perf_counter()
    variants = sequence_diff(ref_codes, alt_codes, ref_length, alt_length, peak)
    log.info("%s: %d peaks of L=%d (target %s); %d variants derived from the sequences in %.1f s", path, n, length,
             target, len(variants), time.perf_counter() - t1)
    labels = assign_split(pairs.chrom, scheme, val, test)
    for label in ("train", "val") + (("test",) if scheme == "heldout" else ()):
        if not (labels == label).any():
            log.warning("split %r is empty (scheme %s, val %s, test %s)", label, scheme, list(val), list(test))
    strain_name = strain_name or _strain_from_data_type(data_type, target)
    attrs = {"window_length": length, "windows_known": False, "reference_name": reference_name,
             "strain_name": strain_name, **split_attrs(scheme, val, test), "source": "authors_h5",
             "authors_h5": str(path), "authors_target": target, "authors_data_type": data_type,
             "peak_pattern": peak_pattern or DEFAULT_PEAK_PATTERN, "variants_source": "sequence_diff",
             "counts_from": "expm1 of the ln(1+count) targets, rounded to 6 decimals", "n_interior_zero_rows": interior}
    write_pairs_h5(out_h5, pairs, ref_count, alt_count, labels, variants, attrs)
    table = pairs_summary({"split": labels, "variants": variants, "y": targets(*count_arrays(ref_count, alt_count)),
                           "strain_trim_left": pairs.strain_trim_left, "strain_trim_right": pairs.strain_trim_right,
                           "start": pairs.start, "end": pairs.end, "ref_length": ref_length, "alt_length": alt_length,
                           "attrs": {"sequence_length": length, "window_length": length}})
    if summary is not None:
        table.to_csv(summary, sep="\t", index=False)
    log.info("wrote %s in %.1f s\n%s", out_h5, time.perf_counter() - t0, table.to_string(index=False))
    return table


def export_names(chrom, peak_start, peak_end, peak) -> list[str]:
    """The authors' peak names ``chr{chr}-{start}-{end}`` (``chr`` added when missing); a peak
    with unknown coordinates (start -1) keeps its own name."""
    out = []
    for c, s, e, p in zip(chrom, peak_start, peak_end, peak):
        c = str(c)
        out.append(str(p) if s < 0 else f"{c if c.lower().startswith('chr') else 'chr' + c}-{int(s)}-{int(e)}")
    return out


def export_authors_h5(pairs_h5: str | Path, out_path: str | Path, *, layout: str = "atac", target: str = "sum") -> None:
    """Our ``pairs.h5`` -> the authors' HDF5 layout, readable by their ``load_h5``.

    Parameters
    ----------
    pairs_h5 : str or pathlib.Path
        Our store.
    out_path : str or pathlib.Path
        File to write (``<out>.tmp``, renamed when complete), holding ``B6_sequence`` and
        ``Cast_sequence`` (float64, (N, L, 4); our reference and strain allele), ``peak_name``
        (UTF-8, :func:`export_names`) and the ln(1 + count) targets (float64, (N,)).
    layout : {"atac", "chip"}
        ``atac``: ``<target>.B6``, ``<target>.CAST``, ``<target>.ratio``, attribute
        ``data_type = "ATAC-seq"``; ``chip``: ``B6_counts``, ``Cast_counts``, ``ratio``,
        ``data_type = "ChIP-seq <strain>/<reference>"``. Both: ``sequence_length = L``.
    target : {"sum", "sc"}
        Prefix of the ATAC targets (ignored for ``chip``).
    """
    if layout not in ("atac", "chip"):
        raise ValueError(f"layout must be 'atac' or 'chip', not {layout!r}")
    if layout == "atac" and target not in ("sum", "sc"):
        raise ValueError(f"ATAC target must be 'sum' or 'sc', not {target!r}")
    data = read_pairs_h5(pairs_h5)
    attrs = data["attrs"]
    length = int(attrs["sequence_length"])
    ref = np.log1p(np.asarray(data["ref_count"], dtype=np.float64))
    alt = np.log1p(np.asarray(data["alt_count"], dtype=np.float64))
    names = export_names(data["chrom"], data["peak_start"], data["peak_end"], data["peak"])
    if len(set(names)) < len(names):
        log.warning("%s: %d exported peak name(s) repeat (peaks with the same interval)", out_path,
                    len(names) - len(set(names)))
    if layout == "chip":
        keys = TARGET_DATASETS["plain"]
        data_type = f"ChIP-seq {attrs.get('strain_name', 'alt')}/{attrs.get('reference_name', 'B6')}"
    else:
        keys = TARGET_DATASETS[target]
        data_type = "ATAC-seq"
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".tmp")
    n = len(names)
    try:
        with h5py.File(tmp, "w") as h5:
            for name, codes in zip(SEQUENCE_DATASETS, (data["ref_codes"], data["alt_codes"])):
                dset = h5.create_dataset(name, shape=(n, length, 4), dtype=np.float64)
                for lo in range(0, n, _ROWS):
                    dset[lo:lo + _ROWS] = codes_to_one_hot(codes[lo:lo + _ROWS])
            h5.create_dataset("peak_name", data=np.array(names, dtype=object), dtype=h5py.string_dtype("utf-8"))
            for key, values in zip(keys, (ref, alt, ref - alt)):
                h5.create_dataset(key, data=values)
            h5.attrs["data_type"] = data_type
            h5.attrs["sequence_length"] = length
            h5.attrs["source"] = f"deepallele export of {pairs_h5}"
        tmp.replace(out_path)
    finally:
        if tmp.exists():
            tmp.unlink()
    log.info("wrote %s: %d peaks of L=%d, %s layout%s", out_path, n, length, layout,
             f" ({target})" if layout == "atac" else "")
