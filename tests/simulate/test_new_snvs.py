"""New SNVs in planted motif sites (deepallele.simulate.new_snvs): where they land, their true
effects (by hand from the activity model), the VCF against the FASTA, determinism."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pysam
import pytest

from deepallele.alphabet import decode, encode
from deepallele.simulate.motifs import Motif
from deepallele.simulate.new_snvs import (candidate_positions, draw_new_snvs, held_out_chromosomes,
                                          read_regions, simulate_new_snvs)
from deepallele.simulate.regions import Grammar, GrammarMotif, Region, Site, plant_region, region_truth
from deepallele.simulate.run import dataset_grammar, dataset_params, write_fasta, write_vcf
from deepallele.simulate.variants import Variant

HI, LO = 0.85, 0.05


def _grammar(weight=1.5, cap=5.0, temperature=1.0):
    pfm = np.full((4, 4), LO)
    pfm[["ACGT".index(c) for c in "GGAA"], np.arange(4)] = HI
    m = Motif(name="M", matrix_id="X", pfm=pfm)
    return Grammar(primary="M", motifs={"M": GrammarMotif(motif=m, prob=1.0, copies=(1, 1), weight=weight, cap=cap,
                                                          threshold=0.7 * m.max_score)},
                   cooperativity=[], temperature=temperature)


def _occ(score, threshold, temperature):
    return 1 / (1 + np.exp(-(score - threshold) / temperature))


def _toy():
    """chr1 and chr17, 'C' background; one GGAA site (10-14) in a region (0-30) on each."""
    ref = {c: encode("C" * 10 + "GGAA" + "C" * 26) for c in ("chr1", "chr17")}
    regions = [Region(f"r{c}", c, 15, 0, 30, 0.0, [Site("M", 10, 14, "+")]) for c in ref]
    return ref, regions


def test_true_effect_of_a_site_base_by_hand():
    grammar = _grammar(temperature=0.25)  # sharp: windows off the site add < 1e-9
    ref, regions = _toy()
    snvs, truth = draw_new_snvs(ref, regions, grammar, {}, ["chr17"], 100, np.random.default_rng(0))
    assert len(snvs) == 4 and {v.chrom for v in snvs} == {"chr17"}
    assert [v.id for v in snvs] == ["chr17:11:G:T", "chr17:12:G:T", "chr17:13:A:C", "chr17:14:A:T"]
    lo = np.log2(np.array([HI, LO]) / 0.25)  # log-odds of the consensus base and of any other
    theta = 0.7 * 4 * lo[0]
    for v, row in zip(snvs, truth.itertuples()):
        assert v.alt != v.ref and row.variant_id == v.id and row.pos == v.pos + 1
        # one consensus base lost: score 4 lo[0] -> 3 lo[0] + lo[1]; ...GGATCCC... also makes two
        # reverse-strand windows 3-of-4 matches: ATCC and TCCC (GGAT and GGGA on the other strand)
        partial = 3 if v.id == "chr17:14:A:T" else 1
        hand = 1.5 * (_occ(4 * lo[0], theta, 0.25) - partial * _occ(3 * lo[0] + lo[1], theta, 0.25))
        assert row.effect == pytest.approx(hand, abs=2e-6)
        assert row.effect > 0.2 and row.planted_site == "M" and row.causal
        assert (row.site_start, row.site_end, row.site_strand) == (10, 14, "+")


def test_truth_is_the_simulators_truth_of_the_snv_alone():
    grammar = _grammar(weight=0.9, cap=1.0)
    rng = np.random.default_rng(3)
    ref = {"chr17": rng.integers(0, 4, 300).astype(np.uint8)}
    reg = Region("r", "chr17", 150, 50, 250, 0.0)
    plant_region(ref["chr17"], reg, grammar, rng, 120)
    snvs, truth = draw_new_snvs(ref, [reg], grammar, {}, ["chr17"], 3, np.random.default_rng(1))
    seg = ref["chr17"][reg.start:reg.end]
    for v, eff in zip(snvs, truth["effect"]):
        mut = seg.copy()
        mut[v.pos - reg.start] = encode(v.alt)[0]
        assert eff == pytest.approx(grammar.log_activity(seg)[0] - grammar.log_activity(mut)[0], abs=1e-6)
        assert eff == region_truth(reg, ref["chr17"], [v], grammar, 0.2)[1][0]["effect"]


def test_no_snv_on_a_strain_variant_outside_sites_or_windows():
    ref, regions = _toy()
    regions[1].sites.append(Site("M", 28, 32, "+"))  # half outside the activity window (0-30)
    strain = {"chr17": [Variant("chr17", 11, "G", "T"), Variant("chr17", 12, "AA", "A")]}  # covers 11, 12, 13
    cands = candidate_positions(regions, ["chr17"], strain)
    assert [p for _, _, p in cands] == [10, 28, 29]
    snvs, _ = draw_new_snvs(ref, regions, _grammar(), strain, ["chr17"], 2, np.random.default_rng(5))
    assert len(snvs) == 2 and {v.pos for v in snvs} <= {10, 28, 29}


def test_held_out_chromosomes_follow_the_split():
    chroms = ["chr1", "chr16", "chr17", "chr18", "chrM"]
    assert held_out_chromosomes(chroms) == ["chr17", "chr18"]
    assert held_out_chromosomes(chroms, "paper", ["chr16"], ["chr17", "chr18"]) == ["chr16", "chr17", "chr18"]
    assert held_out_chromosomes(["1", "17"]) == ["17"]


@pytest.fixture(scope="module")
def sim_genome(tmp_path_factory):
    """A small finished 'simulation': reference, strain VCF and planted truth of dataset d (chip grammar)."""
    gdir = tmp_path_factory.mktemp("genome")
    (gdir / "truth").mkdir()
    params = dataset_params("chip", {})
    grammar = dataset_grammar(params)
    rng = np.random.default_rng(7)
    ref = {c: rng.integers(0, 4, 3000).astype(np.uint8) for c in ("chr1", "chr17", "chr18")}
    regions = []
    for c in ref:
        for i, summit in enumerate((600, 1800)):
            reg = Region(f"d_{c}_{i}", c, summit, summit - 100, summit + 100, 0.0)
            plant_region(ref[c], reg, grammar, rng, 120)
            regions.append(reg)
    site0 = next(r for r in regions if r.chrom == "chr17").sites[0]
    strain = [Variant("chr17", site0.start + 1, decode(ref["chr17"][site0.start + 1:site0.start + 2]),
                      "ACGT"[(ref["chr17"][site0.start + 1] + 1) % 4])]
    write_fasta(gdir / "reference.fa", {c: decode(s) for c, s in ref.items()})
    write_vcf(gdir / "strain.vcf.gz", strain, {c: s.size for c, s in ref.items()}, "S", "R")
    pd.DataFrame([{"dataset": "d", "region_id": r.region_id, "chrom": r.chrom, "start": r.start, "end": r.end,
                   "summit": r.summit, "baseline": 0.0} for r in regions]).to_csv(gdir / "truth/regions.tsv",
                                                                                   sep="\t", index=False)
    pd.DataFrame([{"dataset": "d", "region_id": r.region_id, "motif": s.motif, "chrom": r.chrom, "start": s.start,
                   "end": s.end, "strand": s.strand} for r in regions for s in r.sites]).to_csv(
        gdir / "truth/sites.tsv", sep="\t", index=False)
    return gdir, params, regions, strain


def _digest(*paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_simulate_new_snvs_files(sim_genome, tmp_path):
    gdir, params, regions, strain = sim_genome
    outs = []
    for run, seed in (("a", 0), ("b", 0), ("c", 1)):
        vcf, truth = tmp_path / run / "new.vcf.gz", tmp_path / run / "truth" / "new.tsv"
        simulate_new_snvs("d", params, gdir, vcf, truth, n=25, seed=seed)
        outs.append((vcf, truth))
    assert _digest(*outs[0]) == _digest(*outs[1])  # same seed, identical files
    assert _digest(*outs[0]) != _digest(*outs[2])
    vcf, truth_path = outs[0]
    assert (tmp_path / "a" / "new.vcf.gz.tbi").exists()
    truth = pd.read_csv(truth_path, sep="\t")
    assert len(truth) == 25 and set(truth["chrom"]) <= {"chr17", "chr18"}
    sites = {(r.chrom, p) for r in regions if r.chrom != "chr1" for s in r.sites for p in range(s.start, s.end)}
    taken = {(v.chrom, v.pos) for v in strain}
    with pysam.VariantFile(str(vcf)) as vf, pysam.FastaFile(str(gdir / "reference.fa")) as fa:
        recs = list(vf)
        assert [r.pos for r in recs] == sorted(r.pos for r in recs) or len({r.chrom for r in recs}) > 1
        for rec, row in zip(recs, truth.itertuples()):
            assert rec.ref == fa.fetch(rec.chrom, rec.pos - 1, rec.pos) and rec.alts[0] != rec.ref
            assert (rec.chrom, rec.pos - 1) in sites and (rec.chrom, rec.pos - 1) not in taken
            assert row.variant_id == f"{rec.chrom}:{rec.pos}:{rec.ref}:{rec.alts[0]}"
    # score-variants reads it against the FASTA: every allele a scorable SNV
    from deepallele.interpret.score_variants import read_variants

    table = read_variants(vcf, gdir / "reference.fa")
    assert (table["status"] == "scored").all() and (table["kind"] == "snp").all()
    assert list(table["id"]) == list(truth["variant_id"])


def test_read_regions_keeps_the_dataset(sim_genome):
    gdir, _, regions, _ = sim_genome
    got = read_regions(pd.read_csv(gdir / "truth/regions.tsv", sep="\t"), pd.read_csv(gdir / "truth/sites.tsv", sep="\t"),
                       "d")
    assert [(r.region_id, r.start, r.end, len(r.sites)) for r in got] == \
        [(r.region_id, r.start, r.end, len(r.sites)) for r in regions]
    assert read_regions(pd.read_csv(gdir / "truth/regions.tsv", sep="\t"),
                        pd.read_csv(gdir / "truth/sites.tsv", sep="\t"), "other") == []
