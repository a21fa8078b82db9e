"""Coordinate map between the reference genome and one strain (pseudo)genome.

A strain genome is the reference with the strain's homozygous variants applied. Its bases fall
in three classes:

* **aligned** bases, present in both genomes (matches, SNPs and MNPs); they form ungapped
  *blocks* ``(ref_start, strain_start, length)``;
* **reference-only** bases, removed by a deletion (they have no strain position);
* **strain-only** bases, added by an insertion (they have no reference position).

:class:`CoordinateMap` stores, per chromosome, the sorted block arrays, so that every lookup is a
binary search (O(log n)) and works on numpy arrays as well as on single positions. All
positions are 0-based. Chromosome names are the same in both genomes.

File format
-----------
:meth:`CoordinateMap.save` writes a standard UCSC chain file
(https://genome.ucsc.edu/goldenPath/help/chain.html)
with the **reference as target** (``t``) and the **strain as query** (``q``), i.e. a
``ref -> strain`` chain as UCSC ``liftOver`` and ``bcftools consensus --chain`` use it. There is
one chain per chromosome, both strands ``+``, in the order of the reference FASTA::

    chain <score> <chrom> <ref_size> + <ref_start> <ref_end> \
          <chrom> <strain_size> + <strain_start> <strain_end> <id>
    <block_length> <ref_gap> <strain_gap>
    ...
    <last_block_length>

``ref_gap`` counts reference-only bases and ``strain_gap`` strain-only bases between two
blocks; both are non-zero where a deletion and an insertion meet. The score is the number of
aligned bases. A ``.gz`` suffix writes/reads gzip. A chromosome without any aligned base cannot
be written as a chain and is left out of the file.
"""
from __future__ import annotations

import gzip
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

#: Names of the columns of :meth:`CoordinateMap.segments`.
SEGMENT_COLUMNS = ("ref_start", "strain_start", "length")


