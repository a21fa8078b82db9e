"""Per-allele fragment counts in peaks, and the fraction of fragments in peaks (FRiP).

A fragment is a read pair: both mates mapped as a proper pair (SAM flags 0x1 and 0x2), neither
secondary, supplementary, QC-failed nor flagged duplicate. Coordinates are 0-based, half-open
reference coordinates of the BAM that is counted (for ATAC the Tn5-shifted BAM, see
:mod:`.tn5`; the counter never shifts again).

What makes a fragment count in a peak depends on the mode (config ``counts.mode``):

``reads`` (default; the paper's ``featureCounts -p -B --countReadPairs -O``)
    an aligned base of either read overlaps the peak. Aligned bases are the CIGAR's ``M``/``=``/
    ``X`` blocks: soft clips and insertions have no reference base, and bases a read deletes
    (``D``) or skips (``N``) are not covered, exactly as featureCounts (tested against Subread
    2.0.3). A Tn5-shifted read is one matches-only block (:mod:`.tn5`).
``cutsites``
    a Tn5 cut site, the 5' end of either read (forward mate: ``reference_start``; reverse mate:
    ``reference_end - 1``), lies in the peak. On a shifted BAM these are the shifted cut sites.
``span``
    the fragment's whole span ``[min(start), max(end))`` overlaps the peak, so a peak covered
    only by the unsequenced middle of a fragment counts too (the workflow's earlier rule).

In every mode a fragment counts **once** per peak it hits (two mates in one peak count once).
A fragment that hits several peaks counts in **each** of them by default (``multi_overlap=
"each"``, featureCounts ``-O``). ``multi_overlap="majority"`` resolves it as ``featureCounts``
without ``-O`` (the paper's command) does: each read votes once for every peak it hits, the
fragment counts in the single peak with the most votes, and in none when peaks tie (ambiguous);
config ``counts.multi_overlap``, see docs/methods-real-data.md. FRiP counts a fragment that
hits any peak either way.

Further rules (exact and deterministic):

* the mates are paired by read name within a contig; a proper-pair read whose mate is not in
  the BAM (an orphan) is not counted, and the number of orphans is reported;
* unpaired reads, improper pairs and the other flags above are ignored.

Every BAM is read once, contig by contig (one sweep; the work is linear in the number of
reads), and may be counted in several modes from that one sweep
(:func:`count_modes_per_sample`); overlaps with the peaks are then counted with sorted arrays,
so peaks may overlap each other and come in any order.
"""
from __future__ import annotations

import logging
import math
import os
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..logutil import Progress

ALLELES = ("ref", "alt")
#: What makes a fragment count in a peak (config ``counts.mode``; see the module notes).
COUNT_MODES = ("reads", "cutsites", "span")
COUNT_COLUMNS = ["peak", "chrom", "start", "end", "ref_count", "alt_count", "ln_ratio"]
LONG_COLUMNS = ["peak", "sample", "allele", "count"]
#: What happens to a fragment that hits several peaks (config ``counts.multi_overlap``).
MULTI_OVERLAP = ("each", "majority")
#: Columns of the table comparing the counting modes (one row per mode and peak).
MODE_COLUMNS = ["mode", *COUNT_COLUMNS]

