"""Pair-aware filtering of one genome's alignments, straight from bowtie2.

bowtie2 (with ``--reorder``) writes the two mates of a pair next to each other, in input order.
Filtering pairs, not reads, keeps mates together: a pair is kept only when both mates are
mapped in a proper pair, both pass the MAPQ threshold, and neither lies on an excluded contig.
Contigs are excluded **by name** (glob patterns such as ``chrM`` or ``*random*``), never by
searching the text of a record.
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pysam


@dataclass
class FilterStats:
    """What happened to the read pairs of one alignment file."""

    pairs_in: int = 0
    proper_pairs: int = 0
    excluded_contig: int = 0
    low_mapq: int = 0
    pairs_kept: int = 0
    last: str = ""

    def add(self, status: str) -> None:
        """Count one pair by its :func:`pair_status`."""
        self.last = status
        self.pairs_in += 1
        if status == "unaligned":
            return
        self.proper_pairs += 1
        if status == "excluded_contig":
            self.excluded_contig += 1
        elif status == "low_mapq":
            self.low_mapq += 1
        else:
            self.pairs_kept += 1

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("last")
        return d


def excluded_contigs(names: list[str], patterns: list[str]) -> set[str]:
    """Contig names that match any glob pattern (case-sensitive)."""
    return {n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)}


def pair_status(r1, r2, drop_tids: set[int], min_mapq: int) -> str:
    """Why a pair is dropped (``unaligned``, ``excluded_contig``, ``low_mapq``) or ``kept``."""
    if r1.is_unmapped or r2.is_unmapped or not (r1.is_proper_pair and r2.is_proper_pair):
        return "unaligned"
    if r1.reference_id in drop_tids or r2.reference_id in drop_tids:
        return "excluded_contig"
    if r1.mapping_quality < min_mapq or r2.mapping_quality < min_mapq:
        return "low_mapq"
    return "kept"


def iter_pairs(bam: pysam.AlignmentFile, path: str):
    """Public alias of the mate-pair iterator (mates must be adjacent)."""
    return _pairs(bam, path)


def _pairs(bam: pysam.AlignmentFile, path: str):
    """Yield (read1, read2) of consecutive mates; raise if the file is not pair-grouped."""
    pending = None
    for rec in bam.fetch(until_eof=True):
        if rec.is_secondary or rec.is_supplementary:
            continue
        if pending is None:
            pending = rec
            continue
        if rec.query_name != pending.query_name:
            raise ValueError(f"{path}: mates of {pending.query_name} are not adjacent; "
                             "run bowtie2 with --reorder or name-sort the file")
        yield (pending, rec) if pending.is_read1 else (rec, pending)
        pending = None
    if pending is not None:
        raise ValueError(f"{path}: read {pending.query_name} has no mate (is the input paired-end?)")


def filter_pairs(in_bam: str | Path, out_bam: str | Path, min_mapq: int = 2,
                 exclude: list[str] | None = None, stats_json: str | Path | None = None,
                 threads: int = 1) -> FilterStats:
    """Keep proper pairs with both mates at MAPQ ≥ ``min_mapq`` off excluded contigs.

    Parameters
    ----------
    in_bam : str or pathlib.Path
        SAM/BAM with mates adjacent (bowtie2 ``--reorder`` output; ``-`` for stdin).
    out_bam : str or pathlib.Path
        Output BAM, same order as the input.
    min_mapq : int
        Minimum MAPQ of both mates.
    exclude : list of str
        Glob patterns of contig names to drop.
    stats_json : str or pathlib.Path, optional
        Where to write the counts as JSON.
    threads : int
        BAM compression threads.

    Returns
    -------
    FilterStats
    """
    stats = FilterStats()
    with pysam.AlignmentFile(str(in_bam), "r" if str(in_bam) == "-" else "rb", check_sq=False) as bam:
        drop = {bam.get_tid(n) for n in excluded_contigs(list(bam.references), exclude or [])}
        tmp = Path(str(out_bam) + ".tmp")
        try:
            with pysam.AlignmentFile(str(tmp), "wb", template=bam, threads=threads) as out:
                for r1, r2 in _pairs(bam, str(in_bam)):
                    stats.add(pair_status(r1, r2, drop, min_mapq))
                    if stats.last == "kept":
                        out.write(r1)
                        out.write(r2)
        except BaseException:
            tmp.unlink(missing_ok=True)  # no half-written output
            raise
        tmp.replace(out_bam)
    if stats_json:
        Path(stats_json).write_text(json.dumps(stats.as_dict(), indent=1) + "\n")
    return stats