def trim_alleles(pos0: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Reduce a VCF-style variant to its minimal edit.

    Shared leading bases (the indel anchor) are removed first, then shared trailing bases, so
    an anchored insertion lands right after its anchor, as VCF means it. The comparison ignores
    case; the returned alleles keep the case they were given in.

    Parameters
    ----------
    pos0 : int
        0-based position of the first REF base.
    ref, alt : str
        REF and ALT alleles.

    Returns
    -------
    tuple of (int, str, str)
        0-based start of the edited reference span, the reference bases it replaces (may be
        empty: a pure insertion before ``start``) and the strain bases that replace them (may
        be empty: a pure deletion).

    Examples
    --------
    >>> trim_alleles(9, "ACG", "A")      # deletion of CG after the anchor A
    (10, 'CG', '')
    >>> trim_alleles(0, "AC", "C")       # deletion of the first base (anchor after it)
    (0, 'A', '')
    >>> trim_alleles(4, "T", "TGG")      # insertion of GG after the anchor T
    (5, '', 'GG')
    """
    ref_upper, alt_upper = ref.upper(), alt.upper()
    shortest = min(len(ref_upper), len(alt_upper))
    prefix = 0
    while prefix < shortest and ref_upper[prefix] == alt_upper[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < shortest - prefix
           and ref_upper[len(ref_upper) - 1 - suffix] == alt_upper[len(alt_upper) - 1 - suffix]):
        suffix += 1
    return pos0 + prefix, ref[prefix:len(ref) - suffix], alt[prefix:len(alt) - suffix]


def variant_kind(ref: str, alt: str) -> str:
    """Kind of a variant after :func:`trim_alleles`.

    Returns
    -------
    str
        ``"none"`` (REF equals ALT), ``"snp"``, ``"mnp"`` (several substituted bases, same
        length), ``"insertion"``, ``"deletion"`` or ``"complex"`` (both sides non-empty with
        different lengths: the shorter length is aligned as a substitution and the rest is an
        indel, see :meth:`CoordinateMap.from_variants`).
    """
    _, ref_edit, alt_edit = trim_alleles(0, ref, alt)
    if not ref_edit and not alt_edit:
        return "none"
    if len(ref_edit) == len(alt_edit):
        return "snp" if len(ref_edit) == 1 else "mnp"
    if not ref_edit:
        return "insertion"
    if not alt_edit:
        return "deletion"
    return "complex"


def _variant_fields(variant) -> tuple[str, int, str, str]:
    """(chrom, pos, ref, alt) from a tuple or from an object with those attributes."""
    if all(hasattr(variant, name) for name in ("chrom", "pos", "ref", "alt")):
        return variant.chrom, int(variant.pos), variant.ref, variant.alt
    chrom, pos, ref, alt = variant
    return chrom, int(pos), ref, alt


class _ChromBlocks:
    """Blocks of one chromosome: numpy arrays for vectorised lookups, lists for scalar ones."""

    __slots__ = ("ref_starts", "strain_starts", "lengths", "ref_starts_list", "strain_starts_list",
                 "lengths_list")

    def __init__(self, ref_starts, strain_starts, lengths):
        self.ref_starts = np.asarray(ref_starts, dtype=np.int64)
        self.strain_starts = np.asarray(strain_starts, dtype=np.int64)
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.ref_starts_list = self.ref_starts.tolist()
        self.strain_starts_list = self.strain_starts.tolist()
        self.lengths_list = self.lengths.tolist()


class CoordinateMap:
    """Reference <-> strain coordinate map, one set of aligned blocks per chromosome.

    Build it with :meth:`from_variants` (from the applied variants) or :meth:`load` (from a
    chain file), not with the constructor.

    Parameters
    ----------
    blocks : mapping of str to array-like of shape (n, 3)
        Per chromosome, the aligned blocks ``(ref_start, strain_start, length)``, sorted, with
        positive lengths and strictly increasing, non-overlapping spans in both genomes.
    ref_sizes, strain_sizes : mapping of str to int
        Chromosome lengths of the two genomes (same keys as ``blocks``; their order is kept).

    Raises
    ------
    ValueError
        If the blocks are not sorted, overlap, or leave a chromosome.
    """

    def __init__(self, blocks: Mapping[str, np.ndarray], ref_sizes: Mapping[str, int],
                 strain_sizes: Mapping[str, int]):
        self._ref_sizes = {chrom: int(size) for chrom, size in ref_sizes.items()}
        self._strain_sizes = {chrom: int(strain_sizes[chrom]) for chrom in self._ref_sizes}
        self._blocks: dict[str, _ChromBlocks] = {}
        for chrom in self._ref_sizes:
            table = np.asarray(blocks[chrom], dtype=np.int64).reshape(-1, 3)
            if table.shape[0] == 0:
                raise ValueError(f"chromosome {chrom!r} has no aligned block")
            ref_starts, strain_starts, lengths = table[:, 0], table[:, 1], table[:, 2]
            if (lengths <= 0).any():
                raise ValueError(f"chromosome {chrom!r}: block lengths must be positive")
            ref_ends, strain_ends = ref_starts + lengths, strain_starts + lengths
            if ((ref_starts[1:] < ref_ends[:-1]).any() or (strain_starts[1:] < strain_ends[:-1]).any()
                    or ref_starts[0] < 0 or strain_starts[0] < 0):
                raise ValueError(f"chromosome {chrom!r}: blocks are unsorted or overlap")
            if ref_ends[-1] > self._ref_sizes[chrom] or strain_ends[-1] > self._strain_sizes[chrom]:
                raise ValueError(f"chromosome {chrom!r}: a block runs past the chromosome end")
            self._blocks[chrom] = _ChromBlocks(ref_starts, strain_starts, lengths)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_variants(cls, ref_sizes: Mapping[str, int], variants: Iterable,
                      one_based: bool = True) -> "CoordinateMap":
        """Build the map from the variants applied to the reference.

        Parameters
        ----------
        ref_sizes : mapping of str to int
            Reference chromosome lengths, in reference order. Every chromosome gets a map,
            including those without variants.
        variants : iterable
            ``(chrom, pos, ref, alt)`` tuples, or objects with those attributes (such as
            :class:`deepallele.simulate.variants.Variant`). Variants must not overlap (see
            Notes). SNPs and MNPs do not change coordinates; they may be passed or left out.
        one_based : bool
            ``True`` (default) when ``pos`` is the VCF 1-based POS, ``False`` when it is
            0-based.

        Returns
        -------
        CoordinateMap

        Raises
        ------
        ValueError
            If a variant names an unknown chromosome, runs past its end, or overlaps another.

        Notes
        -----
        Each variant is reduced with :func:`trim_alleles`. Edited spans may touch but not
        overlap; two pure insertions at the same point are ambiguous and rejected. A complex
        variant (``ACG -> T``) aligns its first ``min(len)`` edited bases as a substitution
        and treats the rest as a deletion or insertion.
        """
        edits: dict[str, list[tuple[int, int, int]]] = {chrom: [] for chrom in ref_sizes}
        for variant in variants:
            chrom, pos, ref, alt = _variant_fields(variant)
            if chrom not in edits:
                raise ValueError(f"variant {chrom}:{pos} {ref}>{alt}: chromosome not in the reference")
            start, ref_edit, alt_edit = trim_alleles(pos - 1 if one_based else pos, ref, alt)
            if start < 0 or start + len(ref_edit) > ref_sizes[chrom]:
                raise ValueError(f"variant {chrom}:{pos} {ref}>{alt} runs past the chromosome "
                                 f"(length {ref_sizes[chrom]})")
            edits[chrom].append((start, len(ref_edit), len(alt_edit)))

        blocks, strain_sizes = {}, {}
        for chrom, ref_size in ref_sizes.items():
            table, strain_size = cls._blocks_from_edits(chrom, int(ref_size), sorted(edits[chrom]))
            blocks[chrom] = table
            strain_sizes[chrom] = strain_size
        return cls(blocks, ref_sizes, strain_sizes)

    @staticmethod
    def _blocks_from_edits(chrom, ref_size, edits):
        """Aligned blocks and the strain length of one chromosome from sorted (start, nref, nalt)."""
        table = []
        block_ref = block_strain = 0  # start of the block being built, in both genomes
        previous_end, previous_insertion_at = 0, -1
        for start, n_ref, n_alt in edits:
            if start < previous_end or (n_ref == 0 and start == previous_insertion_at):
                raise ValueError(f"overlapping variants on {chrom} near 0-based position {start}")
            previous_end = start + n_ref
            previous_insertion_at = start if n_ref == 0 else -1
            aligned = min(n_ref, n_alt)
            ref_gap, strain_gap = n_ref - aligned, n_alt - aligned
            if ref_gap == 0 and strain_gap == 0:
                continue  # substitution: coordinates do not move
            gap_start = start + aligned
            length = gap_start - block_ref
            if length > 0:
                table.append((block_ref, block_strain, length))
            # a zero-length block means two gaps meet: they simply add up
            block_strain += max(length, 0) + strain_gap
            block_ref = gap_start + ref_gap
        tail = ref_size - block_ref
        if tail > 0:
            table.append((block_ref, block_strain, tail))
        return np.array(table, dtype=np.int64).reshape(-1, 3), block_strain + max(tail, 0)

    # ------------------------------------------------------------------ chain file
    @classmethod
    def load(cls, path: str | Path) -> "CoordinateMap":
        """Read a ``ref -> strain`` chain file written by :meth:`save` (or by ``bcftools
        consensus --chain``): one ``+``/``+`` chain per chromosome, same name on both sides.

        Raises
        ------
        ValueError
            Naming the file and line, if the file is not such a chain file.
        """
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        blocks, ref_sizes, strain_sizes = {}, {}, {}
        header = None
        rows: list[tuple[int, int, int]] = []
        ref_cursor = strain_cursor = 0

        def finish(line_number):
            chrom, ref_end, strain_end = header
            if ref_cursor != ref_end or strain_cursor != strain_end:
                raise ValueError(f"{path}: chain for {chrom} ending before line {line_number} does not "
                                 f"reach its declared end ({ref_cursor} vs {ref_end}, "
                                 f"{strain_cursor} vs {strain_end})")
            blocks[chrom] = np.array(rows, dtype=np.int64).reshape(-1, 3)

        with opener(path, "rt") as handle:
            line_number = 0
            for line_number, line in enumerate(handle, start=1):
                fields = line.split()
                if not fields or fields[0].startswith("#"):
                    continue
                if fields[0] == "chain":
                    if header is not None:
                        finish(line_number)
                    if len(fields) < 12:
                        raise ValueError(f"{path}:{line_number}: chain header needs 12 fields")
                    (_, _, t_name, t_size, t_strand, t_start, t_end,
                     q_name, q_size, q_strand, q_start, q_end) = fields[:12]
                    if t_strand != "+" or q_strand != "+":
                        raise ValueError(f"{path}:{line_number}: only + strand chains are supported")
                    if t_name != q_name:
                        raise ValueError(f"{path}:{line_number}: chain maps {t_name} to {q_name}; "
                                         "reference and strain must use the same chromosome names")
                    if t_name in blocks or (header is not None and header[0] == t_name):
                        raise ValueError(f"{path}:{line_number}: a second chain for {t_name}; "
                                         "one chain per chromosome is supported")
                    header = (t_name, int(t_end), int(q_end))
                    ref_sizes[t_name], strain_sizes[t_name] = int(t_size), int(q_size)
                    ref_cursor, strain_cursor = int(t_start), int(q_start)
                    rows = []
                    continue
                if header is None:
                    raise ValueError(f"{path}:{line_number}: block line before any chain header")
                if len(fields) not in (1, 3):
                    raise ValueError(f"{path}:{line_number}: expected 'size dt dq' or 'size'")
                size = int(fields[0])
                rows.append((ref_cursor, strain_cursor, size))
                ref_cursor += size
                strain_cursor += size
                if len(fields) == 3:
                    ref_cursor += int(fields[1])
                    strain_cursor += int(fields[2])
            if header is not None:
                finish(line_number + 1)
        if not blocks:
            raise ValueError(f"{path}: no chain found")
        return cls(blocks, ref_sizes, strain_sizes)

    def save(self, path: str | Path) -> None:
        """Write the map as a ``ref -> strain`` UCSC chain file (gzip if ``path`` ends in .gz).

        See the module docstring for the layout. Output is deterministic.
        """
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "wt") as handle:
            for chain_id, chrom in enumerate(self._ref_sizes, start=1):
                table = self.segments(chrom)
                ref_starts, strain_starts, lengths = table[:, 0], table[:, 1], table[:, 2]
                ref_end = int(ref_starts[-1] + lengths[-1])
                strain_end = int(strain_starts[-1] + lengths[-1])
                handle.write(f"chain {int(lengths.sum())} {chrom} {self._ref_sizes[chrom]} + "
                             f"{int(ref_starts[0])} {ref_end} {chrom} {self._strain_sizes[chrom]} + "
                             f"{int(strain_starts[0])} {strain_end} {chain_id}\n")
                ref_gaps = ref_starts[1:] - (ref_starts[:-1] + lengths[:-1])
                strain_gaps = strain_starts[1:] - (strain_starts[:-1] + lengths[:-1])
                lines = [f"{size}\t{ref_gap}\t{strain_gap}\n"
                         for size, ref_gap, strain_gap in zip(lengths[:-1].tolist(), ref_gaps.tolist(),
                                                               strain_gaps.tolist())]
                handle.writelines(lines)
                handle.write(f"{int(lengths[-1])}\n\n")

    # ------------------------------------------------------------------ sizes and blocks
    @property
    def chroms(self) -> list[str]:
        """Chromosome names, in reference order."""
        return list(self._ref_sizes)

    @property
    def ref_sizes(self) -> dict[str, int]:
        """Reference chromosome lengths (a copy), in reference order."""
        return dict(self._ref_sizes)

    @property
    def strain_sizes(self) -> dict[str, int]:
        """Strain chromosome lengths (a copy), in reference order."""
        return dict(self._strain_sizes)

    def chrom_sizes(self, genome: str = "ref") -> dict[str, int]:
        """Chromosome lengths of ``genome`` (``"ref"`` or ``"strain"``)."""
        if genome not in ("ref", "strain"):
            raise ValueError(f"genome must be 'ref' or 'strain', not {genome!r}")
        return self.ref_sizes if genome == "ref" else self.strain_sizes

    def write_chrom_sizes(self, path: str | Path, genome: str = "ref") -> None:
        """Write a two-column ``chrom<TAB>length`` table (UCSC ``chrom.sizes``) for ``genome``."""
        with open(path, "w") as handle:
            for chrom, size in self.chrom_sizes(genome).items():
                handle.write(f"{chrom}\t{size}\n")

    def __contains__(self, chrom: str) -> bool:
        return chrom in self._blocks

    def __eq__(self, other) -> bool:
        if not isinstance(other, CoordinateMap):
            return NotImplemented
        return (self._ref_sizes == other._ref_sizes and self._strain_sizes == other._strain_sizes
                and list(self._ref_sizes) == list(other._ref_sizes)
                and all(np.array_equal(self.segments(c), other.segments(c)) for c in self._ref_sizes))

    def __repr__(self) -> str:
        n_blocks = sum(b.lengths.size for b in self._blocks.values())
        return f"CoordinateMap({len(self._blocks)} chromosomes, {n_blocks} blocks)"

    def _chrom(self, chrom: str) -> _ChromBlocks:
        try:
            return self._blocks[chrom]
        except KeyError:
            raise KeyError(f"chromosome {chrom!r} is not in the coordinate map "
                           f"(known: {', '.join(self._blocks)})") from None

    def segments(self, chrom: str) -> np.ndarray:
        """Aligned blocks of ``chrom``.

        Returns
        -------
        numpy.ndarray of int64, shape (n, 3)
            Columns ``ref_start, strain_start, length`` (:data:`SEGMENT_COLUMNS`), sorted in
            both genomes. Between two rows, ``ref_start[i+1] - ref_end[i]`` reference-only and
            ``strain_start[i+1] - strain_end[i]`` strain-only bases.
        """
        blocks = self._chrom(chrom)
        return np.stack([blocks.ref_starts, blocks.strain_starts, blocks.lengths], axis=1)

    # ------------------------------------------------------------------ lookups
    def _check_range(self, chrom, positions, size, genome):
        if positions.size and (positions.min() < 0 or positions.max() >= size):
            bad = positions[(positions < 0) | (positions >= size)].ravel()[0]
            raise IndexError(f"{genome} position {int(bad)} is outside {chrom} (0..{size - 1})")

    def _lookup(self, chrom, pos, from_ref: bool):
        blocks = self._chrom(chrom)
        if from_ref:
            source, target = blocks.ref_starts, blocks.strain_starts
            size, genome = self._ref_sizes[chrom], "ref"
        else:
            source, target = blocks.strain_starts, blocks.ref_starts
            size, genome = self._strain_sizes[chrom], "strain"
        positions = np.asarray(pos, dtype=np.int64)
        self._check_range(chrom, positions, size, genome)
        index = np.searchsorted(source, positions, side="right") - 1
        safe = np.maximum(index, 0)
        offset = positions - source[safe]
        inside = (index >= 0) & (offset < blocks.lengths[safe])
        return blocks, source, target, positions, index, safe, offset, inside

    def _map(self, chrom, pos, from_ref: bool):
        if np.ndim(pos) == 0:  # scalar fast path: bisect on a list beats numpy for one value
            blocks = self._chrom(chrom)
            source = blocks.ref_starts_list if from_ref else blocks.strain_starts_list
            target = blocks.strain_starts_list if from_ref else blocks.ref_starts_list
            size = self._ref_sizes[chrom] if from_ref else self._strain_sizes[chrom]
            pos = int(pos)
            if pos < 0 or pos >= size:
                raise IndexError(f"{'ref' if from_ref else 'strain'} position {pos} is outside "
                                 f"{chrom} (0..{size - 1})")
            i = bisect_right(source, pos) - 1
            if i >= 0 and pos - source[i] < blocks.lengths_list[i]:
                return target[i] + pos - source[i]
            return -1
        _, _, target, _, _, safe, offset, inside = self._lookup(chrom, pos, from_ref)
        return np.where(inside, target[safe] + offset, -1)

    def ref_to_strain(self, chrom: str, pos):
        """Strain position of 0-based reference position(s).

        Parameters
        ----------
        chrom : str
        pos : int or array-like of int
            0-based reference position(s), ``0 <= pos < ref_size``.

        Returns
        -------
        int or numpy.ndarray
            Strain position(s); ``-1`` for reference-only bases (inside a deletion).

        Raises
        ------
        KeyError
            Unknown chromosome.
        IndexError
            Position outside the chromosome.
        """
        return self._map(chrom, pos, from_ref=True)

    def strain_to_ref(self, chrom: str, pos):
        """Reference position of 0-based strain position(s); ``-1`` for strain-only bases
        (inside an insertion). Same conventions as :meth:`ref_to_strain`."""
        return self._map(chrom, pos, from_ref=False)

    def _nearest(self, chrom, pos, from_ref: bool, side: str):
        if side not in ("left", "right", "nearest"):
            raise ValueError(f"side must be 'left', 'right' or 'nearest', not {side!r}")
        blocks, source, target, positions, index, safe, offset, inside = self._lookup(chrom, pos, from_ref)
        n_blocks = source.size
        following = np.minimum(index + 1, n_blocks - 1)
        has_left, has_right = index >= 0, index + 1 < n_blocks
        # last mapped base before the gap, first mapped base after it
        left_value = target[safe] + blocks.lengths[safe] - 1
        right_value = target[following]
        if side == "left":
            use_right = ~has_left
        elif side == "right":
            use_right = has_right
        else:
            left_distance = positions - (source[safe] + blocks.lengths[safe] - 1)
            right_distance = source[following] - positions
            use_right = ~has_left | (has_right & (right_distance < left_distance))
        result = np.where(inside, target[safe] + offset, np.where(use_right, right_value, left_value))
        if np.ndim(pos) == 0:
            return int(result), bool(inside)
        return result, inside

    def ref_to_strain_nearest(self, chrom: str, pos, side: str = "right"):
        """Like :meth:`ref_to_strain`, but a reference-only base maps to a flanking strain base.

        Parameters
        ----------
        chrom : str
        pos : int or array-like of int
        side : {"right", "left", "nearest"}
            ``"right"``: the first strain base after the gap; ``"left"``: the last one before
            it; ``"nearest"``: the closer of the two (in source coordinates; ties go left).
            Where the requested side does not exist (a gap at a chromosome end) the other side
            is used.

        Returns
        -------
        (int, bool) or (numpy.ndarray, numpy.ndarray of bool)
            Mapped position(s), and whether each mapping is exact (the base is aligned).
        """
        return self._nearest(chrom, pos, from_ref=True, side=side)

    def strain_to_ref_nearest(self, chrom: str, pos, side: str = "right"):
        """Like :meth:`strain_to_ref`, but a strain-only base maps to a flanking reference base.
        Same conventions as :meth:`ref_to_strain_nearest`."""
        return self._nearest(chrom, pos, from_ref=False, side=side)

    def ref_interval_to_strain(self, chrom: str, start: int, end: int) -> tuple[int, int]:
        """Strain interval holding the bases of the reference interval ``[start, end)``.

        The result starts at the first aligned base at or after ``start`` and ends after the
        last aligned base before ``end``, so insertions strictly inside the interval are
        included and those at its edges are not. Empty intervals come back as ``(s, s)``.
        """
        return self._interval(chrom, start, end, from_ref=True)

    def strain_interval_to_ref(self, chrom: str, start: int, end: int) -> tuple[int, int]:
        """Reference interval holding the bases of the strain interval ``[start, end)``;
        the mirror of :meth:`ref_interval_to_strain`."""
        return self._interval(chrom, start, end, from_ref=False)

    def _interval(self, chrom, start, end, from_ref):
        blocks = self._chrom(chrom)
        source = blocks.ref_starts_list if from_ref else blocks.strain_starts_list
        target = blocks.strain_starts_list if from_ref else blocks.ref_starts_list
        lengths = blocks.lengths_list
        size = self._ref_sizes[chrom] if from_ref else self._strain_sizes[chrom]
        if not 0 <= start < end <= size:
            raise IndexError(f"interval {chrom}:{start}-{end} is empty or outside 0..{size}")
        first_index = bisect_right(source, start) - 1
        if first_index >= 0 and start < source[first_index] + lengths[first_index]:
            first = start
        else:
            first_index += 1
            first = source[first_index] if first_index < len(source) else size
        last_index = bisect_right(source, end - 1) - 1
        last = min(end - 1, source[last_index] + lengths[last_index] - 1) if last_index >= 0 else -1
        if last < first:  # no aligned base inside: an empty interval where the gap sits
            before = bisect_right(source, start) - 1
            at = target[before] + lengths[before] if before >= 0 else 0
            return at, at
        return (target[first_index] + first - source[first_index],
                target[last_index] + last - source[last_index] + 1)
