"""Per-allele fragment counts in peaks, and the fraction of fragments in peaks (FRiP).

A fragment is a read pair: both mates mapped as a proper pair (SAM flags 0x1 and 0x2), neither
secondary, supplementary, QC-failed nor flagged duplicate. Its span runs from the leftmost
mate's start to the rightmost mate's end, ``[min(start), max(end))`` in 0-based, half-open
reference coordinates (after the Tn5 shift for ATAC, since the shifted BAM is what is counted).

Counting rules (exact and deterministic):

* a fragment counts once for every peak its span overlaps by at least one base, so the two
  mates of a pair inside one peak count once, and a fragment reaching over two peaks counts
  once in each (a peak covered only by the unsequenced middle of a fragment counts too);
* the mates are paired by read name within a contig; a proper-pair read whose mate is not in
  the BAM (an orphan) is not counted, and the number of orphans is reported;
* unpaired reads, improper pairs and the other flags above are ignored.

This differs from ``featureCounts -p -B`` (the paper's counter), which looks only at the
aligned bases of the two reads and by default drops fragments overlapping two features.

Every BAM is read once, contig by contig (one sweep; the work is linear in the number of
reads); overlaps with the peaks are then counted with sorted arrays, so peaks may overlap each
other and come in any order.
"""
from __future__ import annotations

import math
import os
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ALLELES = ("ref", "alt")
COUNT_COLUMNS = ["peak", "chrom", "start", "end", "ref_count", "alt_count", "ln_ratio"]
LONG_COLUMNS = ["peak", "sample", "allele", "count"]

_REQUIRED = 0x1 | 0x2  # paired, proper pair
_EXCLUDED = 0x4 | 0x8 | 0x100 | 0x200 | 0x400 | 0x800  # unmapped, mate unmapped, secondary, QC fail, dup, suppl.


@dataclass(frozen=True)
class BamCounts:
    """Fragment counts of one BAM over a peak set.

    Attributes
    ----------
    path : str
        The BAM.
    counts : numpy.ndarray
        Fragments overlapping each peak (int64, in the order of the peak table).
    fragments : int
        Fragments in the whole BAM (every contig).
    in_peaks : int
        Fragments overlapping at least one peak.
    orphans : int
        Proper-pair reads whose mate was not found on the same contig (not counted).
    skipped_reads : int
        Reads ignored by flag (unpaired, improper, unmapped, secondary, supplementary, QC fail,
        duplicate).
    """

    path: str
    counts: np.ndarray
    fragments: int
    in_peaks: int
    orphans: int
    skipped_reads: int

    @property
    def frip(self) -> float:
        """Fraction of fragments in peaks (NaN for a BAM without fragments)."""
        return self.in_peaks / self.fragments if self.fragments else math.nan


def _open_indexed(path: str | Path):
    import pysam

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: BAM not found")
    bam = pysam.AlignmentFile(str(path), "rb")
    if not bam.has_index():
        bam.close()
        raise FileNotFoundError(f"{path}: BAM has no index (.bai/.csi); run: samtools index {path}")
    return bam