log = logging.getLogger("deepallele.reads.counts")

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
        Fragments counted in each peak (int64, in the order of the peak table).
    fragments : int
        Fragments in the whole BAM (every contig).
    in_peaks : int
        Fragments counted in at least one peak.
    orphans : int
        Proper-pair reads whose mate was not found on the same contig (not counted).
    skipped_reads : int
        Reads ignored by flag (unpaired, improper, unmapped, secondary, supplementary, QC fail,
        duplicate).
    mode : str
        The counting mode (:data:`COUNT_MODES`).
    """

    path: str
    counts: np.ndarray
    fragments: int
    in_peaks: int
    orphans: int
    skipped_reads: int
    mode: str = "reads"

    @property
    def frip(self) -> float:
        """Fraction of fragments in peaks (NaN for a BAM without fragments)."""
        return self.in_peaks / self.fragments if self.fragments else math.nan


@dataclass(frozen=True)
class ContigPairs:
    """The read pairs of one contig: each mate's aligned reference span and strand.

    Mate 1 is the mate met first in the BAM (the leftmost in a coordinate-sorted file), not
    necessarily read 1. The first six arrays have one entry per pair (int64 spans, bool
    strands). A mate whose CIGAR has a deletion or skip (``D``, ``N``) is also listed by its
    aligned blocks (``block_*``, one row per block, ``block_mate`` 0 or 1; ``gapped1``/
    ``gapped2`` flag such mates).
    """

    start1: np.ndarray
    end1: np.ndarray
    reverse1: np.ndarray
    start2: np.ndarray
    end2: np.ndarray
    reverse2: np.ndarray
    gapped1: np.ndarray
    gapped2: np.ndarray
    block_fragment: np.ndarray
    block_start: np.ndarray
    block_end: np.ndarray
    block_mate: np.ndarray

    def __len__(self) -> int:
        return int(self.start1.size)

    def spans(self) -> tuple[np.ndarray, np.ndarray]:
        """Fragment spans ``[min(start), max(end))``."""
        return np.minimum(self.start1, self.start2), np.maximum(self.end1, self.end2)

    def cut_sites(self) -> tuple[np.ndarray, np.ndarray]:
        """Each mate's 5' end: ``start`` of a forward mate, ``end - 1`` of a reverse one."""
        return (np.where(self.reverse1, self.end1 - 1, self.start1),
                np.where(self.reverse2, self.end2 - 1, self.start2))

    def aligned_blocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Both mates' aligned bases as intervals ``(starts, ends, read)``: a mate's span, or its
        blocks when a deletion or skip splits it; ``read = 2 * fragment + mate`` (mate 0 or 1)."""
        idx = np.arange(len(self), dtype=np.int64)
        keep1, keep2 = ~self.gapped1, ~self.gapped2
        return (np.concatenate([self.start1[keep1], self.start2[keep2], self.block_start]),
                np.concatenate([self.end1[keep1], self.end2[keep2], self.block_end]),
                np.concatenate([2 * idx[keep1], 2 * idx[keep2] + 1, 2 * self.block_fragment + self.block_mate]))


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


def _int64(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int64) if values else np.zeros(0, np.int64)


def contig_pairs(bam, contig: str) -> tuple[ContigPairs, int, int]:
    """The read pairs of one contig of an open, indexed BAM.

    Parameters
    ----------
    bam : pysam.AlignmentFile
        An open BAM with an index.
    contig : str
        Contig to read.

    Returns
    -------
    pairs : ContigPairs
        One entry per read pair, in the order the pairs complete (not sorted).
    orphans : int
        Proper-pair reads whose mate was not found on this contig.
    skipped : int
        Reads ignored by flag.
    """
    cols = [array("q") for _ in range(8)]
    s1, e1, r1, g1, s2, e2, r2, g2 = cols
    bf, bs, be, bm = array("q"), array("q"), array("q"), array("q")
    pending: dict[str, tuple] = {}
    skipped = 0
    pop = pending.pop
    for read in bam.fetch(contig):
        flag = read.flag
        if flag & _EXCLUDED or (flag & _REQUIRED) != _REQUIRED or read.next_reference_id != read.reference_id:
            skipped += 1
            continue
        name = read.query_name
        cigar = read.cigartuples
        blocks = read.get_blocks() if len(cigar) > 1 and any(op == 2 or op == 3 for op, _ in cigar) else None
        mine = (read.reference_start, read.reference_end, (flag >> 4) & 1, blocks)
        mate = pop(name, None)
        if mate is None:
            pending[name] = mine
            continue
        fragment = len(s1)
        for mate_index, (start, end, rev, blk), (s, e, r, g) in ((0, mate, (s1, e1, r1, g1)),
                                                                   (1, mine, (s2, e2, r2, g2))):
            s.append(start), e.append(end), r.append(rev), g.append(blk is not None)
            if blk is not None:
                for b_start, b_end in blk:
                    bf.append(fragment), bs.append(b_start), be.append(b_end), bm.append(mate_index)
    a = [_int64(c) for c in cols]
    pairs = ContigPairs(a[0], a[1], a[2].astype(bool), a[4], a[5], a[6].astype(bool), a[3].astype(bool),
                        a[7].astype(bool), _int64(bf), _int64(bs), _int64(be), _int64(bm))
    return pairs, len(pending), skipped


