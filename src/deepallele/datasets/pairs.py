"""Paired allele sequences of peaks, taken through the variant map, and their base encoding.

For every peak the dataset holds two sequences of the same homologous region: the reference
allele (from the reference FASTA) and the strain allele (from the strain pseudogenome), found
through the ``ref -> strain`` :class:`~deepallele.genome.coordmap.CoordinateMap`. Because the
strain sequence comes from the same variant map that built the pseudogenome (not from a
re-alignment), every variant's position is known exactly in both alleles.

Windows (the exact rule)
------------------------
1. **Reference window.** ``centre = (start + end) // 2`` of the peak (0-based, half-open
   reference coordinates); the window is ``[centre - W // 2, centre - W // 2 + W)`` with
   ``W = L`` by default, so the centre base sits at index ``W // 2``. A window running past a
   contig end is **clipped** to the contig; the clipped window is shorter and right-padded
   (the centre base then is not at ``W // 2`` when the start was clipped).
2. **Strain window.** The homologous strain interval of the (clipped) reference window,
   :meth:`CoordinateMap.ref_interval_to_strain`: from the strain base of the first aligned
   reference base at or after the window start to the strain base of the last aligned
   reference base before the window end. Insertions strictly inside the window are included,
   insertions at its two edges are not, and reference bases deleted in the strain simply have
   no strain counterpart. Its length is the reference window's length plus the net indel
   length inside.
3. **Trim.** If the strain interval is longer than ``L`` (net insertion), ``excess = n - L``
   bases are removed, ``excess // 2`` from the left and the rest from the right, so the
   sequence stays centred (``strain_trim_left`` / ``strain_trim_right`` record this and
   ``strain_start`` / ``strain_end`` are the interval actually kept).
4. **Pad.** Both alleles are **right-padded** to ``L`` with :data:`PAD_CODE` (the paper's
   convention: right-padding, nothing re-centred). ``ref_length`` and ``alt_length`` hold the
   unpadded lengths.

Base codes
----------
Sequences are stored as compact ``uint8`` codes, one per base (``A=0, C=1, G=2, T=3, N=4``,
padding :data:`PAD_CODE` ``5``), encoded by :func:`deepallele.alphabet.encode`: lower-case
(soft-masked) bases get the code of their upper-case base, IUPAC ambiguity letters (R, Y, ...)
are coded as N, and any other letter is an error naming the peak and allele (the policy is in
:mod:`deepallele.alphabet`, with :func:`~deepallele.alphabet.one_hot`, the paper's float
encoding).

Variant table
-------------
:func:`variant_table` lists, per peak, every strain variant that changes the sequence inside
the window: one row per VCF record **that the pseudogenome applied**, with its kind and the
position of its minimal edit in both allele arrays (see :data:`VARIANT_COLUMNS`).
"""
from __future__ import annotations

import contextlib
import logging
from bisect import bisect_left
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pysam

from ..alphabet import N_CODE, PAD_CODE, decode, encode  # noqa: F401 (N_CODE: read here by simulate/)
from ..genome.coordmap import CoordinateMap, trim_alleles, variant_kind

log = logging.getLogger("deepallele.datasets")

#: Columns of :func:`variant_table`.
VARIANT_COLUMNS = ["peak_index", "id", "kind", "ref_pos", "alt_pos", "ref", "alt", "ref_edit", "alt_edit",
                   "complete"]

_KINDS = {"snp": "snp", "mnp": "mnp", "insertion": "ins", "deletion": "del", "complex": "complex"}


# ----------------------------------------------------------------------------- windows
def centre_trim(n: int, length: int) -> tuple[int, int]:
    """Bases to cut from the left and the right of ``n`` bases to keep ``length`` (rule 3 of the module notes).

    Examples
    --------
    >>> centre_trim(15, 10)
    (2, 3)
    >>> centre_trim(8, 10)
    (0, 0)
    """
    excess = max(int(n) - int(length), 0)
    return excess // 2, excess - excess // 2


