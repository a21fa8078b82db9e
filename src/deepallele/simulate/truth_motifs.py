"""Does the simulated truth carry a motif's identity? The true contributions of planted sites.

A model can at best recover the contribution pattern of the activity model it is trained on.
If that pattern lost what tells a motif from its relatives (SPI1's A-rich 5' flank, say, which
only matters when sites are not saturated), no attribution method can name the planted factor,
and the interpretation checks would test the simulator rather than the model. This module
computes that pattern from the truth itself:

1. sample ``n_sites`` instances exactly as :func:`deepallele.simulate.regions.plant_region`
   does (PFM raised to ``sharpness``, score at least ``threshold + min_margin * temperature``),
   each between random background flanks;
2. in-silico mutagenesis of the factor's total occupancy (every position, every base), centred
   over the four bases (reference-spec §3.3), averaged over the sites;
3. the cluster-CWM trim and the CWM -> PFM conversion of reference-spec §3.5-3.6
   (:func:`deepallele.motifs.cluster.trim_cwm`, :func:`deepallele.motifs.cluster.cwm_to_pfm`);
4. TomTom (memelite) against JASPAR.

The trained model's cluster CWMs go through steps 3-4 as well (after seqlet segmentation and
clustering, which this check leaves out), so a planted factor that TomTom does not name here
cannot be named from any model of the data. :mod:`deepallele.simulate.truth_attributions` adds
the other half: the whole chain, segmentation and clustering included, on the true attributions
of the interpreted sequences.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .motifs import Motif, occupancy, sample_instance, site_scores


def true_contribution_cwm(motif: Motif, threshold: float, temperature: float, rng: np.random.Generator,
                          sharpness: float = 1.0, min_margin: float = 0.0, n_sites: int = 200, flank: int = 6,
                          gc: float = 0.42) -> np.ndarray:
    """Mean centred ISM of a factor's occupancy over planted-like sites, ``(4, width + 2 * flank)``.

    Parameters
    ----------
    motif : Motif
        The planted motif.
    threshold, temperature : float
        Occupancy midpoint (bits) and width of the logistic (:func:`occupancy`).
    rng : numpy.random.Generator
        Source of sites and background.
    sharpness, min_margin : float
        Site sampling, as in :func:`deepallele.simulate.regions.plant_region`.
    n_sites : int
        Sites averaged.
    flank : int
        Background bases on each side of a site (so a contribution outside the motif would show).
    gc : float
        GC fraction of the background.

    Returns
    -------
    numpy.ndarray
        Contributions in the site's forward orientation; each column sums to 0.
    """
    background = np.array([1 - gc, gc, gc, 1 - gc]) / 2
    length = motif.width + 2 * flank
    total = np.zeros((4, length))
    for _ in range(n_sites):
        site = sample_instance(motif, rng, sharpness=sharpness, min_score=threshold + min_margin * temperature)
        seq = np.concatenate([rng.choice(4, flank, p=background), site,
                              rng.choice(4, flank, p=background)]).astype(np.uint8)
        # every single-base mutant at once: row 4 * i + b is seq with base b at position i
        mutants = np.repeat(seq[None, :], 4 * length, axis=0)
        mutants[np.arange(4 * length), np.repeat(np.arange(length), 4)] = np.tile(np.arange(4), length)
        occ = np.array([occupancy(site_scores(m, motif), threshold, temperature).sum() for m in mutants])
        ism = occ.reshape(length, 4).T - occ[4 * np.arange(length) + seq]
        total += ism - ism.mean(axis=0, keepdims=True)
    return total / n_sites


def truth_tomtom(motif: Motif, targets: dict[str, np.ndarray], threshold: float, temperature: float,
                 rng: np.random.Generator, sharpness: float = 1.0, min_margin: float = 0.0,
                 n_sites: int = 200) -> pd.DataFrame:
    """TomTom matches of the truth's contribution PFM (steps 1-4 of the module docstring).

    Returns
    -------
    pandas.DataFrame
        :data:`deepallele.motifs.tomtom.MATCH_COLUMNS` (cluster ``motif.name``), best first.
    """
    from ..motifs.cluster import cwm_to_pfm, trim_cwm
    from ..motifs.tomtom import tomtom_table

    cwm = trim_cwm(true_contribution_cwm(motif, threshold, temperature, rng, sharpness, min_margin, n_sites))
    return tomtom_table({motif.name: cwm_to_pfm(cwm)}, targets)


def truth_rank(matches: pd.DataFrame, name: str) -> int | None:
    """1-based TomTom rank of ``name`` among the matches (None when it is not among them)."""
    hit = matches.index[matches["target"] == name]
    return int(matches.loc[hit[0], "rank"]) + 1 if len(hit) else None


def truth_equivalents(matches: pd.DataFrame, name: str) -> tuple[str, ...]:
    """Targets TomTom ranks above ``name``: factors the truth's sites cannot tell from it (empty if unmatched)."""
    ranked = matches.sort_values("rank")["target"].tolist()
    return tuple(ranked[:ranked.index(name)]) if name in ranked else ()


def primary_truth_matches(params: dict, jaspar_meme: str) -> tuple[str, pd.DataFrame]:
    """The primary factor's truth name and :func:`truth_tomtom` of its sites, from a dataset's simulation parameters.

    The name is the factor's own unless the grammar plants it from a matrix outside the
    database: then it is TomTom's name for the planted matrix
    (:func:`deepallele.simulate.planted_motifs.truth_names`), the name a model's motif or a
    database scan can be expected to carry. Seeded by the dataset's ``seed``, so the
    validation tables that use it agree.
    """
    from ..motifs.jaspar import read_meme
    from .planted_motifs import truth_names
    from .run import dataset_grammar

    grammar = dataset_grammar(params)
    primary = grammar.motifs[grammar.primary]
    targets = read_meme(jaspar_meme)
    matches = truth_tomtom(primary.motif, targets, primary.threshold, grammar.temperature,
                           np.random.default_rng(int(params["seed"])), float(params["site_sharpness"]),
                           float(params["site_min_margin"]))
    return truth_names(grammar, targets)[grammar.primary], matches
