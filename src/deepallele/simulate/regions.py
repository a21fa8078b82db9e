"""Regulatory regions, their motif grammar and the per-allele activity model.

Activity model (what the truth tables record)
---------------------------------------------
For one allele's sequence ``s`` of a region's activity window (``activity_width`` bp centred
on the summit, taken from the allele's own sequence, indels included):

* every motif ``m`` of the grammar is scored on both strands at every position with its
  JASPAR log-odds matrix (bits against a uniform background), or with the perturbed or de-novo
  matrix an opted-in grammar plants instead (:mod:`.planted_motifs`, docs/simulator-motifs.md);
* a site's occupancy is logistic in its score,
  ``occ = 1 / (1 + exp(-(score - theta_m) / tau))`` with ``theta_m = threshold_fraction *
  max_score_m``, and the factor's occupancy ``O_m(s)`` is the sum over all sites;
* ``f(s) = sum_m w_m * min(O_m(s), cap_m) + sum_(a,b) w_ab * min(O_a(s), 1) * min(O_b(s), 1)``
  (the second sum is the cooperativity between co-bound factors);
* ``ln A(s) = b + f(s)``, where ``b ~ Normal(0, baseline_sd)`` is the region's chromatin
  context, shared by both alleles (so it moves counts, never ratios).

The true allelic log ratio is therefore ``ln(A_ref / A_alt) = f(s_ref) - f(s_alt)``: variants
that change motif scores change it, all other variants (and indels that only shift motifs)
do not. A variant's true effect uses the DeepAllele convention (reference-spec §3.2):
``effect = [f(ref) - f(ref + v) + f(alt - v) - f(alt)] / 2``; positive when the reference
base of the variant raises reference-allele activity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..alphabet import BASES
from .motifs import Motif, load_motif, occupancy, reverse_complement, sample_instance, site_scores
from .variants import Variant, apply_variants


@dataclass
class GrammarMotif:
    """One factor of a grammar: its motif and how it contributes to activity."""

    motif: Motif
    prob: float
    copies: tuple[int, int]
    weight: float
    cap: float
    threshold: float
    source: str = "jaspar"  # where the matrix comes from (deepallele.simulate.planted_motifs)
    source_matrix_id: str = ""  # the JASPAR matrix it derives from ('' for a de-novo motif)
    flank: tuple[int, int] = (0, 0)  # flank columns added to the source matrix (left, right)


@dataclass
class Grammar:
    """The motif grammar of a dataset flavour (see ``deepallele/data/grammars.yaml``)."""

    primary: str
    motifs: dict[str, GrammarMotif]
    cooperativity: list[tuple[str, str, float]]
    temperature: float = 1.0

    @classmethod
    def from_config(cls, spec: dict, threshold_fraction: float = 0.7, temperature: float = 1.0) -> "Grammar":
        from .planted_motifs import planted_motif

        motifs = {}
        for name, m in spec["motifs"].items():
            if any(k in spec or k in m for k in ("motif_source", "perturb", "denovo")):
                # opt-in matrices outside the scanning database (docs/simulator-motifs.md)
                motif, source, source_id, flank = planted_motif(name, m, spec)
            else:
                motif = load_motif(name)
                source, source_id, flank = "jaspar", motif.matrix_id, (0, 0)
            motifs[name] = GrammarMotif(motif=motif, prob=float(m["prob"]), copies=tuple(m["copies"]),
                                        weight=float(m["weight"]), cap=float(m["cap"]),
                                        threshold=threshold_fraction * motif.max_score,
                                        source=source, source_matrix_id=source_id, flank=flank)
        coop = [(c["motifs"][0], c["motifs"][1], float(c["weight"])) for c in spec.get("cooperativity", [])]
        for a, b, _ in coop:
            if a not in motifs or b not in motifs:
                raise ValueError(f"cooperativity names a motif outside the grammar: {a}, {b}")
        if spec["primary"] not in motifs:
            raise ValueError(f"primary motif {spec['primary']} is not in the grammar")
        return cls(primary=spec["primary"], motifs=motifs, cooperativity=coop, temperature=temperature)

    @property
    def off_database(self) -> bool:
        """Whether any factor is planted from a matrix outside JASPAR (perturbed or de novo)."""
        return any(gm.source != "jaspar" for gm in self.motifs.values())

    def occupancies(self, codes: np.ndarray) -> dict[str, float]:
        """Total occupancy ``O_m`` of every factor over a sequence (both strands)."""
        return {name: float(occupancy(site_scores(codes, gm.motif), gm.threshold, self.temperature).sum())
                for name, gm in self.motifs.items()}

    def activity(self, occ: dict):
        """``f`` of the module docstring from per-factor occupancies (floats or arrays of them)."""
        f = sum(gm.weight * np.minimum(occ[n], gm.cap) for n, gm in self.motifs.items())
        return f + sum(w * np.minimum(occ[a], 1.0) * np.minimum(occ[b], 1.0) for a, b, w in self.cooperativity)

    def log_activity(self, codes: np.ndarray) -> tuple[float, dict[str, float]]:
        """``f(s)`` of the module docstring, and the per-factor occupancies behind it."""
        occ = self.occupancies(codes)
        return float(self.activity(occ)), occ


@dataclass
class Site:
    """A planted motif instance, in reference coordinates."""

    motif: str
    start: int
    end: int
    strand: str


@dataclass
class Region:
    """A simulated regulatory region (before variants are known)."""

    region_id: str
    chrom: str
    summit: int
    start: int  # activity window, reference coordinates
    end: int
    baseline: float
    sites: list[Site] = field(default_factory=list)


def check_regions_fit(chrom_sizes: dict[str, int], n: int, min_spacing: int, flank: int) -> None:
    """Raise ``ValueError`` when ``n`` regions cannot be placed ``min_spacing`` apart.

    Random sequential placement jams at ~75 % of the tight packing, so ask for at most 70 %.
    """
    usable = sum(max(size - 2 * flank, 0) for c, size in chrom_sizes.items() if c != "chrM")
    capacity = int(usable // min_spacing)
    if usable <= 0 or n > 0.7 * capacity:
        raise ValueError(f"{n} regions do not fit {usable} bp of usable sequence at {min_spacing} bp "
                         f"spacing (at most {int(0.7 * capacity)}); raise genome_size or lower "
                         "n_regions / min_spacing")


def choose_centres(chrom_sizes: dict[str, int], n: int, rng: np.random.Generator, min_spacing: int,
                   flank: int, taken: dict[str, list[int]] | None = None) -> list[tuple[str, int]]:
    """Place ``n`` region centres over the nuclear chromosomes, at least ``min_spacing`` apart.

    Chromosomes are chosen in proportion to their usable length, so every chromosome,
    including the validation and test ones (chr16–chr18), gets regions.
    """
    chroms = [c for c in chrom_sizes if c != "chrM"]
    usable = np.array([max(chrom_sizes[c] - 2 * flank, 0) for c in chroms], dtype=float)
    check_regions_fit(chrom_sizes, n + sum(len(v) for v in (taken or {}).values()), min_spacing, flank)
    taken = {c: sorted(v) for c, v in (taken or {}).items()}
    placed: dict[str, list[int]] = {c: list(taken.get(c, [])) for c in chroms}
    out: list[tuple[str, int]] = []
    while len(out) < n:
        batch = max(2 * (n - len(out)), 64)
        which = rng.choice(len(chroms), size=batch, p=usable / usable.sum())
        for ci in which:
            c = chroms[ci]
            pos = int(rng.integers(flank, chrom_sizes[c] - flank))
            lst = placed[c]
            i = np.searchsorted(lst, pos)
            if (i > 0 and pos - lst[i - 1] < min_spacing) or (i < len(lst) and lst[i] - pos < min_spacing):
                continue
            lst.insert(int(i), pos)
            out.append((c, pos))
            if len(out) == n:
                break
    return sorted(out, key=lambda t: (chroms.index(t[0]), t[1]))


def plant_region(ref: np.ndarray, region: Region, grammar: Grammar, rng: np.random.Generator,
                 plant_width: int, sharpness: float = 1.0, min_margin: float = 0.0) -> None:
    """Draw the region's motif content and write the instances into the reference in place.

    Instances are drawn from the motif's PFM raised to ``sharpness`` and kept when they score at
    least ``threshold + min_margin * temperature``. The defaults (the PFM itself, sites from the
    occupancy midpoint up) put sites on the graded part of the occupancy curve, where every motif
    position moves activity in proportion to its log-odds, so the truth's contributions have the
    motif's own shape. Near-consensus, saturated sites (sharpness 3, margin 3) hide all but the
    core: their true contributions read GGAA and TomTom ranks SPI1 16th behind other ETS factors.
    """
    lo = region.summit - plant_width // 2
    hi = region.summit + plant_width // 2
    occupied = np.zeros(hi - lo, dtype=bool)
    for name, gm in grammar.motifs.items():
        if rng.random() >= gm.prob:
            continue
        copies = int(rng.integers(gm.copies[0], gm.copies[1] + 1))
        w = gm.motif.width
        for _ in range(copies):
            for _attempt in range(30):
                start = int(rng.integers(0, hi - lo - w))
                if not occupied[max(start - 2, 0):start + w + 2].any():
                    break
            else:
                continue  # no room left for another site
            occupied[start:start + w] = True
            codes = sample_instance(gm.motif, rng, sharpness=sharpness,
                                    min_score=gm.threshold + min_margin * grammar.temperature)
            strand = "+" if rng.random() < 0.5 else "-"
            ref[lo + start:lo + start + w] = codes if strand == "+" else reverse_complement(codes)
            region.sites.append(Site(name, lo + start, lo + start + w, strand))


def causal_snp(chrom: str, ref: np.ndarray, site: Site, grammar: Grammar, rng: np.random.Generator) -> Variant:
    """A SNP that breaks a planted site at one of its most informative positions.

    Half of the time the reference gets the broken base (``ref`` is modified in place) and the
    strain keeps the intact one, so that either allele can be the stronger.
    """
    motif = grammar.motifs[site.motif].motif
    info = motif.information
    p = info ** 2 / (info ** 2).sum()
    k = int(rng.choice(motif.width, p=p))
    pos = site.start + k if site.strand == "+" else site.end - 1 - k
    col = motif.pfm[:, k]
    # the two least likely bases at that motif position, in forward-strand terms
    worst = np.argsort(col)[:2]
    base = int(rng.choice(worst))
    if site.strand == "-":
        base = 3 - base
    if base == ref[pos]:
        base = int(rng.choice([b for b in range(4) if b != ref[pos]]))
    if rng.random() < 0.5:
        # the strain carries the intact site: weaken the reference instead, so imbalances
        # go both ways (the reference is not always the stronger allele)
        intact = int(ref[pos])
        ref[pos] = base
        return Variant(chrom, pos, BASES[base], BASES[intact])
    return Variant(chrom, pos, BASES[ref[pos]], BASES[base])


def variant_in_site(v: Variant, sites: list[Site]) -> str:
    """Name of the planted site a variant touches ('' if none); insertions count inside sites."""
    for s in sites:
        if len(v.alt) > len(v.ref):  # insertion between v.pos and v.pos + 1
            if s.start <= v.pos < s.end - 1:
                return s.motif
        elif v.pos < s.end and v.end > s.start and not (len(v.ref) > 1 and v.pos + 1 >= s.end):
            return s.motif
    return ""


def region_truth(region: Region, ref: np.ndarray, variants: list[Variant], grammar: Grammar,
                 causal_min_effect: float) -> tuple[dict, list[dict]]:
    """Per-allele activity, true ratio and per-variant effects of one region.

    Parameters
    ----------
    region : Region
        The region, with its planted sites.
    ref : numpy.ndarray
        Reference base codes of the chromosome.
    variants : list of Variant
        Sorted variants whose REF span lies inside the activity window.
    grammar : Grammar
        The dataset's grammar.
    causal_min_effect : float
        Smallest |effect| for a variant to count as causal.

    Returns
    -------
    (dict, list of dict)
        One row for the region table and one row per variant for the variant table.
    """
    seg = ref[region.start:region.end]
    off = region.start
    f_ref, occ_ref = grammar.log_activity(seg)
    alt_seq = apply_variants(seg, variants, off)
    f_alt, occ_alt = grammar.log_activity(alt_seq)
    var_rows = []
    for i, v in enumerate(variants):
        f_ref_plus, occ_rp = grammar.log_activity(apply_variants(seg, [v], off))
        f_alt_minus, occ_am = grammar.log_activity(apply_variants(seg, variants[:i] + variants[i + 1:], off))
        effect = ((f_ref - f_ref_plus) + (f_alt_minus - f_alt)) / 2
        # the factor whose (weighted) occupancy this variant moves most
        moved = {n: grammar.motifs[n].weight * abs((occ_ref[n] - occ_rp[n]) + (occ_am[n] - occ_alt[n])) / 2
                 for n in grammar.motifs}
        top = max(moved, key=moved.get) if moved else ""
        var_rows.append({
            "region_id": region.region_id, "variant_id": v.id, "chrom": v.chrom, "pos": v.pos + 1,
            "ref": v.ref, "alt": v.alt, "kind": v.kind, "effect": round(effect, 6),
            "planted_site": variant_in_site(v, region.sites),
            "affected_motif": top if abs(effect) >= causal_min_effect else "",
            "causal": abs(effect) >= causal_min_effect,
        })
    causal = [r for r in var_rows if r["causal"]]
    main = max(causal, key=lambda r: abs(r["effect"])) if causal else None
    row = {
        "region_id": region.region_id, "chrom": region.chrom, "start": region.start, "end": region.end,
        "summit": region.summit, "baseline": round(region.baseline, 6),
        "log_activity_ref": round(region.baseline + f_ref, 6), "log_activity_alt": round(region.baseline + f_alt, 6),
        "true_ln_ratio": round(f_ref - f_alt, 6), "n_variants": len(variants),
        "n_causal": len(causal), "main_causal_variant": main["variant_id"] if main else "",
        "main_causal_effect": main["effect"] if main else 0.0,
        "main_causal_motif": (main["planted_site"] or main["affected_motif"]) if main else "",
        "motifs": ",".join(sorted({s.motif for s in region.sites})),
        "sites": ";".join(f"{s.motif}:{s.start}-{s.end}:{s.strand}" for s in region.sites),
        **{f"occ_ref_{n}": round(occ_ref[n], 4) for n in grammar.motifs},
        **{f"occ_alt_{n}": round(occ_alt[n], 4) for n in grammar.motifs},
    }
    return row, var_rows
