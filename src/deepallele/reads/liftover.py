"""Lift alignments from a strain pseudogenome into reference coordinates (Lapels-style).

A read aligned to the strain genome is rewritten as an alignment to the reference by walking
its CIGAR through the aligned blocks of the strain's
:class:`~deepallele.genome.coordmap.CoordinateMap`:

* read bases on aligned strain bases stay ``M`` (``=``/``X`` become ``M``: a strain SNP can turn
  a match into a mismatch);
* read bases on **strain-only** bases (an insertion in the strain) become ``I``;
* **reference-only** bases (a deletion in the strain) skipped between two aligned bases of the
  read become ``D`` (``N`` inside a spliced gap);
* the read's own ``I``, ``D``, ``N``, ``S`` and ``H`` operations are kept (a ``D`` over
  strain-only bases vanishes: those bases do not exist in the reference).

Choices (documented because other lifters differ)
-------------------------------------------------
* **Reads starting or ending inside a strain insertion**: the leading (trailing) strain-only
  bases become a soft clip and the read starts (ends) at its first (last) aligned base. A CIGAR
  starting with ``I`` would be legal SAM but is mishandled by many tools, and the clipped bases
  have no reference position anyway. A ``D``/``N`` is never left next to a clip: it is dropped
  and the start moved past it.
* Several indels between two aligned blocks are merged into one ``I`` followed by one ``D``
  (htsjdk flags two ``I`` or two ``D`` with no ``M`` between them).
* A read lying entirely on strain-only bases has no reference position: it becomes unmapped
  (flag 4, MAPQ 0, no CIGAR), placed at its mate's position when the mate is mapped.
* Original values are kept, on every record that was mapped in the input, in Lapels' tags:
  ``OC:Z`` original CIGAR, ``OP:i`` original 1-based position, ``OM:i`` original ``NM``.
  (The SAM spec reserves ``OM`` for the original MAPQ; we follow Lapels, whose downstream
  tools read ``OM`` as the old edit distance.)
* ``NM`` and ``MD`` are recomputed against the reference when a reference FASTA is given
  (``N`` counts as a mismatch, as in ``samtools calmd``); without a FASTA they are removed,
  since the strain's values would be wrong for the reference. ``AS`` and other aligner tags are
  kept unchanged (they score the alignment to the strain, which is what allele assignment
  compares).
* Mate fields (RNEXT, PNEXT, mate flags) and ``TLEN`` are recomputed from the lifted mates:
  ``TLEN`` spans the outermost lifted coordinates of both mates, positive for the leftmost mate.
  ``MC`` (mate CIGAR) and ``MQ`` are updated when present and removed when the mate is unmapped.
  ``SA`` entries are lifted; ``XA`` (strain coordinates of alternative hits) is removed.

Mates are lifted together: the input is grouped by read name with ``samtools collate`` (via
pysam; skipped when the header says the file is already name-sorted or grouped), each group is
lifted, and the output is coordinate-sorted and indexed (or left grouped, see ``sort_order``).
A mate missing from the input is handled from the record alone (its position is lifted through
the map, and through ``MC`` when present).
"""
from __future__ import annotations

import tempfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import pysam

from ..genome.coordmap import CoordinateMap
from .header import append_program

# CIGAR operation codes (SAM spec order, as pysam uses them)
M, I, D, N, S, H, P, EQ, X = range(9)
_CIGAR_CHARS = "MIDNSHP=X"
_REF_CONSUMING = frozenset((M, D, N, EQ, X))
_QUERY_CONSUMING = frozenset((M, I, S, EQ, X))


def cigar_to_string(cigartuples) -> str:
    """``[(0, 10), (1, 2)]`` -> ``"10M2I"``."""
    return "".join(f"{length}{_CIGAR_CHARS[op]}" for op, length in cigartuples)