def reference_windows(start, end, length: int, chrom_size=None) -> tuple[np.ndarray, np.ndarray]:
    """Reference windows of ``length`` bp centred on peaks (see the module notes).

    Parameters
    ----------
    start, end : array-like of int
        Peak intervals, 0-based half-open.
    length : int
        Window length ``L``.
    chrom_size : array-like of int, optional
        Length of each peak's chromosome; when given, windows are clipped to ``[0, size)``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray) of int64
        Window starts and ends.

    Examples
    --------
    >>> reference_windows([100], [200], 11)
    (array([145]), array([156]))
    """
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    if length < 1:
        raise ValueError(f"sequence length must be positive, not {length}")
    centre = (start + end) // 2
    win_start = centre - length // 2
    win_end = win_start + length
    if chrom_size is not None:
        size = np.asarray(chrom_size, dtype=np.int64)
        win_start, win_end = np.maximum(win_start, 0), np.minimum(win_end, size)
    return win_start, win_end


@dataclass
class PairedSequences:
    """The two alleles of every peak (see :func:`paired_sequences`); one row per peak.

    Attributes
    ----------
    peak, chrom : numpy.ndarray of object (str)
    peak_start, peak_end : numpy.ndarray of int64
        The peak interval of the counts table.
    start, end : numpy.ndarray of int64
        Reference window (clipped to the contig), 0-based half-open.
    strain_start, strain_end : numpy.ndarray of int64
        Strain interval held in ``alt_codes`` (after trimming).
    strain_trim_left, strain_trim_right : numpy.ndarray of int32
        Bases of the homologous strain interval trimmed off to fit ``L``.
    ref_codes, alt_codes : numpy.ndarray of uint8, shape (n, L)
        Base codes, right-padded with :data:`PAD_CODE`.
    ref_length, alt_length : numpy.ndarray of int32
        Unpadded lengths.
    length : int
        ``L``.
    """

    peak: np.ndarray
    chrom: np.ndarray
    peak_start: np.ndarray
    peak_end: np.ndarray
    start: np.ndarray
    end: np.ndarray
    strain_start: np.ndarray
    strain_end: np.ndarray
    strain_trim_left: np.ndarray
    strain_trim_right: np.ndarray
    ref_codes: np.ndarray
    alt_codes: np.ndarray
    ref_length: np.ndarray
    alt_length: np.ndarray
    length: int

    def __len__(self) -> int:
        return int(self.peak.shape[0])

    def sequences(self, i: int) -> tuple[str, str]:
        """Reference and strain allele of peak ``i`` as strings (no padding)."""
        return decode(self.ref_codes[i, :self.ref_length[i]]), decode(self.alt_codes[i, :self.alt_length[i]])

    def table(self) -> pd.DataFrame:
        """Per-peak metadata (every field but the code arrays and ``length``)."""
        skip = {"ref_codes", "alt_codes", "length"}
        return pd.DataFrame({f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip})


@contextlib.contextmanager
def _fasta(source):
    """Open a FASTA path, or pass an open :class:`pysam.FastaFile` through."""
    if isinstance(source, pysam.FastaFile):
        yield source
    else:
        with pysam.FastaFile(str(source)) as handle:
            yield handle


def _coordmap(source) -> CoordinateMap:
    return source if isinstance(source, CoordinateMap) else CoordinateMap.load(source)


def _check_sizes(fasta: pysam.FastaFile, sizes: dict[str, int], what: str, chroms) -> None:
    lengths = dict(zip(fasta.references, fasta.lengths))
    for chrom in chroms:
        if chrom not in lengths:
            raise ValueError(f"{fasta.filename.decode()}: chromosome {chrom!r} is not in the {what} FASTA")
        if chrom not in sizes:
            raise ValueError(f"chromosome {chrom!r} is not in the coordinate map")
        if lengths[chrom] != sizes[chrom]:
            raise ValueError(f"{fasta.filename.decode()}: {chrom} has {lengths[chrom]} bp but the coordinate map's "
                             f"{what} genome has {sizes[chrom]} bp (chain and FASTA of different builds?)")