def contig_fragments(bam, contig: str) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Fragment spans of one contig of an open, indexed BAM.

    Parameters
    ----------
    bam : pysam.AlignmentFile
        An open BAM with an index.
    contig : str
        Contig to read.

    Returns
    -------
    starts, ends : numpy.ndarray
        Fragment spans (int64, ``ends > starts``), one per read pair, in the order the pairs
        complete (not sorted).
    orphans : int
        Proper-pair reads whose mate was not found on this contig.
    skipped : int
        Reads ignored by flag.
    """
    starts, ends = array("q"), array("q")
    pending: dict[str, tuple[int, int]] = {}
    skipped = 0
    pop = pending.pop
    for read in bam.fetch(contig):
        flag = read.flag
        if flag & _EXCLUDED or (flag & _REQUIRED) != _REQUIRED or read.next_reference_id != read.reference_id:
            skipped += 1
            continue
        name = read.query_name
        start, end = read.reference_start, read.reference_end
        mate = pop(name, None)
        if mate is None:
            pending[name] = (start, end)
        else:
            starts.append(min(start, mate[0]))
            ends.append(max(end, mate[1]))
    return (np.frombuffer(starts, dtype=np.int64) if starts else np.zeros(0, np.int64),
            np.frombuffer(ends, dtype=np.int64) if ends else np.zeros(0, np.int64),
            len(pending), skipped)


def overlap_counts(starts: np.ndarray, ends: np.ndarray, peak_starts: np.ndarray, peak_ends: np.ndarray) -> np.ndarray:
    """Number of fragments ``[starts, ends)`` overlapping each peak ``[peak_starts, peak_ends)``.

    A fragment overlaps a peak when ``start < peak_end`` and ``end > peak_start``. Since every
    fragment with ``end <= peak_start`` also has ``start < peak_end``, the count is
    ``#(start < peak_end) - #(end <= peak_start)``: two binary searches per peak, valid for
    peaks that overlap each other too.
    """
    s = np.sort(np.asarray(starts, dtype=np.int64))
    e = np.sort(np.asarray(ends, dtype=np.int64))
    ps = np.asarray(peak_starts, dtype=np.int64)
    pe = np.asarray(peak_ends, dtype=np.int64)
    return (np.searchsorted(s, pe, side="left") - np.searchsorted(e, ps, side="right")).astype(np.int64)


def _merged(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals as disjoint sorted intervals (touching intervals stay apart)."""
    order = np.argsort(starts, kind="stable")
    out_s, out_e = [], []
    for s, e in zip(starts[order], ends[order]):
        if out_e and s < out_e[-1]:
            out_e[-1] = max(out_e[-1], e)
        else:
            out_s.append(s)
            out_e.append(e)
    return np.asarray(out_s, dtype=np.int64), np.asarray(out_e, dtype=np.int64)


def fragments_in_intervals(starts: np.ndarray, ends: np.ndarray, peak_starts: np.ndarray, peak_ends: np.ndarray) -> int:
    """Number of fragments overlapping at least one of the intervals (any order, may overlap)."""
    if len(starts) == 0 or len(peak_starts) == 0:
        return 0
    ms, me = _merged(np.asarray(peak_starts, dtype=np.int64), np.asarray(peak_ends, dtype=np.int64))
    idx = np.searchsorted(me, starts, side="right")  # first merged interval ending after the start
    hit = idx < len(ms)
    hit[hit] = ms[idx[hit]] < ends[hit]
    return int(hit.sum())


def _check_peaks(peaks: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("chrom", "start", "end", "name") if c not in peaks]
    if missing:
        raise ValueError(f"peak table lacks column(s) {missing} (read it with deepallele.reads.peaks.read_peaks)")
    if peaks.empty:
        raise ValueError("the peak table is empty: nothing to count")
    if peaks["name"].duplicated().any():
        raise ValueError(f"peak names must be unique: {peaks['name'][peaks['name'].duplicated()].tolist()[:5]}")
    return peaks.reset_index(drop=True)


