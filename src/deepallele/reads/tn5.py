"""Tn5 shift of ATAC read pairs, from each read's exact reference ends.

Tn5 inserts its two adapters 9 bp apart on the two strands, so the centre of the insertion
lies 4 bp inside a forward read's 5' end and 5 bp inside a reverse read's (Buenrostro et al.
2013). The standard shift moves the 5' end of a forward read by +4 and that of a reverse read by
-5, as deepTools' ``alignmentSieve --ATACshift`` does. This module replaces alignmentSieve for
one reason: alignmentSieve (deepTools 3.5.6, ``shiftRead``) takes a read's end as
``pos + query_alignment_end``, a *query* index, so a leading soft clip or an insertion lengthens
the read and a deletion shortens it (``5S25M`` at 100 ends at 130, not 125; ``10M3I17M`` at
130, not 127; ``10M3D20M`` at 130, not 133), and a reverse read's shifted 5' end moves with it.
Strain reads lifted to the reference carry the strain's indels as ``I``/``D``/``S``, reference
reads do not, so the error is allele-asymmetric near indels.

Here a forward read's 5' end is its ``reference_start`` and a reverse read's its
``reference_end`` (the aligned ends, as alignmentSieve takes a forward read's). Each read of a
complete proper pair is written as alignmentSieve writes it:

* one matches-only block, ``[start + 4, end)`` for a forward read and ``[start, end - 5)`` for a
  reverse one, at least 1 bp (a read shorter than its shift keeps one base, as alignmentSieve),
  clipped to the contig;
* no sequence or qualities; flags, MAPQ and the tags ``RG``, ``po``, ``ct`` kept;
* the mate fields and TLEN recomputed from the two shifted reads, so a fragment is
  ``[leftmost shifted start, rightmost shifted end)`` for MACS3 ``-f BAMPE`` as for the counter.

The shift is applied once, here; the counter (:mod:`.counts`) and the tracks read the shifted
BAM and never shift again. Unpaired, improper, unmapped, secondary, supplementary, QC-failed and
duplicate-flagged reads, and reads whose mate is missing (orphans), are dropped and counted.
Pairs are written as they complete, so the output is not sorted (the workflow sorts it).
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pysam

from .header import append_program

#: Shift of a forward read's 5' end (bp, added) and of a reverse read's 5' end (bp, subtracted).
FORWARD_SHIFT, REVERSE_SHIFT = 4, 5
#: Tags copied to the shifted reads (read group, allele assignment and its reason).
KEPT_TAGS = ("RG", "po", "ct")

_REQUIRED = 0x1 | 0x2  # paired, proper pair
_EXCLUDED = 0x4 | 0x8 | 0x100 | 0x200 | 0x400 | 0x800


def shifted_span(start: int, end: int, reverse: bool, contig_length: int,
                 forward_shift: int = FORWARD_SHIFT, reverse_shift: int = REVERSE_SHIFT) -> tuple[int, int]:
    """The Tn5-shifted reference span of one read.

    Parameters
    ----------
    start, end : int
        The read's aligned reference span (``reference_start``, ``reference_end``; 0-based,
        half-open).
    reverse : bool
        Whether the read is on the reverse strand (its 5' end is ``end``).
    contig_length : int
        Length of the read's contig (the span is clipped to it).
    forward_shift, reverse_shift : int
        Shifts of the 5' ends: ``start + forward_shift`` for a forward read, ``end -
        reverse_shift`` for a reverse one.

    Returns
    -------
    tuple of int
        ``(start, end)``, at least 1 bp. A read shorter than its shift keeps one base next to
        its shifted 5' end (alignmentSieve's rule).

    Examples
    --------
    >>> shifted_span(100, 125, False, 1000)
    (104, 125)
    >>> shifted_span(100, 125, True, 1000)
    (100, 120)
    """
    if reverse:
        end -= reverse_shift
        if end - start < 1:
            start = end - 1
    else:
        start += forward_shift
        if end - start < 1:
            end = start + 1
    start = min(max(start, 0), contig_length - 1)
    end = max(min(end, contig_length), start + 1)
    return start, end


def alignmentsieve_end(read) -> int:
    """The end alignmentSieve 3.5.6 gives a read: ``reference_start + query_alignment_end``
    (for comparison and logs; differs from ``reference_end`` after a leading soft clip, an
    insertion or a deletion)."""
    return read.reference_start + read.query_alignment_end


def _shifted_record(read, start: int, end: int, mate_start: int, tlen: int, header):
    out = pysam.AlignedSegment(header)
    out.query_name = read.query_name
    out.flag = read.flag
    out.reference_id = read.reference_id
    out.reference_start = start
    out.mapping_quality = read.mapping_quality
    out.cigartuples = [(0, end - start)]
    out.next_reference_id = read.reference_id
    out.next_reference_start = mate_start
    out.template_length = tlen
    for tag in KEPT_TAGS:
        if read.has_tag(tag):
            out.set_tag(tag, read.get_tag(tag))
    return out


def shift_pair(read_a, read_b, contig_length: int, header) -> tuple:
    """Both reads of a proper pair, Tn5-shifted, with mate fields and TLEN recomputed."""
    spans = [shifted_span(r.reference_start, r.reference_end, r.is_reverse, contig_length) for r in (read_a, read_b)]
    left = min(spans[0][0], spans[1][0])
    length = max(spans[0][1], spans[1][1]) - left
    # SAM: TLEN positive for the leftmost read; at equal starts, for read 1
    a_left = spans[0][0] < spans[1][0] or (spans[0][0] == spans[1][0] and read_a.is_read1)
    tlen_a = length if a_left else -length
    return (_shifted_record(read_a, *spans[0], spans[1][0], tlen_a, header),
            _shifted_record(read_b, *spans[1], spans[0][0], -tlen_a, header))


def shift_bam(in_bam: str | Path, out_bam: str | Path, summary_json: str | Path | None = None,
              command_line: str = "deepallele.reads.tn5.shift_bam") -> dict:
    """Write the Tn5-shifted read pairs of a BAM (see the module notes for the rules).

    Parameters
    ----------
    in_bam : str or pathlib.Path
        Paired-end BAM in reference coordinates (coordinate-sorted keeps memory low: a read
        waits only until its mate is read).
    out_bam : str or pathlib.Path
        Output BAM, pairs in completion order (not sorted).
    summary_json : str or pathlib.Path, optional
        Where to write the returned counts.
    command_line : str
        ``CL`` of the ``@PG`` line added to the header.

    Returns
    -------
    dict
        ``pairs`` written; ``skipped_reads`` (by flag), ``orphan_reads``; ``clamped_reads``
        (shorter than their shift, or at a contig end); ``reads_differing_from_alignmentsieve``
        (reads whose end alignmentSieve would misplace: leading soft clip, insertion or
        deletion).
    """
    counts: Counter = Counter()
    with pysam.AlignmentFile(str(in_bam), "rb") as bam:
        header = bam.header.to_dict()
        header.setdefault("HD", {"VN": "1.6"})["SO"] = "unsorted"
        append_program(header, "deepallele.tn5", "deepallele", command_line)
        lengths = dict(zip(range(len(bam.references)), bam.lengths))
        pending: dict[str, pysam.AlignedSegment] = {}
        out_bam = Path(out_bam)
        tmp = out_bam.with_name(out_bam.name + ".tmp")
        try:
            _shift_records(bam, tmp, header, lengths, pending, counts)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(out_bam)
    result = {"input": str(in_bam), "pairs": counts["pairs"], "skipped_reads": counts["skipped_reads"],
              "orphan_reads": len(pending), "clamped_reads": counts["clamped_reads"],
              "reads_differing_from_alignmentsieve": counts["reads_differing_from_alignmentsieve"],
              "forward_shift": FORWARD_SHIFT, "reverse_shift": -REVERSE_SHIFT}
    if summary_json is not None:
        Path(summary_json).write_text(json.dumps(result, indent=2) + "\n")
    return result


def _shift_records(bam, tmp: Path, header: dict, lengths: dict, pending: dict, counts: Counter) -> None:
    """Shift every complete proper pair of ``bam`` into ``tmp``; unpaired mates stay in ``pending``."""
    with pysam.AlignmentFile(str(tmp), "wb", header=header) as out:
        out_header = out.header
        for read in bam.fetch(until_eof=True):
            flag = read.flag
            if flag & _EXCLUDED or (flag & _REQUIRED) != _REQUIRED or read.next_reference_id != read.reference_id:
                counts["skipped_reads"] += 1
                continue
            mate = pending.pop(read.query_name, None)
            if mate is None:
                pending[read.query_name] = read
                continue
            length = lengths[read.reference_id]
            for r in (mate, read):
                if alignmentsieve_end(r) != r.reference_end:
                    counts["reads_differing_from_alignmentsieve"] += 1
                start, end = shifted_span(r.reference_start, r.reference_end, r.is_reverse, length)
                if end - start != r.reference_end - r.reference_start - (REVERSE_SHIFT if r.is_reverse else FORWARD_SHIFT):
                    counts["clamped_reads"] += 1
            for r in shift_pair(mate, read, length, out_header):
                out.write(r)
            counts["pairs"] += 1