def paired_sequences(peaks_df: pd.DataFrame, ref_fasta, strain_fasta, coordmap, length: int,
                     window: int | None = None) -> PairedSequences:
    """Reference and strain allele sequences of every peak's homologous region.

    Parameters
    ----------
    peaks_df : pandas.DataFrame
        Columns ``peak, chrom, start, end`` (reference coordinates, 0-based half-open; other
        columns are ignored). Row order is kept.
    ref_fasta, strain_fasta : str, pathlib.Path or pysam.FastaFile
        Reference FASTA and strain pseudogenome (indexed).
    coordmap : CoordinateMap or str or pathlib.Path
        The ``ref -> strain`` map (or its chain file) that goes with the pseudogenome.
    length : int
        Sequence length ``L`` of both alleles.
    window : int, optional
        Length of the reference window, ``<= length`` (default ``length``). A shorter window
        leaves room for net insertions before the strain allele has to be trimmed (as the
        paper's 251-bp ATAC windows in L = 330).

    Returns
    -------
    PairedSequences

    Raises
    ------
    ValueError
        Missing columns, a peak on a chromosome the FASTA or the map lacks, a peak outside its
        chromosome, or FASTA and map lengths that disagree.

    Notes
    -----
    The windows are built as described in the module notes: centred reference window of
    ``L`` bp (clipped at contig ends), its homologous strain interval through the map, the
    strain interval trimmed equally from both ends when longer than ``L``, both right-padded.
    """
    missing = [c for c in ("peak", "chrom", "start", "end") if c not in peaks_df.columns]
    if missing:
        raise ValueError(f"peak table lacks column(s) {missing}")
    window = length if window is None else int(window)
    if not 1 <= window <= length:
        raise ValueError(f"window must lie in 1..{length} (the sequence length), not {window}")
    cmap = _coordmap(coordmap)
    n = len(peaks_df)
    peak = peaks_df["peak"].astype(str).to_numpy(dtype=object)
    chrom = peaks_df["chrom"].astype(str).to_numpy(dtype=object)
    peak_start = peaks_df["start"].to_numpy(dtype=np.int64)
    peak_end = peaks_df["end"].to_numpy(dtype=np.int64)
    ref_codes = np.full((n, length), PAD_CODE, dtype=np.uint8)
    alt_codes = np.full((n, length), PAD_CODE, dtype=np.uint8)
    strain_start = np.zeros(n, dtype=np.int64)
    strain_end = np.zeros(n, dtype=np.int64)
    trim_left = np.zeros(n, dtype=np.int32)
    trim_right = np.zeros(n, dtype=np.int32)
    ref_length = np.zeros(n, dtype=np.int32)
    alt_length = np.zeros(n, dtype=np.int32)

    with _fasta(ref_fasta) as ref_fa, _fasta(strain_fasta) as strain_fa:
        chroms = sorted(set(chrom))
        _check_sizes(ref_fa, cmap.ref_sizes, "reference", chroms)
        _check_sizes(strain_fa, cmap.strain_sizes, "strain", chroms)
        sizes = cmap.ref_sizes
        size = np.array([sizes[c] for c in chrom], dtype=np.int64)
        bad = (peak_start < 0) | (peak_end > size) | (peak_end <= peak_start)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"peak {peak[i]} ({chrom[i]}:{peak_start[i]}-{peak_end[i]}) is empty or outside "
                             f"{chrom[i]} (length {size[i]}); {int(bad.sum())} such peak(s)")
        start, end = reference_windows(peak_start, peak_end, window, size)
        for i in range(n):
            c, ws, we = chrom[i], int(start[i]), int(end[i])
            ref_seq = ref_fa.fetch(c, ws, we)
            ss, se = cmap.ref_interval_to_strain(c, ws, we)
            left, right = centre_trim(se - ss, length)
            trim_left[i], trim_right[i] = left, right
            ss, se = ss + left, se - right
            strain_seq = strain_fa.fetch(c, ss, se) if se > ss else ""
            ref_codes[i] = encode(ref_seq, length, name=f"peak {peak[i]}, reference allele")
            alt_codes[i] = encode(strain_seq, length, name=f"peak {peak[i]}, strain allele")
            ref_length[i], alt_length[i] = len(ref_seq), len(strain_seq)
            strain_start[i], strain_end[i] = ss, se
    return PairedSequences(peak=peak, chrom=chrom, peak_start=peak_start, peak_end=peak_end, start=start, end=end,
                           strain_start=strain_start, strain_end=strain_end, strain_trim_left=trim_left,
                           strain_trim_right=trim_right, ref_codes=ref_codes, alt_codes=alt_codes,
                           ref_length=ref_length, alt_length=alt_length, length=int(length))


