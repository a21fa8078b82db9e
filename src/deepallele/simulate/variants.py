"""Homozygous strain variants: SNPs and short indels, normalised and non-overlapping.

Variants are kept in VCF convention: 0-based ``pos`` of the first REF base, REF and ALT
strings, indels with a shared leading anchor base. Indels are left-aligned (the form
``bcftools norm`` produces), and no two variants overlap or touch, so applying them to the
reference is unambiguous.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..alphabet import decode, encode

_TRANSITION = np.array([2, 3, 0, 1], dtype=np.uint8)  # A<->G, C<->T


@dataclass(frozen=True, order=True)
class Variant:
    """One homozygous variant of the strain relative to the reference.

    Attributes
    ----------
    chrom : str
        Chromosome name.
    pos : int
        0-based position of the first REF base (VCF POS minus one).
    ref, alt : str
        Reference and strain alleles; indels share their first (anchor) base.
    """

    chrom: str
    pos: int
    ref: str
    alt: str

    @property
    def end(self) -> int:
        """0-based exclusive end of the REF span."""
        return self.pos + len(self.ref)

    @property
    def kind(self) -> str:
        """``snp``, ``mnp``, ``ins`` or ``del``."""
        if len(self.ref) == len(self.alt):
            return "snp" if len(self.ref) == 1 else "mnp"
        return "ins" if len(self.alt) > len(self.ref) else "del"

    @property
    def id(self) -> str:
        """Stable identifier ``chrom:POS:REF:ALT`` with the 1-based VCF position."""
        return f"{self.chrom}:{self.pos + 1}:{self.ref}:{self.alt}"


def left_align_deletion(ref: np.ndarray, start: int, length: int) -> int:
    """Leftmost start of a deletion of ``ref[start:start+length]`` with the same outcome."""
    while start > 1 and ref[start - 1] == ref[start + length - 1]:
        start -= 1
    return start


def left_align_insertion(ref: np.ndarray, start: int, inserted: np.ndarray) -> tuple[int, np.ndarray]:
    """Leftmost position to insert ``inserted`` before ``ref[start]`` with the same outcome."""
    inserted = inserted.copy()
    while start > 1 and ref[start - 1] == inserted[-1]:
        inserted = np.roll(inserted, 1)
        start -= 1
    return start, inserted


def indel_lengths(n: int, rng: np.random.Generator, max_length: int = 20, exponent: float = 1.8) -> np.ndarray:
    """Indel lengths 1..max_length from a power law: short indels dominate, as in mouse strains."""
    k = np.arange(1, max_length + 1)
    p = k.astype(float) ** -exponent
    return rng.choice(k, size=n, p=p / p.sum())


def random_variants(chrom: str, ref: np.ndarray, rng: np.random.Generator, snp_spacing: float,
                    indel_spacing: float, max_indel: int = 20, forced: list[Variant] | None = None,
                    min_gap: int = 2, margin: int = 50) -> list[Variant]:
    """Draw normalised, non-overlapping variants for one chromosome.

    Parameters
    ----------
    chrom : str
        Chromosome name.
    ref : numpy.ndarray
        Reference base codes of the chromosome (after motif planting).
    rng : numpy.random.Generator
        Source of randomness.
    snp_spacing, indel_spacing : float
        Mean distance between SNPs and between indels, in bp.
    max_indel : int
        Longest indel, in bp.
    forced : list of Variant, optional
        Variants that must be present (e.g. planted causal SNPs); random variants that would
        overlap or touch them are dropped.
    min_gap : int
        Minimum number of unchanged bases between two variants.
    margin : int
        No variants this close to the chromosome ends (keeps anchors and reads well defined).

    Returns
    -------
    list of Variant
        Sorted by position.
    """
    n = ref.size
    lo, hi = margin, n - margin - max_indel - 1
    if hi <= lo:
        return sorted(forced or [])
    candidates: list[Variant] = []
    n_snp = rng.poisson((hi - lo) / snp_spacing)
    for p in rng.integers(lo, hi, size=n_snp):
        b = ref[p]
        if rng.random() < 2 / 3:
            a = _TRANSITION[b]
        else:
            a = rng.choice([x for x in range(4) if x != b and x != _TRANSITION[b]])
        candidates.append(Variant(chrom, int(p), decode(ref[p:p + 1]), decode(np.array([a], dtype=np.uint8))))
    n_indel = rng.poisson((hi - lo) / indel_spacing)
    lengths = indel_lengths(n_indel, rng, max_indel)
    for p, k in zip(rng.integers(lo, hi, size=n_indel), lengths):
        p, k = int(p), int(k)
        if rng.random() < 0.5:  # deletion of ref[p:p+k], anchored at p-1
            p = left_align_deletion(ref, p, k)
            candidates.append(Variant(chrom, p - 1, decode(ref[p - 1:p + k]), decode(ref[p - 1:p])))
        else:  # insertion before ref[p]; a third are tandem duplications, common in real strains
            if rng.random() < 1 / 3 and p - k >= 1:
                ins = ref[p - k:p].copy()
            else:
                ins = rng.integers(0, 4, size=k).astype(np.uint8)
            p, ins = left_align_insertion(ref, p, ins)
            candidates.append(Variant(chrom, p - 1, decode(ref[p - 1:p]), decode(ref[p - 1:p]) + decode(ins)))

    accepted = sorted(forced or [])
    occupied = [(v.pos - min_gap, v.end + min_gap) for v in accepted]
    starts = np.array([o[0] for o in occupied], dtype=np.int64)
    ends = np.array([o[1] for o in occupied], dtype=np.int64)
    kept = []
    last_end = -1
    for v in sorted(candidates):
        if v.pos < last_end + min_gap:
            continue
        i = np.searchsorted(starts, v.end)  # forced intervals starting before our end
        if i > 0 and ends[:i].size and (ends[:i] > v.pos).any():
            continue
        kept.append(v)
        last_end = v.end
    return sorted(accepted + kept)


def apply_variants(ref: np.ndarray, variants: list[Variant], offset: int = 0) -> np.ndarray:
    """Apply sorted, non-overlapping variants to a reference segment.

    Parameters
    ----------
    ref : numpy.ndarray
        Reference base codes of the segment.
    variants : list of Variant
        Variants whose REF span lies inside the segment.
    offset : int
        Reference coordinate of ``ref[0]``.

    Returns
    -------
    numpy.ndarray
        Base codes of the strain allele.
    """
    pieces, cursor = [], 0
    for v in variants:
        start = v.pos - offset
        if start < cursor or v.end - offset > ref.size:
            raise ValueError(f"variant {v.id} overlaps another or leaves the segment")
        pieces.append(ref[cursor:start])
        pieces.append(encode(v.alt, name=f"variant {v.id} ALT", acgt_only=True))
        cursor = v.end - offset
    pieces.append(ref[cursor:])
    return np.concatenate(pieces) if pieces else ref.copy()


class ShiftMap:
    """Map 0-based positions between the reference and the strain for one chromosome.

    Built from sorted, non-overlapping anchored variants. Positions after a variant's REF span
    shift by ``len(alt) - len(ref)``; reference bases removed by a deletion have no strain
    position, and inserted strain bases have no reference position.
    """

    def __init__(self, variants: list[Variant]):
        indels = [v for v in variants if len(v.ref) != len(v.alt)]
        self.ref_break = np.array([v.end for v in indels], dtype=np.int64)
        delta = np.array([len(v.alt) - len(v.ref) for v in indels], dtype=np.int64)
        self.cum = np.concatenate([[0], np.cumsum(delta)])
        # first removed / inserted position of each indel, in its own coordinates
        self.ref_gap_start = np.array([v.pos + len(v.alt) for v in indels], dtype=np.int64)
        self.strain_break = self.ref_break + self.cum[1:]
        self.strain_gap_start = np.array([v.pos + len(v.ref) for v in indels], dtype=np.int64) + self.cum[:-1]

    def to_strain(self, pos) -> np.ndarray:
        """Strain position of reference positions; -1 where the base is deleted in the strain."""
        pos = np.asarray(pos, dtype=np.int64)
        i = np.searchsorted(self.ref_break, pos, side="right")
        out = pos + self.cum[i]
        # a position is deleted if it lies in [pos+len(alt), end) of the next indel
        j = np.minimum(i, max(self.ref_break.size - 1, 0))
        if self.ref_break.size:
            deleted = (i < self.ref_break.size) & (pos >= self.ref_gap_start[j]) & (pos < self.ref_break[j])
            out = np.where(deleted, -1, out)
        return out

    def to_ref(self, pos) -> np.ndarray:
        """Reference position of strain positions; -1 where the base is inserted in the strain."""
        pos = np.asarray(pos, dtype=np.int64)
        i = np.searchsorted(self.strain_break, pos, side="right")
        out = pos - self.cum[i]
        j = np.minimum(i, max(self.strain_break.size - 1, 0))
        if self.strain_break.size:
            inserted = (i < self.strain_break.size) & (pos >= self.strain_gap_start[j]) & (pos < self.strain_break[j])
            out = np.where(inserted, -1, out)
        return out

    def to_strain_nearest(self, pos) -> np.ndarray:
        """Like :meth:`to_strain`, but deleted bases map to the strain base after the deletion."""
        pos = np.asarray(pos, dtype=np.int64)
        i = np.searchsorted(self.ref_break, pos, side="right")
        out = pos + self.cum[i]
        if self.ref_break.size:
            j = np.minimum(i, self.ref_break.size - 1)
            deleted = (i < self.ref_break.size) & (pos >= self.ref_gap_start[j]) & (pos < self.ref_break[j])
            out = np.where(deleted, self.ref_break[j] + self.cum[np.minimum(i + 1, self.cum.size - 1)], out)
        return out

    def to_ref_nearest(self, pos, side: str = "right") -> np.ndarray:
        """Like :meth:`to_ref`, but inserted bases map to the reference base after the insertion
        (``side="right"``) or to its anchor base before it (``side="left"``)."""
        pos = np.asarray(pos, dtype=np.int64)
        i = np.searchsorted(self.strain_break, pos, side="right")
        out = pos - self.cum[i]
        if self.strain_break.size:
            j = np.minimum(i, self.strain_break.size - 1)
            inserted = (i < self.strain_break.size) & (pos >= self.strain_gap_start[j]) & (pos < self.strain_break[j])
            out = np.where(inserted, self.ref_break[j] - (side == "left"), out)
        return out
