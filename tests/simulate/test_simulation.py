"""The tiny simulated F1 hybrid: determinism, valid files, and the biology of the truth."""
from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest
from scipy import stats

from deepallele.simulate.run import dataset_params
from deepallele.validation.simulation import read_truth_counts


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tiny_sim, tmp_path, repo):
    from deepallele.cli import main

    again = tmp_path / "again"
    assert main(["simulate", "--config", str(repo / "tests/data/tiny_config.yaml"), "--outdir", str(again)]) == 0
    first, second = _digest(tiny_sim), _digest(again)
    assert first.keys() == second.keys()
    assert first == second
    assert any(k.endswith("R1.fastq.gz") for k in first)


def test_vcf_ref_matches_fasta_and_is_normalised(tiny_sim):
    gdir = tiny_sim / "genomes" / "tiny_pwk"
    fasta, vcf = gdir / "reference.fa", gdir / "strain.vcf.gz"
    with pysam.FastaFile(str(fasta)) as fa, pysam.VariantFile(str(vcf)) as vf:
        n = 0
        for rec in vf:
            assert fa.fetch(rec.chrom, rec.pos - 1, rec.pos - 1 + len(rec.ref)) == rec.ref
            assert rec.samples[0]["GT"] == (1, 1)
            n += 1
    assert n > 1000
    if shutil.which("bcftools") is None:
        pytest.skip("bcftools not installed")
    res = subprocess.run(["bcftools", "norm", "--check-ref", "e", "-f", str(fasta), "-Ov", "-o", "/dev/null",
                          str(vcf)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    # nothing to split or realign: the VCF is already normalised
    assert "Lines   total/split/realigned/skipped:" in res.stderr
    counts = res.stderr.split("skipped:")[1].split()[0].split("/")
    assert counts[1:] == ["0", "0", "0"], res.stderr


def test_strain_genome_is_reference_plus_vcf(tiny_sim):
    gdir = tiny_sim / "genomes" / "tiny_cast"
    with pysam.FastaFile(str(gdir / "reference.fa")) as ref, pysam.FastaFile(str(gdir / "truth/strain.fa")) as st, \
            pysam.VariantFile(str(gdir / "strain.vcf.gz")) as vf:
        recs = [r for r in vf.fetch("chr5")]
        seq = ref.fetch("chr5")
        out, cur = [], 0
        for r in recs:
            out.append(seq[cur:r.pos - 1])
            out.append(r.alts[0])
            cur = r.pos - 1 + len(r.ref)
        out.append(seq[cur:])
        assert "".join(out) == st.fetch("chr5")
        assert set(ref.references) == {f"chr{i}" for i in range(1, 20)} | {"chrX", "chrM"}


def test_regions_cover_every_chromosome(tiny_sim):
    regions = pd.read_csv(tiny_sim / "datasets/tiny_chip/truth/regions.tsv", sep="\t")
    assert len(regions) == 240
    assert {"chr16", "chr17", "chr18"} <= set(regions["chrom"])
    assert set(regions["chrom"]) == {f"chr{i}" for i in range(1, 20)} | {"chrX"}


@pytest.mark.parametrize("dataset", ["tiny_chip", "tiny_atac"])
def test_motif_hitting_variants_drive_imbalance(tiny_sim, dataset):
    regions = pd.read_csv(tiny_sim / f"datasets/{dataset}/truth/regions.tsv", sep="\t")
    variants = pd.read_csv(tiny_sim / f"datasets/{dataset}/truth/variants.tsv", sep="\t")
    hit = variants[variants["planted_site"].fillna("") != ""].groupby("region_id").size()
    with_hit = regions["region_id"].isin(hit.index)
    with_causal = regions["main_causal_variant"].fillna("") != ""
    ratio = regions["true_ln_ratio"].abs()
    # regions whose causal variant sits in a motif vs regions without motif-hitting variants
    assert ratio[with_causal & with_hit].mean() > 5 * ratio[~with_hit].mean()
    # variants outside motifs have (almost) no effect, those inside do
    outside = variants[variants["planted_site"].fillna("") == ""]["effect"].abs()
    # (weak background matches can still be created or destroyed, as in real genomes)
    assert outside.quantile(0.9) < 0.05
    assert variants[variants["planted_site"].fillna("") != ""]["effect"].abs().mean() > 0.2
    # most balanced, a minority strongly imbalanced (the tiny config plants twice the demo's
    # causal SNPs; the demo's proportions are in its validation table)
    assert (ratio < 0.25).mean() > 0.5
    assert 0.02 < (ratio >= 1).mean() < 0.35


@pytest.mark.parametrize("dataset", ["tiny_chip", "tiny_atac"])
def test_read_truth_reproduces_planted_ratios(tiny_sim, dataset):
    regions = pd.read_csv(tiny_sim / f"datasets/{dataset}/truth/regions.tsv", sep="\t").set_index("region_id")
    reads = pd.read_csv(tiny_sim / f"datasets/{dataset}/truth/reads.tsv.gz", sep="\t")
    counts = read_truth_counts(reads).reindex(regions.index).fillna(0)
    depth = counts.sum(axis=1)
    deep = depth >= 100
    assert deep.sum() >= 30
    observed = np.log1p(counts["ref"]) - np.log1p(counts["alt"])
    r = stats.pearsonr(observed[deep], regions["true_ln_ratio"][deep])[0]
    assert r >= 0.9
    # and the scatter around the planted ratio is exactly counting noise (Poisson, delta method)
    z = (observed - regions["true_ln_ratio"]) / np.sqrt(1 / (counts["ref"] + 1) + 1 / (counts["alt"] + 1))
    assert z[depth >= 20].std() == pytest.approx(1.0, abs=0.2)
    assert abs(z[depth >= 20].mean()) < 0.15
    # counts follow activity too (shared by both alleles)
    r_total = stats.pearsonr(np.log1p(depth), (np.exp(regions["log_activity_ref"]) +
                                               np.exp(regions["log_activity_alt"])).pipe(np.log))[0]
    assert r_total > 0.8


@pytest.mark.parametrize("dataset,assay", [("tiny_chip", "chip"), ("tiny_atac", "atac")])
def test_fragment_lengths_and_duplicates_match_config(tiny_sim, tiny_config, dataset, assay):
    p = dataset_params(assay, tiny_config["datasets"][dataset]["simulate"])
    reads = pd.read_csv(tiny_sim / f"datasets/{dataset}/truth/reads.tsv.gz", sep="\t")
    assert (reads["duplicate_of"] >= 0).mean() == pytest.approx(p["duplicate_rate"], abs=0.005)
    uniq = reads[reads["duplicate_of"] < 0]
    bg = (uniq["source"] == "background").mean()
    assert bg == pytest.approx(p["background_fraction"] + p["chrM_fraction"], abs=0.02)
    lengths = uniq["fragment_length"]
    if assay == "chip":
        assert lengths.mean() == pytest.approx(p["fragment_mean"], rel=0.05)
        assert lengths.std() == pytest.approx(p["fragment_sd"], rel=0.15)
    else:
        w = np.array([c[0] for c in p["nucleosome_ladder"]])
        mu = np.array([c[1] for c in p["nucleosome_ladder"]])
        assert lengths.mean() == pytest.approx((w * mu).sum() / w.sum(), rel=0.05)
        assert (lengths < 150).mean() == pytest.approx(w[0] / w.sum(), abs=0.05)
        assert (reads["chrom"] == "chrM").mean() == pytest.approx(p["chrM_fraction"], abs=0.015)
    # duplicates repeat their original's coordinates exactly
    dups = reads[reads["duplicate_of"] >= 0].head(200)
    orig = reads.set_index(np.arange(len(reads))).loc[dups["duplicate_of"]]
    assert (orig[["chrom", "allele", "allele_start", "allele_end"]].to_numpy() ==
            dups[["chrom", "allele", "allele_start", "allele_end"]].to_numpy()).all()


def _fastq(path):
    with gzip.open(path, "rt") as fh:
        while True:
            head = fh.readline().strip()
            if not head:
                return
            seq = fh.readline().strip()
            fh.readline()
            qual = fh.readline().strip()
            yield head[1:].rsplit("/", 1)[0], seq, qual


def _revcomp(s):
    return s[::-1].translate(str.maketrans("ACGT", "TGCA"))


@pytest.mark.parametrize("dataset,genome,adapter", [("tiny_chip", "tiny_pwk", "AGATCGGAAGAGC"),
                                                    ("tiny_atac", "tiny_cast", "CTGTCTCTTATACACATCT")])
def test_reads_come_from_their_allele_with_quality_matched_errors(tiny_sim, dataset, genome, adapter):
    ddir = tiny_sim / "datasets" / dataset
    sheet = pd.read_csv(ddir / "samples.tsv", sep="\t")
    assert list(sheet.columns) == ["sample", "unit", "fastq_1", "fastq_2", "sra"]
    truth = pd.read_csv(ddir / "truth/reads.tsv.gz", sep="\t").set_index("read_name")
    gdir = tiny_sim / "genomes" / genome
    ref, strain = pysam.FastaFile(str(gdir / "reference.fa")), pysam.FastaFile(str(gdir / "truth/strain.fa"))
    mismatches = expected = bases = 0
    adapters_seen = short = 0
    for (name, s1, q1), (name2, s2, q2) in zip(_fastq(ddir / sheet.fastq_1[0]), _fastq(ddir / sheet.fastq_2[0])):
        assert name == name2 and len(s1) == len(q1) and len(s2) == len(q2)
        t = truth.loc[name]
        genome_fa = ref if t.allele == "ref" else strain
        frag = genome_fa.fetch(t.chrom, int(t.allele_start), int(t.allele_end))
        want1 = frag if t.r1_forward else _revcomp(frag)
        n = min(len(frag), len(s1))
        if len(frag) < len(s1):
            short += 1
            m = min(len(adapter), len(s1) - n)
            adapters_seen += sum(a == b for a, b in zip(s1[n:n + m], adapter)) >= m - 2
        mismatches += sum(a != b for a, b in zip(s1[:n], want1[:n]))
        expected += sum(10 ** (-(ord(c) - 33) / 10) for c in q1[:n])  # an error always changes the base
        bases += n
        if bases > 400_000:
            break
    rate = mismatches / bases
    assert 0.0005 < rate < 0.02
    assert rate == pytest.approx(expected / bases, rel=0.25)
    if short:
        assert adapters_seen / short > 0.8
