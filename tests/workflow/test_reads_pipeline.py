"""Reads to allele-specific counts on the tiny simulated datasets, checked against the truth."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pysam
import pytest
import yaml



def metrics(path: Path) -> dict:
    return pd.read_csv(path, sep="\t").set_index("metric")["value"].to_dict()


@pytest.mark.parametrize("dataset", ["tiny_chip", "tiny_atac"])
def test_reads_validation_meets_acceptance(tiny_run, dataset):
    m = metrics(tiny_run / f"results/{dataset}/validation/reads.tsv")
    assert m["pseudogenome_matches_truth"] == 1
    assert m["assignment_accuracy_variant_reads"] >= 0.99
    assert m["lift_position_exact"] >= 0.999
    assert m["lift_position_exact_indel_spanning"] >= 0.999
    assert m["ref_position_exact"] >= 0.999
    assert m["peak_ratio_pearson_vs_truth"] >= 0.9
    assert m["tie_share_to_ref"] == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("dataset", ["tiny_chip", "tiny_atac"])
def test_counts_qc_and_benchmark_tables(tiny_run, dataset):
    counts = pd.read_csv(tiny_run / f"results/{dataset}/counts/allele_counts.tsv", sep="\t")
    assert list(counts.columns) == ["peak", "chrom", "start", "end", "ref_count", "alt_count", "ln_ratio"]
    assert len(counts) > 50
    qc = pd.read_csv(tiny_run / f"results/{dataset}/qc/reads_qc.tsv", sep="\t").set_index(["stage", "part"])
    seq = qc.loc[("sequenced", "both"), "pairs"]
    assert seq >= qc.loc[("trimmed", "both"), "pairs"] >= qc.loc[("aligned", "ref genome"), "pairs"]
    assigned = sum(qc.loc[("assigned", p), "pairs"] for p in ("ref", "alt", "tie", "unassigned"))
    assert assigned <= seq
    assert 0 < qc.loc[("FRiP", "ref"), "fraction"] <= 1
    assert (tiny_run / f"results/{dataset}/qc/reads_qc.png").stat().st_size > 1000
    bench = pd.read_csv(tiny_run / f"results/benchmarks/reads_{dataset}.tsv", sep="\t")
    assert {"split_pairs_per_s", "split_share_of_bowtie2"} <= set(bench.columns)
    with pysam.AlignmentFile(str(tiny_run / f"results/{dataset}/alleles/F1_1.alt.bam")) as bam:
        assert bam.header.to_dict()["HD"]["SO"] == "coordinate"
        assert all(r.has_tag("po") for r in bam.head(100))


def _bam_body(path: Path) -> str:
    return pysam.view(str(path))  # records only, no header (its @PG lines name the command)


def test_same_inputs_give_identical_outputs_regardless_of_threads(tiny_run, snakemake_run, tiny_config_path,
                                                                  tmp_path):
    ds = "tiny_chip"
    # rerun in a copy, so the shared run stays up to date for the other tests
    work = tmp_path / "copy"
    shutil.copytree(tiny_run, work, symlinks=True)
    counts = work / f"results/{ds}/counts/allele_counts.tsv"
    before = {"counts": counts.read_bytes(),
              **{a: _bam_body(work / f"results/{ds}/alleles/F1_1.{a}.bam") for a in ("ref", "alt")}}
    res = snakemake_run(f"results/{ds}/counts/allele_counts.tsv", "--directory", str(work),
                        "--configfile", str(tiny_config_path), "--cores", "1",
                        "--forcerun", "bowtie2", "split_alleles", "--set-threads", "bowtie2=1", "split_alleles=1",
                        "allele_counts=1")
    assert res.returncode == 0, res.stderr[-3000:]
    assert counts.read_bytes() == before["counts"]
    for a in ("ref", "alt"):
        assert _bam_body(work / f"results/{ds}/alleles/F1_1.{a}.bam") == before[a]


def _real_genome_config(tmp_path: Path, vcf_lines: list[str]) -> Path:
    fa = tmp_path / "ref.fa"
    fa.write_text(">chr1\n" + "ACGTTGCA" * 50 + "\n")
    pysam.faidx(str(fa))
    vcf = tmp_path / "strain.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=400>\n##contig=<ID=1,length=400>\n"
                   '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCAST\n" + "".join(vcf_lines))
    pysam.tabix_compress(str(vcf), str(vcf) + ".gz", force=True)
    pysam.tabix_index(str(vcf) + ".gz", preset="vcf", force=True)
    (tmp_path / "a_1.fq.gz").write_bytes(gzip.compress(b""))
    (tmp_path / "a_2.fq.gz").write_bytes(gzip.compress(b""))
    (tmp_path / "samples.tsv").write_text("sample\tunit\tfastq_1\tfastq_2\tsra\ns1\tL1\ta_1.fq.gz\ta_2.fq.gz\t\n")
    cfg = {"genomes": {"g": {"reference_fasta": str(fa), "strain_vcf": str(vcf) + ".gz"}},
           "datasets": {"d": {"genome": "g", "assay": "chip", "samples": str(tmp_path / "samples.tsv")}}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_vcf_named_without_chr_is_renamed_to_the_fasta(tmp_path, snakemake_run):
    """A strain VCF naming its contig '1' against a FASTA naming it 'chr1' (the Mouse Genomes
    Project against UCSC mm10) is renamed when the VCF is prepared, and the pseudogenome builds."""
    cfg = _real_genome_config(tmp_path, ["1\t10\t.\tC\tA\t.\tPASS\t.\tGT\t1/1\n"])  # base 10 is C
    vcf = tmp_path / "strain.vcf"
    vcf.write_text(vcf.read_text().replace("##contig=<ID=chr1,length=400>\n", ""))
    pysam.tabix_compress(str(vcf), str(vcf) + ".gz", force=True)
    pysam.tabix_index(str(vcf) + ".gz", preset="vcf", force=True)
    work = tmp_path / "work"
    work.mkdir()
    res = snakemake_run("--directory", str(work), "--configfile", str(cfg), "--cores", "1",
                        "resources/genomes/g/strain.fa")
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    with pysam.VariantFile(str(work / "resources/genomes/g/strain.vcf.gz")) as out:
        assert [(r.contig, r.pos, r.ref, r.alts) for r in out] == [("chr1", 10, "C", ("A",))]
    assert pysam.FastaFile(str(work / "resources/genomes/g/strain.fa")).fetch("chr1", 8, 11) == "AAG"


def test_ref_mismatch_stops_the_vcf_preparation_with_the_record_named(tmp_path, snakemake_run):
    cfg = _real_genome_config(tmp_path, ["chr1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t1/1\n"])  # the FASTA has C
    work = tmp_path / "work"
    work.mkdir()
    res = snakemake_run("--directory", str(work), "--configfile", str(cfg), "--cores", "1",
                        "resources/genomes/g/strain.fa")
    assert res.returncode != 0
    log = (work / "results/logs/prepare_strain_vcf/g.log").read_text()
    assert "strain.vcf.gz" in log and "chr1:10" in log, log[-2000:]
    assert not list((work / "resources/genomes/g").glob("strain.*"))
