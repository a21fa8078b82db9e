"""Inputs as users have them, by config alone: a bgzipped FASTA without an index in a read-only
folder, a strain VCF named ``1...`` against a FASTA named ``chr1...``, and a peak file with the
other naming (stopped before any job, with the command that fixes it)."""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pysam
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def snakemake(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture()
def user_files(tmp_path):
    """chr1 + chrM as a bgzipped FASTA (no .fai) in a read-only folder; an MGP-like VCF named 1/MT."""
    data = tmp_path / "data"
    data.mkdir()
    chr1 = ("ACGTTGCA" * 125)  # 1000 bp
    chrm = "GATTACA" * 20  # 140 bp
    plain = tmp_path / "genome.fa"
    plain.write_text(f">chr1\n{chr1}\n>chrM\n{chrm}\n")
    pysam.tabix_compress(str(plain), str(data / "genome.fa.gz"))
    plain.unlink()
    header = ("##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n##contig=<ID=MT,length=140>\n"
              '##FILTER=<ID=MinDP,Description="low depth">\n'
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCAST_EiJ\n")
    # position 5 of chr1 is T (ACGT T...), 9 is A; 12 is T (non-PASS, dropped); 20 het (dropped)
    records = ["1\t5\t.\tT\tC\t50\tPASS\t.\tGT\t1/1", "1\t9\t.\tA\tG\t50\tPASS\t.\tGT\t1/1",
               "1\t12\t.\tT\tA\t50\tMinDP\t.\tGT\t1/1", "1\t20\t.\tT\tG\t50\tPASS\t.\tGT\t0/1",
               "MT\t3\t.\tT\tC\t50\tPASS\t.\tGT\t1/1"]
    with gzip.open(data / "CAST.vcf.gz", "wt") as fh:  # plain gzip, no index
        fh.write(header + "\n".join(records) + "\n")
    data.chmod(0o555)
    yield data
    data.chmod(0o755)


def config_for(tmp_path: Path, data: Path, **dataset) -> Path:
    cfg = {
        "target_datasets": ["mine"],
        "genomes": {"g": {"reference_name": "B6", "strain_name": "CAST",
                          "reference_fasta": str(data / "genome.fa.gz"), "strain_vcf": str(data / "CAST.vcf.gz"),
                          "vcf_sample": "CAST_EiJ"}},
        "datasets": {"mine": {"genome": "g", "assay": "atac", **dataset}},
    }
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_unindexed_fasta_and_vcf_named_without_chr_run_by_config_alone(tmp_path, user_files):
    sheet = tmp_path / "samples.tsv"
    (tmp_path / "r1.fq.gz").write_bytes(b"")
    (tmp_path / "r2.fq.gz").write_bytes(b"")
    sheet.write_text("sample\tunit\tfastq_1\tfastq_2\ns1\tL1\tr1.fq.gz\tr2.fq.gz\n")
    cfg = config_for(tmp_path, user_files, samples=str(sheet))
    work = tmp_path / "work"
    work.mkdir()
    res = snakemake("--configfile", str(cfg), "--cores", "1", "resources/genomes/g/strain.fa",
                    "resources/genomes/g/strain.vcf.gz", cwd=work)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    ref = pysam.FastaFile(str(work / "resources/genomes/g/reference.fa"))
    assert list(ref.references) == ["chr1", "chrM"]
    with pysam.VariantFile(str(work / "resources/genomes/g/strain.vcf.gz")) as vcf:
        kept = [(r.contig, r.pos, r.ref, r.alts[0]) for r in vcf]
    assert kept == [("chr1", 5, "T", "C"), ("chr1", 9, "A", "G"), ("chrM", 3, "T", "C")]
    strain = pysam.FastaFile(str(work / "resources/genomes/g/strain.fa"))
    assert strain.fetch("chr1", 0, 10) == "ACGTCGCAGC"  # ACGTTGCAAC with T5C, A9G
    # nothing was written beside the user's read-only files
    assert sorted(p.name for p in user_files.iterdir()) == ["CAST.vcf.gz", "genome.fa.gz"]


def test_peak_file_with_other_naming_stops_with_the_fix(tmp_path, user_files):
    sheet = tmp_path / "samples.tsv"
    (tmp_path / "r1.fq.gz").write_bytes(b"")
    (tmp_path / "r2.fq.gz").write_bytes(b"")
    sheet.write_text("sample\tunit\tfastq_1\tfastq_2\ns1\tL1\tr1.fq.gz\tr2.fq.gz\n")
    peaks = tmp_path / "peaks.bed"
    peaks.write_text("1\t100\t350\tp1\nMT\t10\t60\tp2\n")
    cfg = config_for(tmp_path, user_files, samples=str(sheet), peaks=str(peaks))
    res = snakemake("--configfile", str(cfg), "-n", cwd=tmp_path)
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert f"datasets.mine.peaks: {peaks}" in out, out[-3000:]
    assert "1->chr1" in out.replace(" ", "") or "1=chr1" in out, out[-3000:]
    assert "awk" in out, out[-3000:]
    # renamed as the message says, it runs
    peaks.write_text("chr1\t100\t350\tp1\nchrM\t10\t60\tp2\n")
    res = snakemake("--configfile", str(cfg), "-n", "--quiet", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