# ----------------------------------------------------------------------------- variants
def _edit_strain_start(cmap: CoordinateMap, chrom: str, start: int, n_ref: int, n_alt: int) -> int | None:
    """Strain position where a minimal edit's strain bases begin (its insertion point when it
    has none), from the aligned bases that flank or overlap it; None if nothing anchors it."""
    if min(n_ref, n_alt) > 0:
        at = cmap.ref_to_strain(chrom, start)
        return at if at >= 0 else None
    if start > 0:
        left = cmap.ref_to_strain(chrom, start - 1)
        if left >= 0:
            return left + 1
    if start + n_ref < cmap.ref_sizes[chrom]:
        right = cmap.ref_to_strain(chrom, start + n_ref)
        if right >= 0:
            return right - n_alt
    return None


def _applied_edit(cmap: CoordinateMap, strain_fa: pysam.FastaFile, chrom: str, pos0: int, ref: str,
                  alt: str) -> tuple[int, str, str, int] | None:
    """``(start, ref_edit, alt_edit, strain_start)`` of a record's minimal edit if the
    pseudogenome holds it (map and strain sequence agree with it), else None."""
    start, ref_edit, alt_edit = trim_alleles(pos0, ref, alt)
    n_ref, n_alt = len(ref_edit), len(alt_edit)
    if n_ref == 0 and n_alt == 0:
        return None
    strain_at = _edit_strain_start(cmap, chrom, start, n_ref, n_alt)
    if strain_at is None or strain_at < 0 or strain_at + n_alt > cmap.strain_sizes[chrom]:
        return None
    if n_alt and strain_fa.fetch(chrom, strain_at, strain_at + n_alt).upper() != alt_edit.upper():
        return None
    aligned = min(n_ref, n_alt)
    if n_ref:
        expect = [strain_at + k for k in range(aligned)] + [-1] * (n_ref - aligned)
        if n_ref <= 16:  # scalar lookups: far cheaper than numpy calls on tiny arrays
            mapped = [cmap.ref_to_strain(chrom, p) for p in range(start, start + n_ref)]
        else:
            mapped = cmap.ref_to_strain(chrom, np.arange(start, start + n_ref)).tolist()
        if mapped != expect:
            return None
    if n_alt > aligned:  # inserted bases must be strain-only
        inserted = range(strain_at + aligned, strain_at + n_alt)
        if n_alt - aligned <= 16:
            if any(cmap.strain_to_ref(chrom, p) != -1 for p in inserted):
                return None
        elif (cmap.strain_to_ref(chrom, np.asarray(inserted)) != -1).any():
            return None
    return start, ref_edit, alt_edit, strain_at


class _UnindexedRecords:
    """Records of a VCF without an index, read once and looked up by window."""

    def __init__(self, variant_file, sample_name):
        from ..genome.pseudogenome import _record_view

        by_chrom: dict[str, list] = {}
        for record in variant_file:
            by_chrom.setdefault(record.chrom, []).append(_record_view(record, sample_name))
        self.records = {c: sorted(v, key=lambda r: r[1]) for c, v in by_chrom.items()}
        self.starts = {c: [r[1] - 1 for r in v] for c, v in self.records.items()}
        self.longest = {c: max(len(r[2]) for r in v) for c, v in self.records.items()}

    def fetch(self, chrom, start, end):
        if chrom not in self.records:
            return []
        starts = self.starts[chrom]
        lo = bisect_left(starts, start - self.longest[chrom])
        hi = bisect_left(starts, end)
        return [r for r in self.records[chrom][lo:hi] if r[1] - 1 + max(len(r[2]), 1) > start]


