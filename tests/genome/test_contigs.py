"""contigs: names from FASTA/VCF/BED/SAF, the naming map, the messages and their fix commands."""
from __future__ import annotations

import gzip
import subprocess

import pandas as pd
import pysam
import pytest

from deepallele.genome.contigs import (
    check_naming,
    fasta_contigs,
    naming_map,
    rename_contigs,
    table_contigs,
    vcf_contigs,
    write_rename_map,
)

FASTA = ">chr1 first chromosome\nACGTACGTAC\nACG\n>chr2\nAAAA\n>chrM\nGGGGGG\n"
MGP = ["1", "2", "X", "MT", "GL456210.1", "JH584304.1"]
MM10 = ["chr1", "chr2", "chrX", "chrM", "chr1_GL456210_random", "chrUn_JH584304"]


def test_fasta_contigs_plain_gzip_bgzip_and_fai(tmp_path):
    plain = tmp_path / "ref.fa"
    plain.write_text(FASTA)
    expected = {"chr1": 13, "chr2": 4, "chrM": 6}
    assert fasta_contigs(plain) == expected
    assert list(tmp_path.iterdir()) == [plain]  # no index written
    gz = tmp_path / "ref.fa.gz"
    gz.write_bytes(gzip.compress(FASTA.encode()))
    assert fasta_contigs(gz) == expected
    bgz = tmp_path / "bgz.fa.gz"
    pysam.tabix_compress(str(plain), str(bgz))
    assert fasta_contigs(bgz) == expected
    # with an index, the index is read (a deliberately different one proves it)
    (tmp_path / "ref.fa.fai").write_text("chrA\t5\t6\t5\t6\n")
    assert fasta_contigs(plain) == {"chrA": 5}


def test_fasta_contigs_errors(tmp_path):
    dup = tmp_path / "dup.fa"
    dup.write_text(">a\nAC\n>a\nGT\n")
    with pytest.raises(ValueError, match=r"dup\.fa: contig 'a' occurs more than once"):
        fasta_contigs(dup)
    bad = tmp_path / "bad.fa"
    bad.write_text("\n#CHROM\tPOS\n")
    with pytest.raises(ValueError, match=r"bad\.fa: not a FASTA file: the first non-empty line is '#CHROM\\tPOS'"):
        fasta_contigs(bad)
    with pytest.raises(FileNotFoundError, match="missing.fa"):
        fasta_contigs(tmp_path / "missing.fa")


VCF = """##fileformat=VCFv4.2
{contigs}##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCAST_EiJ
2\t5\t.\tA\tC\t.\tPASS\t.\tGT\t1/1
1\t3\t.\tA\tC\t.\tPASS\t.\tGT\t1/1
2\t7\t.\tA\tC\t.\tPASS\t.\tGT\t1/1
MT\t1\t.\tA\tC\t.\tPASS\t.\tGT\t1/1
"""


def test_vcf_contigs_header_records_and_bgzip(tmp_path):
    declared = tmp_path / "declared.vcf"
    declared.write_text(VCF.format(contigs="".join(f"##contig=<ID={c},length=100>\n" for c in MGP)))
    assert vcf_contigs(declared) == MGP
    undeclared = tmp_path / "undeclared.vcf"
    undeclared.write_text(VCF.format(contigs=""))
    assert vcf_contigs(undeclared) == ["2", "1", "MT"]  # first appearance
    bgz = tmp_path / "undeclared.vcf.gz"
    pysam.tabix_compress(str(undeclared), str(bgz))
    assert vcf_contigs(bgz) == ["2", "1", "MT"]
    # a contig line with the ID after other keys
    other = tmp_path / "other.vcf"
    other.write_text(VCF.format(contigs="##contig=<length=5,ID=chr9>\n"))
    assert vcf_contigs(other) == ["chr9"]


def test_table_contigs_bed_narrowpeak_saf(tmp_path):
    bed = tmp_path / "peaks.bed"
    bed.write_text("track name=x\nbrowser position chr1\n# comment\nchrom\tstart\tend\n"
                   "2\t10\t20\tp1\n1\t5\t9\tp2\n2\t30\t40\tp3\n\nMT\t1\t5\tp4\n")
    assert table_contigs(bed) == ["2", "1", "MT"]
    narrow = tmp_path / "x.narrowPeak.gz"
    narrow.write_bytes(gzip.compress(b"chrX\t1\t10\tp\t0\t.\t1\t1\t1\t4\nchr1\t1\t10\tq\t0\t.\t1\t1\t1\t4\n"))
    assert table_contigs(narrow) == ["chrX", "chr1"]
    saf = tmp_path / "peaks.txt"
    saf.write_text("GeneID\tChr\tStart\tEnd\tStrand\np1\tchr2\t1\t10\t+\np2\tchr1\t1\t10\t+\n")
    assert table_contigs(saf) == ["chr2", "chr1"]
    assert table_contigs(saf, column=0) == ["p1", "p2"]
    saf_named = tmp_path / "peaks.saf"
    saf_named.write_text("p1\t3\t1\t10\t+\n")
    assert table_contigs(saf_named) == ["3"]


