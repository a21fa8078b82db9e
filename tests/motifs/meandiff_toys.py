"""Hand-built MeanDiff inputs (tests/motifs/test_meandiff_*.py): a T background with an 8 bp
motif (GGAAGTGA, a near-deterministic PWM) planted in the reference allele only, the strain allele
only, both or neither, so every delta score is known exactly: the consensus hit's FIMO score,
log2(0.97 + eps) - log2(0.25) summed over the 8 positions.
"""
from __future__ import annotations

import numpy as np

from deepallele.motifs.meandiff.pairs import PairSet

L = 60
SITE = "GGAAGTGA"
EPS = 1e-4


def pwm(consensus: str, p: float = 0.97) -> np.ndarray:
    out = np.full((4, len(consensus)), (1 - p) / 3)
    out[["ACGT".index(c) for c in consensus], np.arange(len(consensus))] = p
    return out


MOTIFS = {"SITE": pwm(SITE), "NEVER": pwm("CGCGCGCGCG")}
SITE_SCORE = len(SITE) * (np.log2(0.97 + EPS) - np.log2(0.25))


def codes(seq: str, length: int = L) -> np.ndarray:
    out = np.full(length, 5, dtype=np.uint8)
    out[:len(seq)] = ["ACGTN".index(c) for c in seq]
    return out


def with_site(pos: int | None, length: int = L, site: str = SITE) -> str:
    s = ["T"] * length
    if pos is not None:
        s[pos:pos + len(site)] = site
    return "".join(s)


def revcomp(seq: str) -> str:
    return seq[::-1].translate(str.maketrans("ACGT", "TGCA"))


# ref-only (delta +S, ratio ~ +1.2), alt-only (delta -S, ratio ~ -1.1), both (delta 0), neither (NaN)
RATIO_REF_ONLY = np.array([1.2, 1.4, 1.05, 1.6, 1.1, 1.3, 1.5, 1.0])
RATIO_ALT_ONLY = np.array([-1.1, -1.05, -1.4, -1.2, -1.15, -1.3, -1.0, -1.25])
RATIO_BOTH = np.array([0.1, -0.2])
RATIO_NEITHER = np.array([0.3, -0.4, 2.0])
RATIO_OPPOSITE = np.array([-1.5])  # motif in ref only, yet the alt allele is stronger


def toy_pair_set() -> PairSet:
    """22 pairs: 8 ref-only sites, 8 alt-only (half on the minus strand), 2 both, 3 neither, 1 opposite."""
    ref, alt, ratio = [], [], []
    for i, r in enumerate(RATIO_REF_ONLY):
        ref.append(with_site(5 + i)), alt.append(with_site(None)), ratio.append(r)
    for i, r in enumerate(RATIO_ALT_ONLY):
        # half of them on the reverse strand: the same score
        alt.append(with_site(10 + i) if i % 2 else revcomp(with_site(10 + i))), ref.append(with_site(None))
        ratio.append(r)
    for r in RATIO_BOTH:
        ref.append(with_site(20)), alt.append(with_site(30)), ratio.append(r)
    for r in RATIO_NEITHER:
        ref.append(with_site(None)), alt.append(with_site(None)), ratio.append(r)
    for r in RATIO_OPPOSITE:
        ref.append(with_site(40)), alt.append(with_site(None)), ratio.append(r)
    n = len(ratio)
    return PairSet(np.stack([codes(s) for s in ref]), np.stack([codes(s) for s in alt]), np.array(ratio),
                   np.array([f"p{i}" for i in range(n)], dtype=object), "test")


#: rows of each kind in :func:`toy_pair_set`
GROUPS = {"ref_only": slice(0, 8), "alt_only": slice(8, 16), "both": slice(16, 18), "neither": slice(18, 21),
          "opposite": slice(21, 22)}
