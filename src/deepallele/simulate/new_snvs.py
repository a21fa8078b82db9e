"""New single-nucleotide variants inside planted motif sites, with their true effects.

A finished simulation's strain VCF holds the variants the models were trained on. To check that
``deepallele score-variants`` generalises to variants no model has seen, this module draws a
seeded random set of *new* SNVs from an existing simulation, without changing any of its files:

* positions: every base of a planted motif site (``truth/sites.tsv``) of the dataset's regions on
  the held-out chromosomes (the ``test`` chromosomes; ``val`` and ``test`` together under the
  paper's split scheme) that lies inside its region's activity window and that no strain variant
  covers (no REF base of a strain SNP or indel); ``n`` of them drawn without replacement,
  uniformly (all of them when there are fewer);
* ALT: one of the three other bases, uniformly;
* true effect: the simulator's own per-variant truth (:func:`~deepallele.simulate.regions.region_truth`)
  of the region with the SNV as its only variant, i.e. a hybrid whose two alleles are the
  reference window with and without the SNV. The truth's formula
  ``[f(ref) - f(ref + v) + f(alt - v) - f(alt)] / 2`` then reads ``f(ref) - f(ref + v)``: the
  change of the planted log-activity ``f`` of the reference activity window when that base
  alone changes, positive when the reference base gives the higher activity (the convention of
  ``truth/variants.tsv`` and of score-variants' ``effect_mean``, which scores a variant that the
  dataset does not hold on its reference window).

Outputs: a bgzipped, tabix-indexed VCF (REF from the reference FASTA, sorted in FASTA order) and a
truth TSV with the columns of ``truth/variants.tsv`` plus the site hit (``site_start``,
``site_end``, ``site_strand``, 0-based half-open reference coordinates).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..alphabet import BASES
from ..datasets.split import assign_split
from .regions import Grammar, Region, Site, region_truth
from .variants import Variant

log = logging.getLogger("deepallele.simulate.new_snvs")

TRUTH_EXTRA = ["site_start", "site_end", "site_strand"]


def read_regions(regions: pd.DataFrame, sites: pd.DataFrame, dataset: str | None = None) -> list[Region]:
    """The planted :class:`~deepallele.simulate.regions.Region` objects of a truth table pair.

    Parameters
    ----------
    regions, sites : pandas.DataFrame
        ``truth/regions.tsv`` and ``truth/sites.tsv`` (genome or dataset level).
    dataset : str, optional
        Keep the rows of this dataset (tables with a ``dataset`` column).
    """
    if dataset is not None and "dataset" in regions.columns:
        regions = regions[regions["dataset"] == dataset]
        sites = sites[sites["dataset"] == dataset]
    by_region: dict[str, list[Site]] = {}
    for s in sites.itertuples(index=False):
        by_region.setdefault(s.region_id, []).append(Site(s.motif, int(s.start), int(s.end), s.strand))
    return [Region(r.region_id, str(r.chrom), int(r.summit), int(r.start), int(r.end), float(r.baseline),
                   sorted(by_region.get(r.region_id, []), key=lambda s: s.start))
            for r in regions.itertuples(index=False)]


def held_out_chromosomes(chroms: Sequence[str], scheme: str = "heldout", val: Sequence[str] = ("chr16",),
                         test: Sequence[str] = ("chr17", "chr18")) -> list[str]:
    """Those of ``chroms`` whose peaks are the reported held-out set (``test``; ``val`` under ``paper``)."""
    chroms = list(dict.fromkeys(chroms))
    label = "val" if scheme == "paper" else "test"
    return [c for c, s in zip(chroms, assign_split(chroms, scheme, val, test)) if s == label]


def candidate_positions(regions: list[Region], chroms: Sequence[str],
                        strain: dict[str, list[Variant]]) -> list[tuple[Region, Site, int]]:
    """Every (region, site, 0-based position) a new SNV may take: site bases inside the region's
    activity window on ``chroms``, not covered by a strain variant; in region and position order."""
    keep = set(chroms)
    covered = {c: {p for v in vs for p in range(v.pos, v.end)} for c, vs in strain.items()}
    out, seen = [], set()
    for reg in regions:
        if reg.chrom not in keep:
            continue
        taken = covered.get(reg.chrom, set())
        for site in reg.sites:
            for p in range(max(site.start, reg.start), min(site.end, reg.end)):
                if p in taken or (reg.chrom, p) in seen:
                    continue
                seen.add((reg.chrom, p))
                out.append((reg, site, p))
    return out


def draw_new_snvs(ref: dict[str, np.ndarray], regions: list[Region], grammar: Grammar,
                  strain: dict[str, list[Variant]], chroms: Sequence[str], n: int, rng: np.random.Generator,
                  causal_min_effect: float = 0.2) -> tuple[list[Variant], pd.DataFrame]:
    """Draw new SNVs in planted sites and compute their true effects.

    Parameters
    ----------
    ref : dict of str to numpy.ndarray
        Reference base codes per chromosome (the simulation's ``reference.fa``).
    regions : list of Region
        The dataset's planted regions (:func:`read_regions`).
    grammar : Grammar
        The dataset's grammar (:func:`deepallele.simulate.run.dataset_grammar`).
    strain : dict of str to list of Variant
        The strain's variants per chromosome (positions they cover are never drawn).
    chroms : sequence of str
        Chromosomes to draw on (:func:`held_out_chromosomes`).
    n : int
        How many SNVs (all candidate positions when there are fewer).
    rng : numpy.random.Generator
        Source of randomness.
    causal_min_effect : float
        The dataset's ``causal_min_effect`` (the truth's ``causal`` column).

    Returns
    -------
    (list of Variant, pandas.DataFrame)
        The SNVs in candidate order (regions' order, then position) and one truth row each.
    """
    cands = candidate_positions(regions, chroms, strain)
    k = min(int(n), len(cands))
    if k < n:
        log.warning("only %d candidate site positions for %d new SNVs; taking them all", len(cands), n)
    pick = np.sort(rng.choice(len(cands), size=k, replace=False)) if k else np.zeros(0, dtype=np.int64)
    shift = rng.integers(1, 4, size=k)  # ALT = one of the three other bases
    variants, rows = [], []
    for i, d in zip(pick, shift):
        reg, site, p = cands[int(i)]
        b = int(ref[reg.chrom][p])
        v = Variant(reg.chrom, p, BASES[b], BASES[(b + int(d)) % 4])
        _, vrows = region_truth(reg, ref[reg.chrom], [v], grammar, causal_min_effect)
        rows.append({**vrows[0], "site_start": site.start, "site_end": site.end, "site_strand": site.strand})
        variants.append(v)
    columns = ["region_id", "variant_id", "chrom", "pos", "ref", "alt", "kind", "effect", "planted_site",
               "affected_motif", "causal"] + TRUTH_EXTRA
    return variants, pd.DataFrame(rows, columns=columns)


def simulate_new_snvs(dataset: str, params: dict, genome_dir: Path, out_vcf: Path, out_truth: Path,
                      n: int = 400, seed: int = 0, split: dict | None = None) -> pd.DataFrame:
    """Draw a dataset's new SNVs from a finished simulation and write the VCF and its truth.

    Parameters
    ----------
    dataset : str
        Dataset name (its rows of the genome's ``truth/regions.tsv`` and ``truth/sites.tsv``).
    params : dict
        The dataset's simulation parameters (:func:`deepallele.simulate.run.dataset_params`).
    genome_dir : pathlib.Path
        ``genomes/<genome>`` of the simulation (``reference.fa``, ``strain.vcf.gz``, ``truth/``).
    out_vcf, out_truth : pathlib.Path
        The bgzipped VCF (indexed next to it, ``.tbi``) and the truth TSV.
    n, seed : int
        Number of SNVs and the seed (with the dataset name) of their draw.
    split : dict, optional
        Config ``split`` (``scheme``, ``val``, ``test``); the default split when omitted.

    Returns
    -------
    pandas.DataFrame
        The truth table written.
    """
    from .run import _fai_sizes, _rng, _write_tsv, dataset_grammar, read_fasta_codes, read_vcf_variants, write_vcf

    genome_dir = Path(genome_dir)
    split = {"scheme": "heldout", "val": ["chr16"], "test": ["chr17", "chr18"], **(split or {})}
    regions = read_regions(pd.read_csv(genome_dir / "truth" / "regions.tsv", sep="\t", dtype={"chrom": str}),
                           pd.read_csv(genome_dir / "truth" / "sites.tsv", sep="\t", dtype={"chrom": str}),
                           dataset)
    if not regions:
        raise ValueError(f"{genome_dir}/truth/regions.tsv has no regions of dataset {dataset!r}")
    sizes = _fai_sizes(genome_dir / "reference.fa.fai")
    chroms = held_out_chromosomes(list(sizes), split["scheme"], split["val"], split["test"])
    ref = read_fasta_codes(genome_dir / "reference.fa")
    strain = read_vcf_variants(genome_dir / "strain.vcf.gz")
    variants, truth = draw_new_snvs(ref, regions, dataset_grammar(params), strain, chroms, n,
                                    _rng(int(seed), "new_snvs", dataset), float(params["causal_min_effect"]))
    order = {c: i for i, c in enumerate(sizes)}
    ranked = sorted(range(len(variants)), key=lambda i: (order[variants[i].chrom], variants[i].pos))
    variants = [variants[i] for i in ranked]
    truth = truth.iloc[ranked].reset_index(drop=True)
    Path(out_vcf).parent.mkdir(parents=True, exist_ok=True)
    Path(out_truth).parent.mkdir(parents=True, exist_ok=True)
    write_vcf(Path(out_vcf), variants, sizes, "new_snvs", "reference")
    _write_tsv(truth, Path(out_truth))
    big = (truth["effect"].abs() > float(params["causal_min_effect"])).sum() if len(truth) else 0
    log.info("dataset %s: %d new SNVs in planted sites on %s (%d with |true effect| > %s)", dataset, len(truth),
             ",".join(chroms), big, params["causal_min_effect"])
    return truth