def contig_fragments(bam, contig: str) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Fragment spans of one contig of an open, indexed BAM.

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
    pairs, orphans, skipped = contig_pairs(bam, contig)
    starts, ends = pairs.spans()
    return starts, ends, orphans, skipped


def mode_intervals(pairs: ContigPairs, mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The intervals that make each fragment count in a peak, under a counting mode.

    Returns
    -------
    starts, ends : numpy.ndarray
        Intervals (0-based, half-open): one span per fragment (``span``), both reads' aligned
        spans (``reads``) or both 1-bp cut sites (``cutsites``).
    read : numpy.ndarray
        ``2 * fragment + mate`` of each interval (mate 0 or 1; a span is mate 0), so
        ``read // 2`` is the fragment.
    """
    n = len(pairs)
    idx = np.arange(n, dtype=np.int64)
    if mode == "span":
        starts, ends = pairs.spans()
        return starts, ends, 2 * idx
    if mode == "reads":
        return pairs.aligned_blocks()
    if mode == "cutsites":
        c1, c2 = pairs.cut_sites()
        cuts = np.concatenate([c1, c2])
        return cuts, cuts + 1, np.concatenate([2 * idx, 2 * idx + 1])
    raise ValueError(f"counting mode must be one of {list(COUNT_MODES)}, not {mode!r}")


def interval_hits(starts: np.ndarray, ends: np.ndarray, peak_starts: np.ndarray,
                  peak_ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (interval, peak) pair that overlaps by at least one base.

    A peak overlaps ``[s, e)`` when ``peak_start < e`` and ``peak_end > s``; with peaks sorted
    by start, the candidates of an interval are the peaks starting in ``(s - max width, e)``,
    so the work is two binary searches per interval plus the hits (peaks may overlap).

    Returns
    -------
    interval, peak : numpy.ndarray
        Indices into the intervals and into the peaks (their given order), int64.
    """
    s = np.asarray(starts, dtype=np.int64)
    e = np.asarray(ends, dtype=np.int64)
    ps = np.asarray(peak_starts, dtype=np.int64)
    pe = np.asarray(peak_ends, dtype=np.int64)
    if s.size == 0 or ps.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(ps, kind="stable")
    ps_sorted, pe_sorted = ps[order], pe[order]
    max_width = int((pe - ps).max())
    lo = np.searchsorted(ps_sorted, s - max_width + 1, side="left")
    hi = np.searchsorted(ps_sorted, e, side="left")
    n = np.maximum(hi - lo, 0)
    interval = np.repeat(np.arange(s.size, dtype=np.int64), n)
    offset = np.arange(interval.size, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    candidate = lo[interval] + offset
    keep = pe_sorted[candidate] > s[interval]
    return interval[keep], order[candidate[keep]]


def mode_counts(pairs: ContigPairs, peak_starts: np.ndarray, peak_ends: np.ndarray,
                mode: str, multi_overlap: str = "each") -> tuple[np.ndarray, int]:
    """Fragments counted in each peak under ``mode``, and fragments that hit any peak.

    A fragment counts at most once per peak. One that hits several peaks counts in each
    (``multi_overlap="each"``, featureCounts ``-O``), or (``"majority"``, featureCounts without
    ``-O``) in the one peak hit by more of its reads than any other, and in none when two or
    more peaks tie for that (ambiguous): each read votes once for every peak it hits.
    """
    n_peaks = len(peak_starts)
    if mode == "span" and multi_overlap == "each":
        starts, ends = pairs.spans()
        return overlap_counts(starts, ends, peak_starts, peak_ends), fragments_in_intervals(
            starts, ends, peak_starts, peak_ends)
    starts, ends, read = mode_intervals(pairs, mode)
    interval, peak = interval_hits(starts, ends, peak_starts, peak_ends)
    if multi_overlap == "each":
        codes = np.unique(read[interval] // 2 * n_peaks + peak)
        counts = np.bincount(codes % n_peaks, minlength=n_peaks).astype(np.int64)
        return counts, int(np.unique(codes // n_peaks).size)
    read_peak = np.unique(read[interval] * n_peaks + peak)       # one vote per read and peak
    codes, votes = np.unique(read_peak // n_peaks // 2 * n_peaks + read_peak % n_peaks, return_counts=True)
    fragment = codes // n_peaks
    # per fragment: the largest vote, and how many peaks reach it
    order = np.lexsort((-votes, fragment))
    fragment, codes, votes = fragment[order], codes[order], votes[order]
    first = np.r_[True, fragment[1:] != fragment[:-1]]
    top = np.repeat(votes[first], np.diff(np.r_[np.flatnonzero(first), fragment.size]))
    at_top = votes == top
    n_top = np.bincount(np.cumsum(first) - 1, weights=at_top).astype(np.int64)
    winner = first & (np.repeat(n_top, np.diff(np.r_[np.flatnonzero(first), fragment.size])) == 1)
    counts = np.bincount(codes[winner] % n_peaks, minlength=n_peaks).astype(np.int64)
    return counts, int(first.sum())


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


def _check_mode(mode: str) -> str:
    if mode not in COUNT_MODES:
        raise ValueError(f"counting mode must be one of {list(COUNT_MODES)}, not {mode!r}")
    return mode


def _check_multi_overlap(multi_overlap: str) -> str:
    if multi_overlap not in MULTI_OVERLAP:
        raise ValueError(f"multi_overlap must be one of {list(MULTI_OVERLAP)}, not {multi_overlap!r}")
    return multi_overlap


def count_bam_modes(path: str | Path, peaks: pd.DataFrame, modes: Sequence[str] = COUNT_MODES,
                    multi_overlap: str = "each") -> dict[str, BamCounts]:
    """Count the fragments of one BAM in every peak under each of ``modes``, in one sweep.

    Parameters
    ----------
    path : str or pathlib.Path
        Coordinate-sorted, indexed BAM.
    peaks : pandas.DataFrame
        Columns ``chrom, start, end, name`` (0-based, half-open; e.g. from
        :func:`deepallele.reads.peaks.read_peaks`).
    modes : sequence of str
        Counting modes (:data:`COUNT_MODES`; see the module notes).
    multi_overlap : {"each", "majority"}
        A fragment hitting several peaks counts in each, or in the one most of its reads hit (module notes).

    Returns
    -------
    dict of str to BamCounts
        Per mode: per-peak counts in the order of ``peaks``, plus totals for FRiP.
    """
    modes = [_check_mode(m) for m in dict.fromkeys(modes)]
    multi_overlap = _check_multi_overlap(multi_overlap)
    peaks = _check_peaks(peaks)
    counts = {m: np.zeros(len(peaks), dtype=np.int64) for m in modes}
    in_peaks = dict.fromkeys(modes, 0)
    fragments = orphans = skipped = 0
    with _open_indexed(path) as bam:
        contigs = list(bam.references)
        unknown = sorted(set(peaks["chrom"]) - set(contigs))
        if unknown:
            raise ValueError(f"{path}: peak chromosome(s) {unknown[:5]} are not in the BAM header "
                             f"(contigs: {contigs[:5]}{', ...' if len(contigs) > 5 else ''}); "
                             "peaks and reads must use the same reference")
        by_contig = {c: idx.to_numpy() for c, idx in peaks.groupby("chrom", sort=False).groups.items()}
        progress = Progress(log, f"counting {Path(path).name}", total=len(contigs), unit="contigs")
        for done, contig in enumerate(contigs):
            progress.update(done)
            pairs, n_orphans, n_skipped = contig_pairs(bam, contig)
            fragments += len(pairs)
            orphans += n_orphans
            skipped += n_skipped
            rows = by_contig.get(contig)
            if rows is None or len(pairs) == 0:
                continue
            ps = peaks["start"].to_numpy()[rows]
            pe = peaks["end"].to_numpy()[rows]
            for m in modes:
                per_peak, hit = mode_counts(pairs, ps, pe, m, multi_overlap)
                counts[m][rows] = per_peak
                in_peaks[m] += hit
    return {m: BamCounts(str(path), counts[m], fragments, in_peaks[m], orphans, skipped, m) for m in modes}


def count_bam(path: str | Path, peaks: pd.DataFrame, mode: str = "reads", multi_overlap: str = "each") -> BamCounts:
    """Count the fragments of one BAM in every peak (see the module notes for the rules).

    Parameters
    ----------
    path : str or pathlib.Path
        Coordinate-sorted, indexed BAM.
    peaks : pandas.DataFrame
        Columns ``chrom, start, end, name`` (0-based, half-open; e.g. from
        :func:`deepallele.reads.peaks.read_peaks`).
    mode : {"reads", "cutsites", "span"}
        What makes a fragment count in a peak.
    multi_overlap : {"each", "majority"}
        A fragment hitting several peaks counts in each, or in the one most of its reads hit.

    Returns
    -------
    BamCounts
        Per-peak counts in the order of ``peaks``, plus totals for FRiP.
    """
    return count_bam_modes(path, peaks, (mode,), multi_overlap)[mode]


def _paths(value) -> list[str]:
    if isinstance(value, (str, Path)):
        return [str(value)]
    return [str(v) for v in value]


def count_fragments(bam_paths_by_allele: Mapping[str, str | Path | Sequence[str | Path]], peaks: pd.DataFrame,
                    mode: str = "reads", multi_overlap: str = "each") -> pd.DataFrame:
    """Per-allele fragment counts per peak, summed over the given BAMs of each allele.

    Parameters
    ----------
    bam_paths_by_allele : mapping
        ``{"ref": bam or [bams], "alt": bam or [bams]}``: coordinate-sorted, indexed BAMs in
        reference coordinates; a list (one BAM per sample) is summed.
    peaks : pandas.DataFrame
        Columns ``chrom, start, end, name``.
    mode : {"reads", "cutsites", "span"}
        What makes a fragment count in a peak (module notes).
    multi_overlap : {"each", "majority"}
        A fragment hitting several peaks counts in each, or in the one most of its reads hit (module notes).

    Returns
    -------
    pandas.DataFrame
        Columns ``peak, chrom, start, end, ref_count, alt_count, ln_ratio`` in peak order, with
        ``ln_ratio = ln((1 + ref_count) / (1 + alt_count))`` (natural log).
    """
    if set(bam_paths_by_allele) != set(ALLELES):
        raise ValueError(f"expected BAMs for alleles {list(ALLELES)}, got {sorted(bam_paths_by_allele)}")
    peaks = _check_peaks(peaks)
    totals = {a: sum((count_bam(p, peaks, mode, multi_overlap).counts for p in _paths(bam_paths_by_allele[a])),
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


def count_modes_per_sample(bams_by_sample: Mapping[str, Mapping[str, str | Path]], peaks: pd.DataFrame,
                           modes: Sequence[str] = COUNT_MODES,
                           multi_overlap: str = "each") -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """:func:`count_fragments_per_sample` for several counting modes, each BAM read once.

    Returns
    -------
    dict
        ``{mode: (long, qc)}`` as :func:`count_fragments_per_sample` returns them.
    """
    peaks = _check_peaks(peaks)
    modes = [_check_mode(m) for m in dict.fromkeys(modes)]
    if not bams_by_sample:
        raise ValueError("no samples to count")
    columns = {m: {} for m in modes}
    qc_rows = {m: [] for m in modes}
    for sample, by_allele in bams_by_sample.items():
        if set(by_allele) != set(ALLELES):
            raise ValueError(f"sample {sample!r}: expected BAMs for alleles {list(ALLELES)}, got {sorted(by_allele)}")
        for allele in ALLELES:
            for m, result in count_bam_modes(by_allele[allele], peaks, modes, multi_overlap).items():
                columns[m][(sample, allele)] = result.counts
                qc_rows[m].append({"sample": sample, "allele": allele, "bam": result.path,
                                   "fragments": result.fragments, "fragments_in_peaks": result.in_peaks,
                                   "frip": result.frip, "orphan_reads": result.orphans,
                                   "skipped_reads": result.skipped_reads})
    n_peaks = len(peaks)
    out = {}
    for m in modes:
        keys = list(columns[m])
        long = pd.DataFrame({
            "peak": np.repeat(peaks["name"].astype(str).to_numpy(), len(keys)),
            "sample": [s for s, _ in keys] * n_peaks,
            "allele": [a for _, a in keys] * n_peaks,
            "count": np.stack([columns[m][k] for k in keys], axis=1).reshape(-1),
        })
        out[m] = (long[LONG_COLUMNS], pd.DataFrame(qc_rows[m]))
    return out


def count_fragments_per_sample(bams_by_sample: Mapping[str, Mapping[str, str | Path]],
                               peaks: pd.DataFrame, mode: str = "reads",
                               multi_overlap: str = "each") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fragment counts of every sample and allele, as a long table, plus per-BAM QC.

    Parameters
    ----------
    bams_by_sample : mapping
        ``{sample: {"ref": bam, "alt": bam}}``; samples keep the mapping's order.
    peaks : pandas.DataFrame
        Columns ``chrom, start, end, name``.
    mode : {"reads", "cutsites", "span"}
        What makes a fragment count in a peak (module notes).
    multi_overlap : {"each", "majority"}
        A fragment hitting several peaks counts in each, or in the one most of its reads hit (module notes).

    Returns
    -------
    long : pandas.DataFrame
        Columns ``peak, sample, allele, count``, ordered by peak, then sample, then allele
        (ref before alt).
    qc : pandas.DataFrame
        Columns ``sample, allele, bam, fragments, fragments_in_peaks, frip, orphan_reads,
        skipped_reads``, one row per BAM.
    """
    return count_modes_per_sample(bams_by_sample, peaks, (mode,), multi_overlap)[mode]


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


def mode_table(per_mode: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]], peaks: pd.DataFrame) -> pd.DataFrame:
    """The per-allele count tables of several modes stacked: ``mode`` + :data:`COUNT_COLUMNS`.

    ``per_mode`` is :func:`count_modes_per_sample`'s result (samples are summed).
    """
    tables = [allele_count_table(long, peaks).assign(mode=m) for m, (long, _) in per_mode.items()]
    return pd.concat(tables, ignore_index=True)[MODE_COLUMNS]



def count_alleles(bams_by_sample: Mapping[str, Mapping[str, str | Path]], peaks: pd.DataFrame, mode: str,
                  multi_overlap: str, counts_path: str | Path, per_sample_path: str | Path,
                  modes_path: str | Path) -> pd.DataFrame:
    """The counts stage of a dataset (rule allele_counts): count, write the three tables, log.

    Every BAM is read once for all modes (:func:`count_modes_per_sample`): the configured
    ``mode`` makes the dataset's count tables, and every mode of :data:`COUNT_MODES` goes side by
    side into the modes table, for comparing them.

    Parameters
    ----------
    bams_by_sample : mapping
        ``{sample: {"ref": bam, "alt": bam}}``.
    peaks : pandas.DataFrame
        ``P`` peaks, columns ``chrom, start, end, name``.
    mode : {"reads", "cutsites", "span"}
        The dataset's counting mode.
    multi_overlap : {"each", "majority"}
        What a fragment hitting several peaks counts in.
    counts_path, per_sample_path, modes_path : str or pathlib.Path
        TSVs of the per-allele counts (``P`` rows, :data:`COUNT_COLUMNS`), the per-sample long
        table (:data:`LONG_COLUMNS`) and every mode's per-allele counts (:data:`MODE_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        The per-allele counts written to ``counts_path``.
    """
    per_mode = count_modes_per_sample(bams_by_sample, peaks, [mode, *COUNT_MODES], multi_overlap)
    long, qc = per_mode[mode]
    wide = allele_count_table(long, peaks)
    write_count_tables(long, wide, counts_path, per_sample_path)
    write_tsv(mode_table({m: per_mode[m] for m in COUNT_MODES}, peaks), modes_path)
    log.info("counting mode: %s; a fragment hitting several peaks: %s", mode, multi_overlap)
    for row in qc.itertuples():
        log.info("%s %s: %d fragments, %d in peaks (FRiP %.3f), %d orphan reads, %d reads skipped by flag (%s)",
                 row.sample, row.allele, row.fragments, row.fragments_in_peaks, row.frip, row.orphan_reads,
                 row.skipped_reads, row.bam)
    for m in COUNT_MODES:
        m_qc = per_mode[m][1]
        log.info("mode %s: %d fragments in peaks of %d (FRiP %.3f)", m, m_qc["fragments_in_peaks"].sum(),
                 m_qc["fragments"].sum(), m_qc["fragments_in_peaks"].sum() / max(m_qc["fragments"].sum(), 1))
    log.info("%d peaks: %d ref and %d alt fragments", len(wide), wide["ref_count"].sum(), wide["alt_count"].sum())
    return wide


def frip(bam_path: str | Path, peaks: pd.DataFrame, mode: str = "reads") -> float:
    """Fraction of the fragments of one BAM counted in at least one peak."""
    return count_bam(bam_path, peaks, mode).frip


def frip_table(bams_by_sample: Mapping[str, Mapping[str, str | Path]], peaks: pd.DataFrame,
               mode: str = "reads") -> pd.DataFrame:
    """FRiP of every allele BAM: the ``qc`` table of :func:`count_fragments_per_sample`."""
    return count_fragments_per_sample(bams_by_sample, peaks, mode)[1]


def write_count_tables(long: pd.DataFrame | None, wide: pd.DataFrame, wide_path: str | Path,
                       long_path: str | Path | None = None) -> None:
    """Write the per-allele table and the per-sample long table as TSV (floats to 6 decimals:
    ``ln_ratio``, and counts when they are not integers, e.g. an imported count table).

    ``long``/``long_path`` may be None (a dataset imported from a count table has no per-sample
    table). Each file is written to ``<path>.tmp`` and renamed, so a failed job leaves none.
    """
    tables = [(wide, wide_path)] + ([(long, long_path)] if long is not None and long_path is not None else [])
    for table, path in tables:
        write_tsv(table, path)


def write_tsv(table: pd.DataFrame, path: str | Path) -> None:
    """Write a table as TSV (floats to 6 decimals) through ``<path>.tmp`` and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        table.to_csv(tmp, sep="\t", index=False, float_format="%.6f")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