def cigar_from_string(cigar: str) -> list[tuple[int, int]]:
    """``"10M2I"`` -> ``[(0, 10), (1, 2)]``."""
    result, number = [], ""
    for char in cigar:
        if char.isdigit():
            number += char
        else:
            result.append((_CIGAR_CHARS.index(char), int(number)))
            number = ""
    return result


def _append(ops, op, length):
    """Append an operation, merging it with an identical previous one."""
    if length <= 0:
        return
    if ops and ops[-1][0] == op:
        ops[-1][1] += length
    else:
        ops.append([op, length])


@dataclass(frozen=True)
class LiftedAlignment:
    """A lifted alignment: 0-based reference start and CIGAR, and whether the CIGAR changed."""

    reference_start: int
    cigartuples: tuple[tuple[int, int], ...]
    cigar_changed: bool

    @property
    def cigarstring(self) -> str:
        return cigar_to_string(self.cigartuples)

    @property
    def reference_end(self) -> int:
        return self.reference_start + sum(n for op, n in self.cigartuples if op in _REF_CONSUMING)


class _StrainBlocks:
    """Aligned blocks of one chromosome ordered by strain position, as lists for bisect."""

    __slots__ = ("strain_starts", "strain_ends", "ref_starts")

    def __init__(self, segments):
        self.ref_starts = segments[:, 0].tolist()
        self.strain_starts = segments[:, 1].tolist()
        self.strain_ends = (segments[:, 1] + segments[:, 2]).tolist()


class AlignmentLifter:
    """Lift single alignments (start + CIGAR) from strain to reference coordinates.

    Parameters
    ----------
    coordmap : CoordinateMap
        The strain's map (reference and strain chromosome names are the same).
    """

    def __init__(self, coordmap: CoordinateMap):
        self.coordmap = coordmap
        self._blocks = {chrom: _StrainBlocks(coordmap.segments(chrom)) for chrom in coordmap.chroms}

    def lift(self, chrom: str, strain_start: int, cigartuples) -> LiftedAlignment | None:
        """Lift one alignment.

        Parameters
        ----------
        chrom : str
        strain_start : int
            0-based leftmost aligned strain position (``AlignedSegment.reference_start``).
        cigartuples : sequence of (op, length)

        Returns
        -------
        LiftedAlignment or None
            ``None`` when no read base lands on an aligned strain base (the read lies inside a
            strain insertion).
        """
        try:
            blocks = self._blocks[chrom]
        except KeyError:
            raise KeyError(f"chromosome {chrom!r} is not in the coordinate map") from None
        cigartuples = [(int(op), int(length)) for op, length in cigartuples]

        # Fast path: the whole reference span of a plain M/I/D/N CIGAR inside one block
        span, simple = 0, True
        for op, length in cigartuples:
            if op in _REF_CONSUMING:
                span += length
                if op == EQ or op == X:
                    simple = False
        core = [op for op, _ in cigartuples if op != S and op != H]
        simple = simple and bool(core) and core[0] == M and core[-1] == M
        i = bisect_right(blocks.strain_starts, strain_start) - 1
        if simple and i >= 0 and strain_start + span <= blocks.strain_ends[i]:
            return LiftedAlignment(blocks.ref_starts[i] + strain_start - blocks.strain_starts[i],
                                   tuple(cigartuples), False)
        return self._lift_walk(blocks, strain_start, cigartuples)

    @staticmethod
    def _lift_walk(blocks, strain_start, cigartuples):
        starts, ends, ref_starts = blocks.strain_starts, blocks.strain_ends, blocks.ref_starts
        n_blocks = len(starts)
        ops: list[list[int]] = []
        first_match_ref = None     # reference position of the first aligned read base
        ref_cursor = -1            # reference position after the last reference-consuming op
        last_ref_op = -1
        position = strain_start
        for op, length in cigartuples:
            if op in _REF_CONSUMING:
                out_op = M if op in (M, EQ, X) else op
                a, b = position, position + length
                position = b
                i = bisect_right(starts, a) - 1
                while a < b:
                    if i >= 0 and a < ends[i]:  # on aligned bases of block i
                        e = min(b, ends[i])
                        ref_pos = ref_starts[i] + a - starts[i]
                        if 0 <= ref_cursor < ref_pos:  # reference-only bases skipped
                            gap_op = N if (out_op == N and last_ref_op == N) else D
                            _append(ops, gap_op, ref_pos - ref_cursor)
                        if out_op == M and first_match_ref is None:
                            first_match_ref = ref_pos
                        _append(ops, out_op, e - a)
                        ref_cursor, last_ref_op = ref_pos + e - a, out_op
                        a = e
                    else:  # on strain-only bases up to the next block
                        following = starts[i + 1] if i + 1 < n_blocks else b
                        e = min(b, following)
                        if out_op == M:
                            _append(ops, I, e - a)
                        a = e
                        if a == following:
                            i += 1
            elif op in (I, S, H):
                _append(ops, op, length)
            # P (padding) carries no sequence and no reference position: dropped

        match_indices = [k for k, (op, _) in enumerate(ops) if op == M]
        if not match_indices:
            return None
        first, last = match_indices[0], match_indices[-1]
        cigar: list[list[int]] = []
        # leading part: hard clips stay outermost; soft clips and strain-only bases -> S; D/N dropped
        _append(cigar, H, sum(n for op, n in ops[:first] if op == H))
        _append(cigar, S, sum(n for op, n in ops[:first] if op in (S, I)))
        inserted = deleted = 0
        for op, length in ops[first:last + 1]:
            if op == I:
                inserted += length
            elif op == D:
                deleted += length
            else:
                _append(cigar, I, inserted)
                _append(cigar, D, deleted)
                inserted = deleted = 0
                _append(cigar, op, length)
        _append(cigar, S, sum(n for op, n in ops[last + 1:] if op in (S, I)))
        _append(cigar, H, sum(n for op, n in ops[last + 1:] if op == H))
        lifted = tuple((op, n) for op, n in cigar)
        return LiftedAlignment(first_match_ref, lifted, lifted != tuple(cigartuples))


