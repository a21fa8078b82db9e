"""JASPAR 2020 motifs for the simulator: loading, log-odds scoring and occupancy.

Motifs come from the JASPAR 2020 SQLite database shipped inside pyjaspar, so no network is
needed. Binding is modelled thermodynamically: a site's occupancy is a logistic function of
its log-odds score, and a region's total occupancy for a factor sums over every position on
both strands.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..alphabet import BASES

JASPAR_RELEASE = "JASPAR2020"


@dataclass(frozen=True)
class Motif:
    """A position frequency matrix with its scoring parameters.

    Attributes
    ----------
    name : str
        Transcription-factor name as in JASPAR (e.g. ``SPI1``).
    matrix_id : str
        JASPAR matrix ID (e.g. ``MA0080.5``).
    pfm : numpy.ndarray
        (4, W) base probabilities in A, C, G, T order.
    """

    name: str
    matrix_id: str
    pfm: np.ndarray

    @property
    def width(self) -> int:
        return self.pfm.shape[1]

    @property
    def log_odds(self) -> np.ndarray:
        """(4, W) log2 odds against a uniform background."""
        return np.log2(self.pfm / 0.25)

    @property
    def max_score(self) -> float:
        return float(self.log_odds.max(axis=0).sum())

    @property
    def information(self) -> np.ndarray:
        """Information content per position, in bits."""
        p = self.pfm
        return 2.0 + (p * np.log2(p)).sum(axis=0)


@lru_cache(maxsize=None)
def _jaspar_vertebrates() -> dict:
    from pyjaspar import jaspardb

    motifs = jaspardb(release=JASPAR_RELEASE).fetch_motifs(
        collection="CORE", tax_group=["vertebrates"], all_versions=False)
    return {m.name.upper(): m for m in motifs}


def load_motif(name: str, pseudocount: float = 0.5) -> Motif:
    """Load one JASPAR 2020 CORE vertebrates (non-redundant) motif by TF name.

    Parameters
    ----------
    name : str
        TF name as JASPAR spells it, case-insensitive (``SPI1``, ``FOS::JUN``, ``CTCF``).
    pseudocount : float
        Added to every count (spread over the four bases) so no probability is zero.
    """
    table = _jaspar_vertebrates()
    try:
        m = table[name.upper()]
    except KeyError:
        close = sorted(k for k in table if name.upper().split("::")[0] in k)[:10]
        raise KeyError(f"motif {name!r} is not in {JASPAR_RELEASE} CORE vertebrates; similar: {close}") from None
    counts = np.array([[m.counts[b][i] for i in range(m.length)] for b in BASES], dtype=float)
    counts += pseudocount
    return Motif(name=m.name, matrix_id=m.matrix_id, pfm=counts / counts.sum(axis=0))


def site_scores(codes: np.ndarray, motif: Motif) -> np.ndarray:
    """Log-odds scores of every window on both strands.

    Returns
    -------
    numpy.ndarray
        (2, L - W + 1) scores: row 0 forward strand, row 1 reverse strand, indexed by the
        window's leftmost position on the forward strand.
    """
    w = motif.width
    if codes.size < w:
        return np.zeros((2, 0))
    lo = motif.log_odds
    windows = np.lib.stride_tricks.sliding_window_view(codes, w)  # (n, w)
    cols = np.arange(w)
    fwd = lo[windows, cols].sum(axis=1)
    rc = lo[::-1, ::-1]  # complement (A<->T, C<->G in ACGT order) and reverse
    rev = rc[windows, cols].sum(axis=1)
    return np.stack([fwd, rev])


def occupancy(scores: np.ndarray, threshold: float, temperature: float) -> np.ndarray:
    """Logistic occupancy of sites given their scores (a two-state binding model)."""
    return 1.0 / (1.0 + np.exp(-(scores - threshold) / temperature))


def sample_instance(motif: Motif, rng: np.random.Generator, sharpness: float = 3.0,
                    min_score: float | None = None, tries: int = 50) -> np.ndarray:
    """Sample a strong but naturally degenerate motif instance (base codes, forward strand).

    Bases are drawn from the PFM raised to ``sharpness`` and renormalised; draws below
    ``min_score`` are rejected. Falls back to the consensus after ``tries`` rejections.
    """
    p = motif.pfm ** sharpness
    p /= p.sum(axis=0)
    lo = motif.log_odds
    cols = np.arange(motif.width)
    for _ in range(tries):
        u = rng.random(motif.width)
        codes = (u[None, :] > np.cumsum(p, axis=0)).sum(axis=0).astype(np.uint8)
        codes = np.minimum(codes, 3)
        if min_score is None or lo[codes, cols].sum() >= min_score:
            return codes
    return motif.pfm.argmax(axis=0).astype(np.uint8)


def reverse_complement(codes: np.ndarray) -> np.ndarray:
    """Reverse complement of base codes (A<->T, C<->G in ACGT order)."""
    return (3 - codes[::-1]).astype(np.uint8)
