"""Timing of the FIMO scan and the tests on random pairs of the paper's size (rule benchmark_meandiff)."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from .pairs import PairSet
from .scan import scan_pairs
from .significance import motif_tests

#: seconds the paper's notebook took to scan 8 380 pairs x 551 bp x 746 motifs (docs/results.md)
PAPER_SCAN_SECONDS = 774.0
#: the target set for this workflow: a tenth of the paper's time
TARGET_SCAN_SECONDS = 77.0


def random_pair_set(n_pairs: int, length: int, snp_rate: float = 0.01, seed: int = 0) -> PairSet:
    """Random sequence pairs and random ln ratios, for timing the scan at the paper's size.

    Parameters
    ----------
    n_pairs, length : int
        ``N`` and ``L``.
    snp_rate : float
        Fraction of positions where the alt allele carries another base.
    seed : int
        Of the random generator.

    Returns
    -------
    PairSet
        ``(N, L)`` codes of uniform bases (no N, no padding), ratios ~ Normal(0, 0.7).
    """
    rng = np.random.default_rng(seed)
    ref = rng.integers(0, 4, (n_pairs, length), dtype=np.uint8)
    alt = ref.copy()
    snp = rng.random((n_pairs, length)) < snp_rate
    alt[snp] = (alt[snp] + rng.integers(1, 4, int(snp.sum()), dtype=np.uint8)) % 4
    ratio = rng.normal(0.0, 0.7, n_pairs)
    peak = np.array([f"bench{i}" for i in range(n_pairs)], dtype=object)
    return PairSet(ref, alt, ratio, peak, "test")


def benchmark_scan(motifs: dict[str, np.ndarray], n_pairs: int = 8380, length: int = 551, seed: int = 0,
                   threads: int | None = None) -> pd.DataFrame:
    """Time the FIMO scan + delta scores + tests on a random pair set of the paper's size.

    The numba JIT is paid before timing (a one-sequence warm-up scan), so the numbers are the
    steady-state cost a workflow job pays once memelite's cache exists.

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        Name -> (4, W) probabilities.
    n_pairs, length : int
        ``N`` and ``L`` of the random pairs.
    seed : int
        Of the random pairs.
    threads : int, optional
        numba threads (capped at numba's maximum); default: numba's current setting.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_pairs, length, n_motifs, threads, scan_seconds, tests_seconds, seconds,
        hits_ref, hits_alt, target_seconds, paper_seconds, speedup_vs_paper, meets_target``
        (``seconds`` = scan + tests, compared with the target).
    """
    import numba

    previous = numba.get_num_threads()
    if threads:
        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    used = numba.get_num_threads()
    try:
        pairs = random_pair_set(n_pairs, length, seed=seed)
        warm = PairSet(pairs.ref_codes[:1], pairs.alt_codes[:1], pairs.ratio[:1], pairs.peak[:1], "test")
        scan_pairs(motifs, warm)
        t0 = time.perf_counter()
        scan = scan_pairs(motifs, pairs)
        t1 = time.perf_counter()
        motif_tests(scan)
        t2 = time.perf_counter()
    finally:
        numba.set_num_threads(previous)
    seconds = t2 - t0
    return pd.DataFrame([{
        "n_pairs": n_pairs, "length": length, "n_motifs": len(motifs), "threads": used,
        "scan_seconds": round(t1 - t0, 4), "tests_seconds": round(t2 - t1, 4), "seconds": round(seconds, 4),
        "hits_ref": int(scan.ref_counts.sum()), "hits_alt": int(scan.alt_counts.sum()),
        "target_seconds": TARGET_SCAN_SECONDS, "paper_seconds": PAPER_SCAN_SECONDS,
        "speedup_vs_paper": round(PAPER_SCAN_SECONDS / seconds, 1),
        "meets_target": bool(seconds <= TARGET_SCAN_SECONDS),
    }])