def variant_table(pairs: PairedSequences, vcf, coordmap, strain_fasta, sample: str | None = None) -> pd.DataFrame:
    """Every applied strain variant that changes the sequence inside each peak's window.

    Parameters
    ----------
    pairs : PairedSequences
        Output of :func:`paired_sequences`.
    vcf : str or pathlib.Path
        The strain VCF the pseudogenome was built from. With a tabix/CSI index each window is
        fetched; without one the VCF is read once.
    coordmap : CoordinateMap or str or pathlib.Path
        The pseudogenome's ``ref -> strain`` map.
    strain_fasta : str, pathlib.Path or pysam.FastaFile
        The pseudogenome.
    sample : str, optional
        VCF sample whose genotype chooses the ALT allele, as for the pseudogenome (required
        when the VCF has several samples).

    Returns
    -------
    pandas.DataFrame
        One row per (peak, variant), peaks in order and variants by position, columns
        :data:`VARIANT_COLUMNS`:

        * ``peak_index`` (int32): row of the peak in ``pairs``;
        * ``id``: ``chrom:POS:REF:ALT`` (1-based VCF POS, the VCF's REF and chosen ALT);
        * ``kind``: ``snp``, ``mnp``, ``ins``, ``del`` or ``complex`` (after removing shared
          leading/trailing bases, e.g. a VCF indel's anchor base);
        * ``ref_pos``, ``alt_pos`` (int32): index of the variant's **minimal edit** in the
          reference and strain allele arrays. For a SNP/MNP the first substituted base; for an
          insertion, ``ref_pos`` is the reference base after the insertion point and
          ``alt_pos`` the first inserted base; for a deletion, ``ref_pos`` is the first deleted
          base and ``alt_pos`` the strain base after the deletion point;
        * ``ref``, ``alt``: the VCF's REF and chosen ALT; ``ref_edit``, ``alt_edit``: the
          minimal edit (may be empty), so that ``ref_seq[ref_pos:ref_pos + len(ref_edit)] ==
          ref_edit`` and ``alt_seq[alt_pos:alt_pos + len(alt_edit)] == alt_edit``;
        * ``complete`` (bool): the whole edit lies inside both arrays (False for an edit cut
          by a window edge or by trimming; its positions may then be negative or >= the
          allele length).

        ``attrs["records_not_applied"]`` counts records in the windows that the pseudogenome
        did not apply (homozygous reference, heterozygous, overlapping calls, ...).

    Notes
    -----
    A record is listed when the sample's genotype chooses an ALT (as in
    :func:`deepallele.genome.pseudogenome.build_pseudogenome`) **and** the pseudogenome holds
    its minimal edit: the ALT bases are in the strain sequence at the mapped position, the
    substituted reference bases are aligned to them, deleted bases have no strain position and
    inserted bases no reference position. Records the pseudogenome skipped fail this check.
    An edit is inside a window when its reference span overlaps the window, or, for a pure
    insertion, when its insertion point is strictly inside (as for the strain interval).
    """
    from ..genome.pseudogenome import _check_alleles, _choose_sample, _chosen_allele, _record_view

    cmap = _coordmap(coordmap)
    rows: list[tuple] = []
    not_applied = 0
    cache: dict[tuple, tuple | None] = {}
    with _fasta(strain_fasta) as strain_fa, pysam.VariantFile(str(vcf)) as variant_file:
        sample_name = _choose_sample(variant_file, vcf, sample)
        if variant_file.index is not None:
            indexed = set(variant_file.index)

            def fetch(c, s, e):
                if c not in indexed:
                    return []
                return [_record_view(r, sample_name) for r in variant_file.fetch(c, s, e)]
        else:
            fetch = _UnindexedRecords(variant_file, sample_name).fetch
        for i in range(len(pairs)):
            c, ws, we = pairs.chrom[i], int(pairs.start[i]), int(pairs.end[i])
            ss = int(pairs.strain_start[i])
            found = {}
            for _, pos, ref, alts, genotype, _ in fetch(c, ws, we):
                key = (c, pos, ref, alts, genotype)
                if key not in cache:
                    alt, reason = _chosen_allele(alts, genotype, sample_name)
                    if reason is None:
                        reason = _check_alleles(alt)
                    edit = None if reason is not None else _applied_edit(cmap, strain_fa, c, pos - 1, ref, alt)
                    cache[key] = None if edit is None else (alt, *edit)
                hit = cache[key]
                if hit is None:
                    not_applied += 1
                    continue
                alt, start, ref_edit, alt_edit, strain_at = hit
                n_ref, n_alt = len(ref_edit), len(alt_edit)
                inside = (start < we and start + n_ref > ws) if n_ref else (ws < start < we)
                if not inside:
                    continue
                ref_pos, alt_pos = start - ws, strain_at - ss
                complete = (0 <= ref_pos and ref_pos + n_ref <= pairs.ref_length[i] and 0 <= alt_pos
                            and alt_pos + n_alt <= pairs.alt_length[i])
                vid = f"{c}:{pos}:{ref}:{alt}"
                found[vid] = (i, vid, _KINDS[variant_kind(ref, alt)], ref_pos, alt_pos, ref, alt, ref_edit,
                              alt_edit, bool(complete))
            rows.extend(sorted(found.values(), key=lambda r: (r[3], r[4], r[1])))
    table = pd.DataFrame(rows, columns=VARIANT_COLUMNS)
    table = table.astype({"peak_index": np.int32, "ref_pos": np.int32, "alt_pos": np.int32, "complete": bool})
    for col in ("id", "kind", "ref", "alt", "ref_edit", "alt_edit"):
        table[col] = table[col].astype(object)
    table.attrs["records_not_applied"] = not_applied
    if not_applied:
        log.info("%d VCF record(s) in the windows are not in the pseudogenome (not applied)", not_applied)
    return table