def count_bam(path: str | Path, peaks: pd.DataFrame) -> BamCounts:
    """Count the fragments of one BAM in every peak (see the module notes for the rules).

    Parameters
    ----------
    path : str or pathlib.Path
        Coordinate-sorted, indexed BAM.
    peaks : pandas.DataFrame
        Columns ``chrom, start, end, name`` (0-based, half-open; e.g. from
        :func:`deepallele.reads.peaks.read_peaks`).

    Returns
    -------
    BamCounts
        Per-peak counts in the order of ``peaks``, plus totals for FRiP.
    """
    peaks = _check_peaks(peaks)
    counts = np.zeros(len(peaks), dtype=np.int64)
    fragments = in_peaks = orphans = skipped = 0
    with _open_indexed(path) as bam:
        contigs = list(bam.references)
        unknown = sorted(set(peaks["chrom"]) - set(contigs))
        if unknown:
            raise ValueError(f"{path}: peak chromosome(s) {unknown[:5]} are not in the BAM header "
                             f"(contigs: {contigs[:5]}{', ...' if len(contigs) > 5 else ''}); "
                             "peaks and reads must use the same reference")
        by_contig = {c: idx.to_numpy() for c, idx in peaks.groupby("chrom", sort=False).groups.items()}
        for contig in contigs:
            starts, ends, n_orphans, n_skipped = contig_fragments(bam, contig)
            fragments += len(starts)
            orphans += n_orphans
            skipped += n_skipped
            rows = by_contig.get(contig)
            if rows is None or len(starts) == 0:
                continue
            ps = peaks["start"].to_numpy()[rows]
            pe = peaks["end"].to_numpy()[rows]
            counts[rows] = overlap_counts(starts, ends, ps, pe)
            in_peaks += fragments_in_intervals(starts, ends, ps, pe)
    return BamCounts(str(path), counts, fragments, in_peaks, orphans, skipped)


def _paths(value) -> list[str]:
    if isinstance(value, (str, Path)):
        return [str(value)]
    return [str(v) for v in value]


def count_fragments(bam_paths_by_allele: Mapping[str, str | Path | Sequence[str | Path]], peaks: pd.DataFrame) -> pd.DataFrame:
    """Per-allele fragment counts per peak, summed over the given BAMs of each allele.

    Parameters
    ----------
    bam_paths_by_allele : mapping
        ``{"ref": bam or [bams], "alt": bam or [bams]}``: coordinate-sorted, indexed BAMs in
        reference coordinates; a list (one BAM per sample) is summed.
    peaks : pandas.DataFrame
        Columns ``chrom, start, end, name``.

    Returns
    -------
    pandas.DataFrame
        Columns ``peak, chrom, start, end, ref_count, alt_count, ln_ratio`` in peak order, with
        ``ln_ratio = ln((1 + ref_count) / (1 + alt_count))`` (natural log).
    """
    if set(bam_paths_by_allele) != set(ALLELES):
        raise ValueError(f"expected BAMs for alleles {list(ALLELES)}, got {sorted(bam_paths_by_allele)}")
    peaks = _check_peaks(peaks)
    totals = {a: sum((count_bam(p, peaks).counts for p in _paths(bam_paths_by_allele[a])),
                     np.zeros(len(peaks), dtype=np.int64)) for a in ALLELES}
    return _wide(peaks, totals["ref"], totals["alt"])


def _wide(peaks: pd.DataFrame, ref: np.ndarray, alt: np.ndarray) -> pd.DataFrame:
    table = pd.DataFrame({"peak": peaks["name"].astype(str).to_numpy(), "chrom": peaks["chrom"].astype(str).to_numpy(),
                          "start": peaks["start"].astype("int64").to_numpy(), "end": peaks["end"].astype("int64").to_numpy(),
                          "ref_count": np.asarray(ref, dtype=np.int64), "alt_count": np.asarray(alt, dtype=np.int64)})
    table["ln_ratio"] = ln_ratio(table["ref_count"], table["alt_count"])
    return table[COUNT_COLUMNS]


def ln_ratio(ref, alt) -> np.ndarray:
    """``ln((1 + ref) / (1 + alt))``, the allelic ratio with a pseudocount of 1 (natural log)."""
    return np.log1p(np.asarray(ref, dtype=float)) - np.log1p(np.asarray(alt, dtype=float))