def test_naming_map_rules():
    assert naming_map(MGP, MM10) == {"1": "chr1", "2": "chr2", "X": "chrX", "MT": "chrM",
                                     "GL456210.1": None, "JH584304.1": None}
    assert naming_map(["chr1", "chrM", "chrY", "chr1_GL456210_random"], ["1", "MT", "Y", "GL456210.1"]) == \
        {"chr1": "1", "chrM": "MT", "chrY": "Y", "chr1_GL456210_random": None}
    assert naming_map(["chr1", "2"], ["chr1", "2"]) == {"chr1": "chr1", "2": "2"}
    # M -> chrM by the chr rule; chrMT -> MT by stripping
    assert naming_map(["M", "chrMT"], ["chrM", "MT"]) == {"M": "chrM", "chrMT": "MT"}
    # a file naming both 1 and chr1: the identical one keeps chr1, 1 is not merged into it
    assert naming_map(["1", "chr1"], ["chr1"]) == {"1": None, "chr1": "chr1"}


def test_check_naming_identical_is_empty():
    assert check_naming(["chr2", "chr1"], MM10, "peak file p.bed", "the FASTA") == []


def test_check_naming_vcf_message():
    messages = check_naming(MGP, MM10, "strain VCF x.vcf.gz", "the reference FASTA mm10.fa")
    assert messages == [
        "strain VCF x.vcf.gz names contigs 1, 2, X, ... (6 in all) (no 'chr'), the reference FASTA "
        "mm10.fa names chr1, chr2, chrX, ... (6 in all) (with 'chr'): 4 contigs can be renamed "
        "(1->chr1, 2->chr2, X->chrX, ... (4 in all)); rename with: bcftools annotate --rename-chrs "
        "contig_map.tsv x.vcf.gz -Oz -o x.renamed.vcf.gz (map: one 'old<TAB>new' line per contig, "
        "e.g. printf '1\\tchr1\\n')",
        "strain VCF x.vcf.gz: 2 contigs with no counterpart in the reference FASTA mm10.fa: GL456210.1, "
        "JH584304.1 (unplaced scaffolds such as GL456210.1 vs chr1_GL456210_random are not matched; "
        "such records cannot be used)",
    ]


def test_check_naming_counts_for_missing():
    messages = check_naming({"chr1": 10, "GL456210.1": 3, "JH584304.1": 1}, ["chr1"], "strain VCF v.vcf",
                            "the FASTA")
    assert messages == [
        "strain VCF v.vcf: 2 contigs with no counterpart in the FASTA: GL456210.1 (3 records), "
        "JH584304.1 (1 records); 4 records in all (unplaced scaffolds such as GL456210.1 vs "
        "chr1_GL456210_random are not matched; such records cannot be used)"]


@pytest.mark.parametrize("name, column, text, expected", [
    ("peaks.bed", 0, "track name=p\n1\t10\t20\tp1\nMT\t1\t5\tp2\nGL456210.1\t1\t5\tp3\n",
     "track name=p\nchr1\t10\t20\tp1\nchrM\t1\t5\tp2\nGL456210.1\t1\t5\tp3\n"),
    ("peaks.saf", 1, "GeneID\tChr\tStart\tEnd\tStrand\np1\t1\t11\t20\t+\np2\tMT\t2\t5\t-\np3\tGL456210.1\t1\t5\t+\n",
     "GeneID\tChr\tStart\tEnd\tStrand\np1\tchr1\t11\t20\t+\np2\tchrM\t2\t5\t-\np3\tGL456210.1\t1\t5\t+\n"),
])
def test_check_naming_peak_fix_command_works(tmp_path, name, column, text, expected):
    peaks = tmp_path / name
    peaks.write_text(text)
    names = table_contigs(peaks)
    messages = check_naming(names, MM10, f"peak file {peaks}", "the reference FASTA mm10.fa", column=column)
    assert len(messages) == 2
    assert messages[0].startswith(f"peak file {peaks} names contigs ")
    assert "2 contigs can be renamed (1->chr1, MT->chrM); rename with: awk " in messages[0]
    command = messages[0].split("rename with: ", 1)[1]
    renamed = tmp_path / name.replace(".", ".renamed.")
    assert command.endswith(f"> {renamed}")
    subprocess.run(["bash", "-c", command], check=True)
    assert renamed.read_text() == expected
    assert messages[1].startswith(f"peak file {peaks}: 1 contig with no counterpart in the reference "
                                  "FASTA mm10.fa: GL456210.1 ")


def test_check_naming_fix_for_gzipped_bed(tmp_path):
    peaks = tmp_path / "p.bed.gz"
    peaks.write_bytes(gzip.compress(b"chr1\t1\t5\n"))
    messages = check_naming(table_contigs(peaks), ["1"], f"peak file {peaks}", "the FASTA")
    subprocess.run(["bash", "-c", messages[0].split("rename with: ", 1)[1]], check=True)
    assert (tmp_path / "p.renamed.bed").read_text() == "1\t1\t5\n"


def test_write_rename_map_and_rename_contigs(tmp_path):
    mapping = naming_map(MGP + ["chr2"], ["chr1", "2", "chrX", "chrM", "chr2"])
    path = write_rename_map(mapping, tmp_path / "map.tsv")
    assert path.read_text() == "1\tchr1\nX\tchrX\nMT\tchrM\n"
    df = pd.DataFrame({"chrom": ["1", "GL456210.1", "MT", "2"], "start": [1, 2, 3, 4]})
    out = rename_contigs(df, "chrom", mapping)
    assert out["chrom"].tolist() == ["chr1", "GL456210.1", "chrM", "2"]
    assert df["chrom"].tolist() == ["1", "GL456210.1", "MT", "2"]  # a copy