def check_variants(ref_codes: np.ndarray, alt_codes: np.ndarray, variants: pd.DataFrame) -> np.ndarray:
    """Whether each variant's edit is where the table says, in both alleles.

    Parameters
    ----------
    ref_codes, alt_codes : numpy.ndarray of uint8, shape (n, L)
        Allele codes (as in :class:`PairedSequences` or the HDF5 store).
    variants : pandas.DataFrame
        :func:`variant_table` output.

    Returns
    -------
    numpy.ndarray of bool, one per variant
        True when ``ref_codes[peak, ref_pos:ref_pos + len(ref_edit)]`` encodes ``ref_edit``
        and ``alt_codes[peak, alt_pos:alt_pos + len(alt_edit)]`` encodes ``alt_edit``.
        Incomplete variants (``complete`` False) cannot be checked and are False.
    """
    ok = np.zeros(len(variants), dtype=bool)
    length = ref_codes.shape[1] if ref_codes.ndim == 2 else 0
    columns = zip(variants["peak_index"], variants["ref_pos"], variants["alt_pos"], variants["ref_edit"],
                  variants["alt_edit"], variants["complete"])
    for k, (i, rp, ap, ref_edit, alt_edit, complete) in enumerate(columns):
        if not complete or rp + len(ref_edit) > length or ap + len(alt_edit) > length:
            continue
        ok[k] = (np.array_equal(ref_codes[i, rp:rp + len(ref_edit)], encode(ref_edit, name="ref_edit"))
                 and np.array_equal(alt_codes[i, ap:ap + len(alt_edit)], encode(alt_edit, name="alt_edit")))
    return ok


def peaks_from_counts(counts: str | Path | pd.DataFrame) -> pd.DataFrame:
    """The allele counts table (``peak, chrom, start, end, ref_count, alt_count, ...``),
    checked for the columns this stage needs and for unique peak names."""
    table = counts if isinstance(counts, pd.DataFrame) else pd.read_csv(counts, sep="\t", dtype={"chrom": str})
    need = ["peak", "chrom", "start", "end", "ref_count", "alt_count"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ValueError(f"{counts if not isinstance(counts, pd.DataFrame) else 'counts table'}: "
                         f"missing column(s) {missing}")
    dup = table["peak"].duplicated()
    if dup.any():
        raise ValueError(f"peak names must be unique; duplicated: {table['peak'][dup].head(5).tolist()}")
    return table.reset_index(drop=True)