# ---------------------------------------------------------------------------- edit distance
def edit_tags(query_sequence: str, cigartuples, reference_sequence: str) -> tuple[int, str]:
    """``NM`` and ``MD`` of an alignment.

    Parameters
    ----------
    query_sequence : str
        The read's stored sequence (soft-clipped bases included).
    cigartuples : sequence of (op, length)
    reference_sequence : str
        Reference bases from the alignment start to its end.

    Returns
    -------
    (int, str)
        Edit distance (mismatches + inserted + deleted bases; ``N`` always mismatches, as in
        ``samtools calmd``) and the ``MD`` string.
    """
    query = query_sequence.upper()
    reference = reference_sequence.upper()
    nm, md, run = 0, [], 0
    q = t = 0
    for op, length in cigartuples:
        if op in (M, EQ, X):
            read_part, ref_part = query[q:q + length], reference[t:t + length]
            if read_part == ref_part and "N" not in read_part:
                run += length
            else:
                for read_base, ref_base in zip(read_part, ref_part):
                    if read_base == ref_base and read_base != "N":
                        run += 1
                    else:
                        nm += 1
                        md.append(f"{run}{ref_base}")
                        run = 0
            q += length
            t += length
        elif op == I:
            nm += length
            q += length
        elif op == D:
            nm += length
            md.append(f"{run}^{reference[t:t + length]}")
            run = 0
            t += length
        elif op == N:
            t += length
        elif op == S:
            q += length
    md.append(str(run))
    return nm, "".join(md)


