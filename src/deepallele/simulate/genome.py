"""Background reference genome: chromosome sizes and CpG-depleted sequence.

Mammalian genomes have ~42 % GC and far fewer CpG dinucleotides than their base composition
predicts (observed/expected ~0.2 in mouse) because methylated cytosines in CpG deaminate to
thymine. We mimic that mechanism instead of fitting a Markov chain: draw an i.i.d. sequence at
a slightly raised GC content, then turn most CpGs into TpG or CpA, which lowers GC to the target
and leaves CpG depleted exactly as in real DNA.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..alphabet import BASE_CODES, BASES

#: Mouse (GRCm38) chromosome lengths in Mb, used to scale the simulated chromosomes.
MOUSE_CHROM_MB = {
    "chr1": 195.5, "chr2": 182.1, "chr3": 160.0, "chr4": 156.5, "chr5": 151.8,
    "chr6": 149.7, "chr7": 145.4, "chr8": 129.4, "chr9": 124.6, "chr10": 130.7,
    "chr11": 122.1, "chr12": 120.1, "chr13": 120.4, "chr14": 124.9, "chr15": 104.0,
    "chr16": 98.2, "chr17": 95.0, "chr18": 90.7, "chr19": 61.4, "chrX": 171.0,
}
#: chrM keeps its real length: it is small and ATAC-seq reads pile up on it.
CHRM_LENGTH = 16_299

#: codes of the four bases (:mod:`deepallele.alphabet`; sequences here are codes, written out with its decode)
A, C, G, T = (BASE_CODES[b] for b in BASES)


def chromosome_sizes(genome_size: int, min_size: int = 20_000) -> dict[str, int]:
    """Scale mouse chromosome proportions to a total nuclear genome size.

    Parameters
    ----------
    genome_size : int
        Total length of chr1..chr19 and chrX, in bp.
    min_size : int
        Lower bound for any chromosome, so tiny test genomes keep every contig usable.

    Returns
    -------
    dict
        Chromosome name to length, in karyotype order, ending with chrM.
    """
    total_mb = sum(MOUSE_CHROM_MB.values())
    sizes = {c: max(min_size, int(round(genome_size * mb / total_mb))) for c, mb in MOUSE_CHROM_MB.items()}
    sizes["chrM"] = CHRM_LENGTH
    return sizes


def background_sequence(length: int, rng: np.random.Generator, gc: float = 0.42,
                        cpg_obs_exp: float = 0.22) -> np.ndarray:
    """Draw a background sequence as base codes (0..3 for A, C, G, T).

    Parameters
    ----------
    length : int
        Sequence length in bp.
    rng : numpy.random.Generator
        Source of randomness.
    gc : float
        Target GC fraction after CpG decay.
    cpg_obs_exp : float
        Target ratio of observed to expected CpG dinucleotides.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of base codes.
    """
    if not 0 < gc < 1:
        raise ValueError(f"gc must be in (0, 1), got {gc}")
    gc_start = _starting_gc(gc, cpg_obs_exp)
    return _decayed(length, rng, gc_start, 1.0 - cpg_obs_exp)


def _decayed(length: int, rng: np.random.Generator, gc_start: float, decay: float) -> np.ndarray:
    probs = np.array([(1 - gc_start) / 2, gc_start / 2, gc_start / 2, (1 - gc_start) / 2])
    seq = rng.choice(4, size=length, p=probs).astype(np.uint8)
    # One pass suffices: C->T and G->A never create a new CpG.
    cpg = np.flatnonzero((seq[:-1] == C) & (seq[1:] == G))
    hit = cpg[rng.random(cpg.size) < decay]
    on_minus = rng.random(hit.size) < 0.5
    seq[hit[~on_minus]] = T          # C deaminated on the plus strand: CG -> TG
    seq[hit[on_minus] + 1] = A       # C deaminated on the minus strand: CG -> CA
    return seq


@lru_cache(maxsize=None)
def _starting_gc(gc: float, cpg_obs_exp: float) -> float:
    """GC content before decay that lands on ``gc`` after it (calibrated on a fixed pilot)."""
    start = gc
    for _ in range(4):
        pilot = _decayed(200_000, np.random.default_rng(12345), start, 1.0 - cpg_obs_exp)
        start += gc - float(np.isin(pilot, (C, G)).mean())
    return start


def composition(codes: np.ndarray) -> dict[str, float]:
    """GC fraction and CpG observed/expected ratio of a base-code array."""
    n = codes.size
    gc = float(np.isin(codes, (C, G)).mean())
    c_frac = float((codes == C).mean())
    g_frac = float((codes == G).mean())
    cpg = float(((codes[:-1] == C) & (codes[1:] == G)).sum()) / max(n - 1, 1)
    return {"gc": gc, "cpg_obs_exp": cpg / (c_frac * g_frac) if c_frac * g_frac > 0 else float("nan")}