def count_fragments_per_sample(bams_by_sample: Mapping[str, Mapping[str, str | Path]],
                               peaks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fragment counts of every sample and allele, as a long table, plus per-BAM QC.

    Parameters
    ----------
    bams_by_sample : mapping
        ``{sample: {"ref": bam, "alt": bam}}``; samples keep the mapping's order.
    peaks : pandas.DataFrame
        Columns ``chrom, start, end, name``.

    Returns
    -------
    long : pandas.DataFrame
        Columns ``peak, sample, allele, count``, ordered by peak, then sample, then allele
        (ref before alt).
    qc : pandas.DataFrame
        Columns ``sample, allele, bam, fragments, fragments_in_peaks, frip, orphan_reads,
        skipped_reads``, one row per BAM.
    """
    peaks = _check_peaks(peaks)
    if not bams_by_sample:
        raise ValueError("no samples to count")
    columns, qc_rows = {}, []
    for sample, by_allele in bams_by_sample.items():
        if set(by_allele) != set(ALLELES):
            raise ValueError(f"sample {sample!r}: expected BAMs for alleles {list(ALLELES)}, got {sorted(by_allele)}")
        for allele in ALLELES:
            result = count_bam(by_allele[allele], peaks)
            columns[(sample, allele)] = result.counts
            qc_rows.append({"sample": sample, "allele": allele, "bam": result.path, "fragments": result.fragments,
                            "fragments_in_peaks": result.in_peaks, "frip": result.frip,
                            "orphan_reads": result.orphans, "skipped_reads": result.skipped_reads})
    n_peaks, keys = len(peaks), list(columns)
    long = pd.DataFrame({
        "peak": np.repeat(peaks["name"].astype(str).to_numpy(), len(keys)),
        "sample": [s for s, _ in keys] * n_peaks,
        "allele": [a for _, a in keys] * n_peaks,
        "count": np.stack([columns[k] for k in keys], axis=1).reshape(-1),
    })
    return long[LONG_COLUMNS], pd.DataFrame(qc_rows)


def allele_count_table(long: pd.DataFrame, peaks: pd.DataFrame) -> pd.DataFrame:
    """Sum a long per-sample table over samples into the per-allele count table.

    Parameters
    ----------
    long : pandas.DataFrame
        Columns ``peak, sample, allele, count`` (:func:`count_fragments_per_sample`).
    peaks : pandas.DataFrame
        The peak table the counts were made on (fixes row order and coordinates).

    Returns
    -------
    pandas.DataFrame
        Columns ``peak, chrom, start, end, ref_count, alt_count, ln_ratio``.
    """
    peaks = _check_peaks(peaks)
    sums = long.groupby(["peak", "allele"], sort=False)["count"].sum().unstack("allele")
    sums = sums.reindex(index=peaks["name"].astype(str), columns=list(ALLELES)).fillna(0).astype("int64")
    return _wide(peaks, sums["ref"].to_numpy(), sums["alt"].to_numpy())


def frip(bam_path: str | Path, peaks: pd.DataFrame) -> float:
    """Fraction of the fragments of one BAM that overlap at least one peak."""
    return count_bam(bam_path, peaks).frip


def frip_table(bams_by_sample: Mapping[str, Mapping[str, str | Path]], peaks: pd.DataFrame) -> pd.DataFrame:
    """FRiP of every allele BAM: the ``qc`` table of :func:`count_fragments_per_sample`."""
    return count_fragments_per_sample(bams_by_sample, peaks)[1]


def write_count_tables(long: pd.DataFrame | None, wide: pd.DataFrame, wide_path: str | Path,
                       long_path: str | Path | None = None) -> None:
    """Write the per-allele table and the per-sample long table as TSV (floats to 6 decimals:
    ``ln_ratio``, and counts when they are not integers, e.g. an imported count table).

    ``long``/``long_path`` may be None (a dataset imported from a count table has no per-sample
    table). Each file is written to ``<path>.tmp`` and renamed, so a failed job leaves none.
    """
    tables = [(wide, wide_path)] + ([(long, long_path)] if long is not None and long_path is not None else [])
    for table, path in tables:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        try:
            table.to_csv(tmp, sep="\t", index=False, float_format="%.6f")
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