# ---------------------------------------------------------------------------- BAM lifting
def _read_sizes_table(path: Path) -> dict[str, int]:
    sizes = {}
    with open(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if not fields[0] or fields[0].startswith("#"):
                continue
            if len(fields) < 2 or not fields[1].isdigit():
                raise ValueError(f"{path}:{line_number}: expected 'name<TAB>length' (a .fai or chrom.sizes)")
            sizes[fields[0]] = int(fields[1])
    return sizes


def _reference_sizes(reference, coordmap: CoordinateMap):
    """Reference contig sizes (in reference order) and the FASTA path if one was given."""
    if reference is None:
        return coordmap.ref_sizes, None
    if isinstance(reference, Mapping):
        return {str(k): int(v) for k, v in reference.items()}, None
    path = Path(reference)
    if not path.exists():
        raise FileNotFoundError(f"reference {path} does not exist")
    with open(path, "rb") as handle:
        magic = handle.read(2)
    is_fasta = magic[:1] == b">" or magic == b"\x1f\x8b"
    if not is_fasta:
        return _read_sizes_table(path), None
    with pysam.FastaFile(str(path)) as fasta:
        return dict(zip(fasta.references, fasta.lengths)), path


def _is_name_grouped(header) -> bool:
    hd = header.to_dict().get("HD", {})
    return hd.get("SO") == "queryname" or hd.get("GO") == "query"


def _check_contigs(in_bam, in_header, coordmap, ref_sizes, reference):
    """Every input contig must be a strain contig of the map with the map's length."""
    strain_sizes, map_ref_sizes = coordmap.strain_sizes, coordmap.ref_sizes
    for name, length in zip(in_header.references, in_header.lengths):
        if name not in strain_sizes:
            raise ValueError(f"{in_bam}: contig {name!r} is not in the coordinate map")
        if length != strain_sizes[name]:
            raise ValueError(f"{in_bam}: contig {name!r} has length {length} but the strain genome "
                             f"of the coordinate map has {strain_sizes[name]} (is the BAM aligned to "
                             "another genome, e.g. the reference?)")
        if name not in ref_sizes:
            raise ValueError(f"contig {name!r} of {in_bam} is missing from the reference {reference}")
        if ref_sizes[name] != map_ref_sizes[name]:
            raise ValueError(f"contig {name!r} has length {ref_sizes[name]} in {reference} but "
                             f"{map_ref_sizes[name]} in the coordinate map")


def _lifted_header(in_header, ref_sizes, command_line):
    header = in_header.to_dict()
    header["HD"] = {"VN": header.get("HD", {}).get("VN", "1.6"), "SO": "unsorted", "GO": "query"}
    header["SQ"] = [{"SN": name, "LN": length} for name, length in ref_sizes.items()]
    append_program(header, "deepallele.liftover", "deepallele.reads.liftover", command_line)
    return pysam.AlignmentHeader.from_dict(header)


class _GroupLifter:
    """Lifts the records of one read name together so that mate fields stay consistent."""

    def __init__(self, lifter: AlignmentLifter, in_names, tid_map, fasta, counts):
        self.lifter = lifter
        self.coordmap = lifter.coordmap
        self.in_names = in_names      # input tid -> contig name
        self.tid_map = tid_map        # input tid -> output tid
        self.fasta = fasta
        self.counts = counts

    # -- one record, own fields only
    def lift_record(self, read):
        """Lift position/CIGAR/tags of one record; returns the strain placement of unmapped ones."""
        counts = self.counts
        counts["records"] += 1
        original_tid, original_pos = read.reference_id, read.reference_start
        if read.is_unmapped:
            counts["unmapped_input"] += 1
            read.mapping_quality = 0
            return original_tid, original_pos
        chrom = self.in_names[original_tid]
        lifted = self.lifter.lift(chrom, original_pos, read.cigartuples)
        read.set_tag("OP", original_pos + 1, value_type="i")
        read.set_tag("OC", read.cigarstring, value_type="Z")
        if read.has_tag("NM"):
            read.set_tag("OM", read.get_tag("NM"), value_type="i")
        if read.has_tag("XA"):
            read.set_tag("XA", None)
        if lifted is None:
            counts["became_unmapped"] += 1
            read.is_unmapped = True
            read.is_proper_pair = False
            read.mapping_quality = 0
            read.cigartuples = None
            for tag in ("NM", "MD", "SA"):
                if read.has_tag(tag):
                    read.set_tag(tag, None)
            return original_tid, original_pos
        counts["lifted"] += 1
        counts["cigar_changed"] += lifted.cigar_changed
        read.reference_id = self.tid_map[original_tid]
        read.reference_start = lifted.reference_start
        if lifted.cigar_changed:
            read.cigartuples = lifted.cigartuples
        if read.has_tag("SA"):
            self._lift_sa(read)
        self._set_edit_tags(read, chrom)
        return None

    def _set_edit_tags(self, read, chrom):
        sequence = read.query_sequence
        if self.fasta is None or sequence is None:
            for tag in ("NM", "MD"):
                if read.has_tag(tag):
                    read.set_tag(tag, None)
            return
        reference = self.fasta.fetch(chrom, read.reference_start, read.reference_end)
        nm, md = edit_tags(sequence, read.cigartuples, reference)
        read.set_tag("NM", nm, value_type="i")
        read.set_tag("MD", md, value_type="Z")

    def _lift_sa(self, read):
        entries = []
        for entry in read.get_tag("SA").rstrip(";").split(";"):
            fields = entry.split(",")
            if len(fields) != 6 or fields[0] not in self.coordmap:
                continue
            lifted = self.lifter.lift(fields[0], int(fields[1]) - 1, cigar_from_string(fields[3]))
            if lifted is not None:
                entries.append(",".join([fields[0], str(lifted.reference_start + 1), fields[2],
                                         lifted.cigarstring, fields[4], fields[5]]))
        if entries:
            read.set_tag("SA", ";".join(entries) + ";", value_type="Z")
        else:
            read.set_tag("SA", None)

    def _lift_placement(self, tid, pos):
        """Output (tid, pos) for a strain placement of an unmapped read or an absent mate."""
        if tid < 0 or pos < 0:
            return -1, -1
        chrom = self.in_names[tid]
        pos = min(pos, self.coordmap.strain_sizes[chrom] - 1)
        lifted, _ = self.coordmap.strain_to_ref_nearest(chrom, pos, side="right")
        return self.tid_map[tid], lifted

    # -- the whole group
    def lift_group(self, records):
        placements = [self.lift_record(read) for read in records]
        primaries = {}
        for read in records:
            if read.is_paired and not read.is_secondary and not read.is_supplementary:
                primaries.setdefault(read.is_read1, read)
        # unmapped reads sit at their mate's position (SAM convention)
        for read, placement in zip(records, placements):
            if placement is None:
                continue
            mate = primaries.get(not read.is_read1) if read.is_paired else None
            if mate is not None and not mate.is_unmapped:
                read.reference_id, read.reference_start = mate.reference_id, mate.reference_start
            else:
                read.reference_id, read.reference_start = self._lift_placement(*placement)
        for read in records:
            if not read.is_paired:
                continue
            mate = primaries.get(not read.is_read1)
            if mate is None:
                self.counts["mate_missing"] += 1
                self._fix_orphan(read)
            else:
                self._set_mate_fields(read, mate)

    @staticmethod
    def _set_mate_fields(read, mate):
        read.next_reference_id = mate.reference_id
        read.next_reference_start = mate.reference_start
        read.mate_is_unmapped = mate.is_unmapped
        read.mate_is_reverse = mate.is_reverse
        if read.is_unmapped or mate.is_unmapped:
            read.is_proper_pair = False
        if read.is_unmapped or mate.is_unmapped or read.reference_id != mate.reference_id:
            read.template_length = 0
        else:
            left = min(read.reference_start, mate.reference_start)
            right = max(read.reference_end, mate.reference_end)
            if read.reference_start != mate.reference_start:
                read_is_left = read.reference_start < mate.reference_start
            else:  # same start: opposite signs still, read 1 positive
                read_is_left = read.is_read1
            read.template_length = (right - left) if read_is_left else -(right - left)
        if read.has_tag("MC"):
            read.set_tag("MC", None if mate.is_unmapped else mate.cigarstring)
        if read.has_tag("MQ"):
            read.set_tag("MQ", None if mate.is_unmapped else mate.mapping_quality)

    def _fix_orphan(self, read):
        """Mate fields of a read whose mate is not in the input: lift them through the map."""
        mate_tid, mate_pos = read.next_reference_id, read.next_reference_start
        if mate_tid < 0 or mate_pos < 0:
            return
        chrom = self.in_names[mate_tid]
        mate_end = None
        if not read.mate_is_unmapped and read.has_tag("MC"):
            lifted = self.lifter.lift(chrom, mate_pos, cigar_from_string(read.get_tag("MC")))
            if lifted is not None:
                mate_pos, mate_end = lifted.reference_start, lifted.reference_end
                read.set_tag("MC", lifted.cigarstring)
                read.next_reference_id = self.tid_map[mate_tid]
                read.next_reference_start = mate_pos
        if mate_end is None:
            strain_tlen = read.template_length
            read.next_reference_id, read.next_reference_start = self._lift_placement(mate_tid, mate_pos)
            if read.has_tag("MC"):
                read.set_tag("MC", None)
            if read.is_unmapped or read.mate_is_unmapped or strain_tlen == 0 \
                    or read.reference_id != read.next_reference_id:
                read.template_length = 0
                return
            # the fragment's strain span, from this read's own strain coordinates and TLEN
            own_start = read.get_tag("OP") - 1
            own_end = own_start + sum(n for op, n in cigar_from_string(read.get_tag("OC"))
                                      if op in _REF_CONSUMING)
            if strain_tlen > 0:
                fragment = (own_start, own_start + strain_tlen)
            else:
                fragment = (own_end + strain_tlen, own_end)
            size = self.coordmap.strain_sizes[chrom]
            start = max(0, min(fragment[0], size - 1))
            end = max(1, min(fragment[1], size))
            lifted_start, _ = self.coordmap.strain_to_ref_nearest(chrom, start, side="right")
            lifted_last, _ = self.coordmap.strain_to_ref_nearest(chrom, end - 1, side="left")
            length = max(lifted_last + 1 - lifted_start, 0)
            read.template_length = length if strain_tlen > 0 else -length
            return
        if read.is_unmapped or read.mate_is_unmapped or read.reference_id != read.next_reference_id:
            read.template_length = 0
            return
        left = min(read.reference_start, mate_pos)
        right = max(read.reference_end, mate_end)
        read_is_left = (read.reference_start < mate_pos
                        or (read.reference_start == mate_pos and read.is_read1))
        read.template_length = (right - left) if read_is_left else -(right - left)


def lift_bam(in_bam, out_bam, coordmap, reference=None, threads: int = 1,
             sort_order: str = "coordinate", tmp_dir=None) -> dict:
    """Lift a BAM aligned to a strain pseudogenome into reference coordinates.

    Parameters
    ----------
    in_bam : str or Path
        BAM/SAM aligned to the strain genome, in any order.
    out_bam : str or Path
        Output BAM in reference coordinates; its header lists the reference contigs.
    coordmap : CoordinateMap or str or Path
        The strain's coordinate map, or its chain file.
    reference : str, Path or mapping, optional
        The reference FASTA (then ``NM``/``MD`` are recomputed against it), its ``.fai`` or a
        ``chrom.sizes`` table, or a ``{name: length}`` mapping. Without it the map's reference
        sizes are used. In every case the lengths must agree with the map.
    threads : int
        Threads for BAM compression, ``samtools collate`` and ``samtools sort``. The per-read
        lifting itself is single-threaded; scatter by chromosome for more (the result does not
        depend on the thread count).
    sort_order : {"coordinate", "name", "grouped"}
        ``"coordinate"`` (default): sorted and indexed (``.bai``); ``"name"``: ``samtools sort
        -n``; ``"grouped"``: records of one name together, in processing order.
    tmp_dir : str or Path, optional
        Directory for temporary files (default: next to ``out_bam``).

    Returns
    -------
    dict
        Counts: ``records``, ``lifted`` (mapped records lifted), ``cigar_changed``,
        ``became_unmapped`` (reads wholly inside strain insertions), ``unmapped_input``,
        ``mate_missing`` (paired records whose mate was not in the input).

    Raises
    ------
    ValueError
        If the BAM's contigs or lengths do not match the strain genome of the map, or the
        reference does not match the map.
    """
    if sort_order not in ("coordinate", "name", "grouped"):
        raise ValueError(f"sort_order must be 'coordinate', 'name' or 'grouped', not {sort_order!r}")
    in_bam, out_bam = Path(in_bam), Path(out_bam)
    if not isinstance(coordmap, CoordinateMap):
        coordmap = CoordinateMap.load(coordmap)
    ref_sizes, fasta_path = _reference_sizes(reference, coordmap)
    threads = max(int(threads), 1)
    counts = Counter()
    lifter = AlignmentLifter(coordmap)
    tmp_dir = Path(tmp_dir) if tmp_dir is not None else out_bam.parent
    with tempfile.TemporaryDirectory(dir=tmp_dir, prefix=".lift.") as tmp:
        tmp = Path(tmp)
        with pysam.AlignmentFile(str(in_bam), check_sq=False) as probe:
            grouped = _is_name_grouped(probe.header)
        source_path = in_bam
        if not grouped:
            source_path = tmp / "collated.bam"
            pysam.collate("--no-PG", "-@", str(threads - 1), "-l", "1", "-T", str(tmp / "collate"),
                          "-o", str(source_path), str(in_bam), catch_stdout=False)
        fasta = pysam.FastaFile(str(fasta_path)) if fasta_path is not None else None
        try:
            with pysam.AlignmentFile(str(source_path), check_sq=False, threads=threads) as source:
                _check_contigs(in_bam, source.header, coordmap, ref_sizes,
                               fasta_path or reference or "the coordinate map")
                out_header = _lifted_header(
                    source.header, ref_sizes,
                    f"lift_bam {in_bam} {out_bam} reference={fasta_path or reference}")
                out_index = {name: k for k, name in enumerate(ref_sizes)}
                in_names = list(source.header.references)
                tid_map = [out_index[name] for name in in_names]
                group_lifter = _GroupLifter(lifter, in_names, tid_map, fasta, counts)
                lifted_path = out_bam if sort_order == "grouped" else tmp / "lifted.bam"
                # the temporary file is sorted right away: no point compressing it
                mode = "wb" if sort_order == "grouped" else "wbu"
                with pysam.AlignmentFile(str(lifted_path), mode, header=out_header,
                                         threads=threads) as sink:
                    for _, group in groupby(source, key=lambda read: read.query_name):
                        records = list(group)
                        group_lifter.lift_group(records)
                        for read in records:
                            sink.write(read)
        finally:
            if fasta is not None:
                fasta.close()
        if sort_order != "grouped":
            args = ["--no-PG", "-@", str(threads - 1), "-T", str(tmp / "sort"), "-o", str(out_bam)]
            if sort_order == "name":
                args.insert(0, "-n")
            pysam.sort(*args, str(lifted_path), catch_stdout=False)
            if sort_order == "coordinate":
                pysam.index(str(out_bam))
    return {key: counts.get(key, 0) for key in ("records", "lifted", "cigar_changed", "became_unmapped",
                                                "unmapped_input", "mate_missing")}
