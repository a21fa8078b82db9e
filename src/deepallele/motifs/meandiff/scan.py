"""FIMO on both alleles and the per-(motif, sequence) score sums and delta scores (step 1-2).

memelite's FIMO scans every sequence of one allele in one call (one-hot ``(N, 4, L)``; padding
and N are all-zero columns, which FIMO skips), against every motif on both strands. Hits whose
window runs into the padding are dropped (the sequence ends there). ``delta = sum(scores of hits
in ref) - sum(scores of hits in alt)`` (FIMO's log2-odds scores) per motif and sequence with a
hit in either allele; NaN without.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...alphabet import one_hot
from ...logutil import Progress
from .pairs import PairSet, sequence_lengths

log = logging.getLogger("deepallele.motifs.meandiff")
#: motifs per memelite FIMO call (a progress line between calls)
FIMO_CHUNK = 100
#: columns of :func:`fimo_hits`
HIT_COLUMNS = ("motif_idx", "sequence", "start", "end", "strand", "score", "p-value")


def scan_threshold(length: int, alpha: float = 0.05) -> float:
    """FIMO p-value threshold ``alpha / L`` (9.07e-5 for the paper's 551 bp ChIP sequences).

    Parameters
    ----------
    length : int
        ``L``, the padded sequence length.
    alpha : float
        The per-sequence level.

    Returns
    -------
    float
    """
    return alpha / float(length)


def fimo_hits(motifs: dict[str, np.ndarray], codes: np.ndarray, threshold: float, bin_size: float = 0.1,
              eps: float = 1e-4) -> pd.DataFrame:
    """FIMO hits of every motif in every sequence of one allele (memelite, motifs in chunks).

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        Name -> (4, W) probabilities; ``motif_idx`` in the result is the position in this dict.
    codes : numpy.ndarray
        (N, L) uint8 codes of one allele.
    threshold : float
        p-value threshold.
    bin_size, eps : float
        FIMO's score bin size and the pseudocount added before the log.

    Returns
    -------
    pandas.DataFrame
        ``motif_idx, sequence, start, end, strand, score, p-value`` of the hits that lie wholly
        inside their sequence (not in its padding).
    """
    from memelite import fimo

    if codes.ndim != 2:
        raise ValueError(f"codes must be (N, L), got shape {codes.shape}")
    x = one_hot(codes, n=0, dtype=np.int8)   # N and padding all-zero columns, which FIMO skips
    names = list(motifs)
    frames = []
    # motifs in chunks, each a memelite call, so the log shows how far the scan has come
    progress = Progress(log, f"FIMO {len(codes)} sequences", total=len(names), unit="motifs")
    for start in range(0, len(names), FIMO_CHUNK):
        progress.update(start)
        chunk = {m: motifs[m] for m in names[start:start + FIMO_CHUNK]}
        for f in fimo(chunk, x, bin_size=bin_size, eps=eps, threshold=threshold, reverse_complement=True, dim=0):
            if len(f):
                f = f.copy()
                f["motif_idx"] = f["motif_idx"].astype(np.int64) + start   # index into the whole dict
                frames.append(f)
    progress.update(len(names))
    columns = list(HIT_COLUMNS)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("score", "p-value") else
                                          (object if c == "strand" else np.int64)) for c in columns})
    hits = pd.concat(frames, ignore_index=True).rename(columns={"sequence_name": "sequence"})
    hits = hits[columns].astype({"motif_idx": np.int64, "sequence": np.int64, "start": np.int64, "end": np.int64})
    inside = hits["end"].to_numpy() <= sequence_lengths(codes)[hits["sequence"].to_numpy()]
    return hits[inside].reset_index(drop=True)


def score_sums(hits: pd.DataFrame, n_motifs: int, n_sequences: int) -> tuple[np.ndarray, np.ndarray]:
    """Summed hit scores and hit counts per (motif, sequence).

    Parameters
    ----------
    hits : pandas.DataFrame
        :func:`fimo_hits` output (``motif_idx``, ``sequence``, ``score``).
    n_motifs, n_sequences : int
        ``M`` and ``N``.

    Returns
    -------
    sums : numpy.ndarray
        (n_motifs, n_sequences) float64 sum of scores (0 without hits).
    counts : numpy.ndarray
        (n_motifs, n_sequences) int32 number of hits.
    """
    key = hits["motif_idx"].to_numpy() * n_sequences + hits["sequence"].to_numpy()
    size = n_motifs * n_sequences
    sums = np.bincount(key, weights=hits["score"].to_numpy(dtype=np.float64), minlength=size)
    counts = np.bincount(key, minlength=size).astype(np.int32)
    return sums.reshape(n_motifs, n_sequences), counts.reshape(n_motifs, n_sequences)


def delta_scores(ref_sums: np.ndarray, alt_sums: np.ndarray, ref_counts: np.ndarray,
                 alt_counts: np.ndarray) -> np.ndarray:
    """``ref_sums - alt_sums`` where either allele has a hit, NaN elsewhere (no data).

    Parameters
    ----------
    ref_sums, alt_sums : numpy.ndarray
        (M, N) summed hit scores of each allele.
    ref_counts, alt_counts : numpy.ndarray
        (M, N) hit counts of each allele.

    Returns
    -------
    numpy.ndarray
        (M, N) float64 delta scores.
    """
    delta = ref_sums - alt_sums
    delta[(ref_counts + alt_counts) == 0] = np.nan
    return delta


@dataclass
class Scan:
    """Per-(motif, sequence) FIMO results of both alleles of a pair set.

    Attributes
    ----------
    motifs : list of str
        Motif names (rows).
    peak : numpy.ndarray
        (N,) peak names (columns).
    ratio : numpy.ndarray
        (N,) ln ratio.
    ref_sums, alt_sums : numpy.ndarray
        (M, N) summed hit scores per allele.
    ref_counts, alt_counts : numpy.ndarray
        (M, N) hit counts per allele.
    """

    motifs: list
    peak: np.ndarray
    ratio: np.ndarray
    ref_sums: np.ndarray
    alt_sums: np.ndarray
    ref_counts: np.ndarray
    alt_counts: np.ndarray

    @property
    def delta(self) -> np.ndarray:
        """(M, N) delta scores, NaN where neither allele has a hit."""
        return delta_scores(self.ref_sums, self.alt_sums, self.ref_counts, self.alt_counts)


def scan_pairs(motifs: dict[str, np.ndarray], pairs: PairSet, threshold: float | None = None,
               bin_size: float = 0.1, eps: float = 1e-4) -> Scan:
    """FIMO on both alleles of every sequence and the per-(motif, sequence) sums.

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        Name -> (4, W) probabilities.
    pairs : PairSet
        The sequences, ``(N, L)`` codes of each allele.
    threshold : float, optional
        FIMO p-value threshold; default ``0.05 / L``.
    bin_size, eps : float
        FIMO settings.

    Returns
    -------
    Scan
        ``(M, N)`` sums and counts of each allele, ``M = len(motifs)``.
    """
    threshold = scan_threshold(pairs.length) if threshold is None else threshold
    n_m, n = len(motifs), len(pairs.ratio)
    out = {}
    for allele, codes in (("ref", pairs.ref_codes), ("alt", pairs.alt_codes)):
        t0 = time.perf_counter()
        hits = fimo_hits(motifs, codes, threshold, bin_size, eps)
        out[allele] = score_sums(hits, n_m, n)
        log.info("FIMO %s allele: %d sequences x %d motifs, %d hits, %.1f s", allele, n, n_m, len(hits),
                 time.perf_counter() - t0)
    return Scan(list(motifs), pairs.peak, pairs.ratio, out["ref"][0], out["alt"][0], out["ref"][1], out["alt"][1])
