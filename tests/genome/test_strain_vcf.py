"""prepare_strain_vcf: sample, FILTER and genotype selection, contig renaming, norm, merge, summary."""
from __future__ import annotations

import gzip
import json
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pysam
import pytest

from deepallele.genome.pseudogenome import ReferenceMismatchError, build_pseudogenome
from deepallele.genome.strain_vcf import StrainVcfError, prepare_strain_vcf

# FASTA order chr1, chrM, chr2 differs from the VCFs' 1, 2, MT: the output follows the FASTA
CHR1 = "ACGTACGTACCAAAAGTACGTACGTACGTACGTACG"  # 36 bp; A-run at 12..15
CHRM = "GGGGCCCCAAAATTTT"
CHR2 = "TTTTGGGGCCCCAAAA"
FASTA = {"chr1": CHR1, "chrM": CHRM, "chr2": CHR2}

MGP_HEADER = """##fileformat=VCFv4.2
##source=mgp.v5
##contig=<ID=1,length=36>
##contig=<ID=2,length=16>
##contig=<ID=MT,length=16>
{extra}##FILTER=<ID=MinDP,Description="Minimum read depth">
##FILTER=<ID=Het,Description="Heterozygous, low quality">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{samples}
"""
SNPS = [
    "1\t2\trs1\tC\tT\t50\tPASS\tDP=3\tGT\t1/1",        # kept
    "1\t4\t.\tT\tA\t50\tMinDP\tDP=1\tGT\t1/1",         # FILTER
    "1\t5\t.\tA\tG\t50\tHet\t.\tGT\t0/1",              # FILTER (and het)
    "1\t6\t.\tC\tG\t50\tPASS\t.\tGT\t0/1",             # het
    "1\t9\t.\tA\tC,T\t50\tPASS\t.\tGT\t2/2",           # kept, ALT trimmed to T
    "1\t20\t.\tG\tC\t50\tPASS\t.\tGT\t./.",            # missing
    "2\t3\t.\tT\tC\t50\tPASS\t.\tGT\t1|1",             # kept
    "MT\t3\t.\tG\tA\t50\tPASS\t.\tGT\t1/1",            # kept
    "GL456210.1\t10\t.\tA\tC\t50\tPASS\t.\tGT\t1/1",   # contig not in the FASTA
]
INDELS = [
    "1\t15\t.\tAG\tG\t50\tPASS\t.\tGT\t1/1",           # right-shifted in AAAA: left-aligned to 11 CA>C
    "1\t30\t.\tA\tAT\t50\tPASS\t.\tGT\t0/1",           # het
    "2\t10\t.\tC\tCA\t50\tMinDP\t.\tGT\t1/1",          # FILTER
    "MT\t1\t.\tG\tGT\t50\t.\t.\tGT\t1|1",              # FILTER '.' kept
]
EXPECTED_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##source=mgp.v5
##FILTER=<ID=MinDP,Description="Minimum read depth">
##FILTER=<ID=Het,Description="Heterozygous, low quality">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##INFO=<ID=INDEL,Number=0,Type=Flag,Description="Indel">
##contig=<ID=chr1,length=36>
##contig=<ID=chrM,length=16>
##contig=<ID=chr2,length=16>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCAST_EiJ
"""
EXPECTED_RECORDS = [
    "chr1\t2\trs1\tC\tT\t50\tPASS\tDP=3\tGT\t1/1",
    "chr1\t9\t.\tA\tT\t50\tPASS\t.\tGT\t1/1",
    "chr1\t11\t.\tCA\tC\t50\tPASS\t.\tGT\t1/1",
    "chrM\t1\t.\tG\tGT\t50\t.\t.\tGT\t1|1",
    "chrM\t3\t.\tG\tA\t50\tPASS\t.\tGT\t1/1",
    "chr2\t3\t.\tT\tC\t50\tPASS\t.\tGT\t1|1",
]


def write_fasta(path, sequences=FASTA, index=True):
    path.write_text("".join(f">{name}\n{seq}\n" for name, seq in sequences.items()))
    if index:
        pysam.faidx(str(path))
    return path


def write_vcf(path, rows, samples="CAST_EiJ", extra="", bgzip=False):
    text = MGP_HEADER.format(extra=extra, samples=samples) + "".join(r + "\n" for r in rows)
    if bgzip:
        plain = path.with_suffix("")
        plain.write_text(text)
        pysam.tabix_index(str(plain), preset="vcf", force=True)  # writes path (.gz) and .tbi
        return path
    path.write_text(text)
    return path


def inputs(tmp_path, bgzip=False, snps=SNPS, indels=INDELS):
    suffix = ".vcf.gz" if bgzip else ".vcf"
    return [write_vcf(tmp_path / f"CAST_EiJ.mgp.v5.snps.dbSNP142{suffix}", snps, bgzip=bgzip),
            write_vcf(tmp_path / f"CAST_EiJ.mgp.v5.indels.dbSNP142.normed{suffix}", indels, bgzip=bgzip,
                      extra='##INFO=<ID=INDEL,Number=0,Type=Flag,Description="Indel">\n')]


def read_vcf(path):
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    header = [line for line in lines if line.startswith("#")]
    return "\n".join(header) + "\n", [line for line in lines if not line.startswith("#")]


def test_mgp_pair_exact_output_and_summary(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    out = tmp_path / "out" / "CAST_EiJ.vcf.gz"
    result = prepare_strain_vcf(inputs(tmp_path), out, fasta, summary=tmp_path / "out" / "summary.json")
    header, records = read_vcf(out)
    assert records == EXPECTED_RECORDS
    assert header == EXPECTED_HEADER
    assert Path(f"{out}.contig_map.tsv").read_text() == "1\tchr1\n2\tchr2\nMT\tchrM\n"
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "CAST_EiJ.vcf.gz", "CAST_EiJ.vcf.gz.contig_map.tsv", "CAST_EiJ.vcf.gz.tbi", "summary.json"]
    with pysam.VariantFile(str(out)) as vcf:  # the .tbi works
        assert [r.pos for r in vcf.fetch("chrM")] == [1, 3]
    snps, indels = inputs(tmp_path)
    expected = {
        "sample": "CAST_EiJ", "fasta": str(fasta), "output": str(out), "pass_only": True, "hom_alt_only": True,
        "inputs": [
            {"vcf": str(snps), "records": 9, "pass": 7, "hom_alt": 5,
             "filters": {"Het": 1, "MinDP": 1, "PASS": 7},
             "genotypes": {"./.": 1, "0/1": 2, "1/1": 4, "1|1": 1, "2/2": 1}},
            {"vcf": str(indels), "records": 4, "pass": 3, "hom_alt": 2,
             "filters": {".": 1, "MinDP": 1, "PASS": 2}, "genotypes": {"0/1": 1, "1/1": 2, "1|1": 1}},
        ],
        "records_read": 13, "records_pass": 10, "records_kept": 7,
        "renamed_contigs": {"1": "chr1", "2": "chr2", "MT": "chrM"},
        "dropped_contigs": {"GL456210.1": 1}, "records_dropped": 1,
        "records_out": 6, "records_out_by_type": {"snp": 4, "indel": 2, "mnp": 0, "other": 0, "ref": 0},
    }
    assert result == expected
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == expected


def test_deterministic_and_same_for_bgzipped_indexed_inputs(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    plain.mkdir()
    packed.mkdir()
    first = prepare_strain_vcf(inputs(plain), tmp_path / "a" / "s.vcf.gz", fasta)
    prepare_strain_vcf(inputs(plain), tmp_path / "b" / "s.vcf.gz", fasta, threads=2)
    prepare_strain_vcf(inputs(packed, bgzip=True), tmp_path / "c" / "s.vcf.gz", fasta)
    data = [(tmp_path / d / "s.vcf.gz").read_bytes() for d in "abc"]
    assert data[0] == data[1] == data[2]
    assert first["records_out"] == 6
    assert b"bcftools" not in gzip.decompress(data[0])
    assert (tmp_path / "a" / "s.vcf.gz.tbi").read_bytes() == (tmp_path / "b" / "s.vcf.gz.tbi").read_bytes()


def test_single_input_order_independent(tmp_path):
    """One user VCF holding SNPs and indels, records unsorted: same records as the pair."""
    fasta = write_fasta(tmp_path / "ref.fa")
    vcf = write_vcf(tmp_path / "user.vcf", list(reversed(INDELS + SNPS)),
                    extra='##INFO=<ID=INDEL,Number=0,Type=Flag,Description="Indel">\n')
    result = prepare_strain_vcf(vcf, tmp_path / "o.vcf.gz", fasta)
    assert read_vcf(tmp_path / "o.vcf.gz")[1] == EXPECTED_RECORDS
    assert (result["records_read"], result["records_kept"], result["records_out"]) == (13, 7, 6)


def test_filters_off(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    snps = write_vcf(tmp_path / "s.vcf", SNPS)
    result = prepare_strain_vcf([snps], tmp_path / "o.vcf.gz", fasta, pass_only=False, hom_alt_only=False)
    assert read_vcf(tmp_path / "o.vcf.gz")[1] == [
        "chr1\t2\trs1\tC\tT\t50\tPASS\tDP=3\tGT\t1/1",
        "chr1\t4\t.\tT\tA\t50\tMinDP\tDP=1\tGT\t1/1",
        "chr1\t5\t.\tA\tG\t50\tHet\t.\tGT\t0/1",
        "chr1\t6\t.\tC\tG\t50\tPASS\t.\tGT\t0/1",
        "chr1\t9\t.\tA\tC\t50\tPASS\t.\tGT\t0/0",   # 2/2 of C,T split by norm -m -any
        "chr1\t9\t.\tA\tT\t50\tPASS\t.\tGT\t1/1",
        "chr1\t20\t.\tG\tC\t50\tPASS\t.\tGT\t./.",
        "chrM\t3\t.\tG\tA\t50\tPASS\t.\tGT\t1/1",
        "chr2\t3\t.\tT\tC\t50\tPASS\t.\tGT\t1|1",
    ]
    assert (result["records_pass"], result["records_kept"], result["records_dropped"]) == (9, 9, 1)
    assert (result["records_out"], result["records_out_by_type"]["snp"]) == (9, 9)


def test_pass_only_without_genotype_filter(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    result = prepare_strain_vcf([write_vcf(tmp_path / "s.vcf", SNPS)], tmp_path / "o.vcf.gz", fasta,
                                hom_alt_only=False)
    assert [r.split("\t")[1] for r in read_vcf(tmp_path / "o.vcf.gz")[1]] == ["2", "6", "9", "9", "20", "3", "3"]
    assert (result["records_pass"], result["records_kept"], result["records_out"]) == (7, 7, 7)


def test_ref_mismatch_is_an_error_and_leaves_nothing(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    bad = [row.replace("1\t9\t.\tA\t", "1\t9\t.\tG\t") for row in SNPS]
    vcfs = inputs(tmp_path, snps=bad)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    message = (r"CAST_EiJ\.mgp\.v5\.snps\.dbSNP142\.vcf: record chr1:9 \(contig 1 in the VCF\) has REF 'G' but "
               r".*ref\.fa has 'A' there; the VCF and the FASTA are most likely different assemblies")
    with pytest.raises(ReferenceMismatchError, match=message):
        prepare_strain_vcf(vcfs, out_dir / "s.vcf.gz", fasta, summary=out_dir / "summary.json")
    assert list(out_dir.iterdir()) == []


def test_sample_selection(tmp_path, caplog):
    fasta = write_fasta(tmp_path / "ref.fa")
    rows = ["1\t2\t.\tC\tT\t50\tPASS\t.\tGT\t1/1\t0/0",
            "1\t9\t.\tA\tG\t50\tPASS\t.\tGT\t0/0\t1/1"]
    vcf = write_vcf(tmp_path / "merged.vcf", rows, samples="CAST_EiJ\tPWK_PhJ")
    with caplog.at_level(logging.WARNING, logger="deepallele"):
        first = prepare_strain_vcf([vcf], tmp_path / "a.vcf.gz", fasta)
    assert "has 2 samples (CAST_EiJ, PWK_PhJ); using the first, CAST_EiJ" in caplog.text
    assert first["sample"] == "CAST_EiJ"
    assert read_vcf(tmp_path / "a.vcf.gz")[1] == ["chr1\t2\t.\tC\tT\t50\tPASS\t.\tGT\t1/1"]
    second = prepare_strain_vcf([vcf], tmp_path / "b.vcf.gz", fasta, sample="PWK_PhJ")
    header, records = read_vcf(tmp_path / "b.vcf.gz")
    assert records == ["chr1\t9\t.\tA\tG\t50\tPASS\t.\tGT\t1/1"]
    assert header.splitlines()[-1].endswith("FORMAT\tPWK_PhJ")
    assert second["records_kept"] == 1
    with pytest.raises(StrainVcfError, match=r"merged\.vcf: sample 'SPRET_EiJ' not found; the VCF has "
                                             r"CAST_EiJ, PWK_PhJ$"):
        prepare_strain_vcf([vcf], tmp_path / "c.vcf.gz", fasta, sample="SPRET_EiJ")
    assert not (tmp_path / "c.vcf.gz").exists()


def test_sample_missing_from_second_input(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    snps = write_vcf(tmp_path / "s.vcf", SNPS)
    other = write_vcf(tmp_path / "pwk.vcf", INDELS, samples="PWK_PhJ")
    with pytest.raises(StrainVcfError, match=r"pwk\.vcf: sample 'CAST_EiJ' not found; the VCF has PWK_PhJ"):
        prepare_strain_vcf([snps, other], tmp_path / "o.vcf.gz", fasta)


def test_same_naming_needs_no_map_and_unrelated_naming_fails(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"1": CHR1, "MT": CHRM})
    result = prepare_strain_vcf([write_vcf(tmp_path / "s.vcf", SNPS)], tmp_path / "o.vcf.gz", fasta)
    assert result["renamed_contigs"] == {}
    assert result["dropped_contigs"] == {"2": 1, "GL456210.1": 1}
    assert Path(f"{tmp_path / 'o.vcf.gz'}.contig_map.tsv").read_text() == ""
    assert read_vcf(tmp_path / "o.vcf.gz")[1] == ["1\t2\trs1\tC\tT\t50\tPASS\tDP=3\tGT\t1/1",
                                                  "1\t9\t.\tA\tT\t50\tPASS\t.\tGT\t1/1",
                                                  "MT\t3\t.\tG\tA\t50\tPASS\t.\tGT\t1/1"]
    other = write_fasta(tmp_path / "other.fa", {"NC_000067.6": CHR1})
    with pytest.raises(StrainVcfError, match=r"no contig of .*s\.vcf \(1, 2, MT, GL456210\.1\) is in .*other\.fa"):
        prepare_strain_vcf([tmp_path / "s.vcf"], tmp_path / "x.vcf.gz", other)


def test_sites_only_vcf(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    vcf = tmp_path / "sites.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "1\t15\t.\tAG\tG\t.\tPASS\t.\n1\t2\t.\tC\tT\t.\tLowQual\t.\n1\t4\t.\tT\tA\t.\t.\t.\n")
    result = prepare_strain_vcf([vcf], tmp_path / "o.vcf.gz", fasta)
    assert result["sample"] is None
    assert read_vcf(tmp_path / "o.vcf.gz")[1] == ["chr1\t4\t.\tT\tA\t.\t.\t.", "chr1\t11\t.\tCA\tC\t.\tPASS\t."]
    assert (result["records_read"], result["records_pass"], result["records_kept"]) == (3, 2, 2)


def test_missing_fai(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", index=False)
    with pytest.raises(FileNotFoundError, match=r"ref\.fa\.fai: the reference FASTA has no index"):
        prepare_strain_vcf([write_vcf(tmp_path / "s.vcf", SNPS)], tmp_path / "o.vcf.gz", fasta)


def test_output_feeds_the_pseudogenome(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa")
    out = tmp_path / "s.vcf.gz"
    prepare_strain_vcf(inputs(tmp_path), out, fasta)
    result = build_pseudogenome(fasta, out, tmp_path / "strain.fa", tmp_path / "strain.chain")
    assert (result["applied"], result["skipped"]) == (6, 0)
    with pysam.FastaFile(str(tmp_path / "strain.fa")) as strain:
        assert strain.fetch("chr1") == "ATGTACGTTCCAAAGTACGTACGTACGTACGTACG"
        assert strain.fetch("chrM") == "GTGAGCCCCAAAATTTT"
        assert strain.fetch("chr2") == "TTCTGGGGCCCCAAAA"


def test_snakemake_script(tmp_path, repo):
    fasta = write_fasta(tmp_path / "ref.fa")
    out = tmp_path / "res" / "CAST_EiJ.vcf.gz"
    sm = SimpleNamespace(
        input=SimpleNamespace(vcfs=[str(p) for p in inputs(tmp_path)], fasta=str(fasta), fai=f"{fasta}.fai"),
        output=SimpleNamespace(vcf=str(out), tbi=f"{out}.tbi", summary=str(tmp_path / "res" / "summary.json")),
        params=SimpleNamespace(sample="CAST_EiJ", pass_only=True, hom_alt_only=True),
        threads=1, log=[str(tmp_path / "job.log")])
    runpy.run_path(str(repo / "scripts" / "prepare_strain_vcf.py"), init_globals={"snakemake": sm})
    assert read_vcf(out)[1] == EXPECTED_RECORDS
    assert json.loads((tmp_path / "res" / "summary.json").read_text())["records_out"] == 6
    assert "dropped 1 records on 1 contigs" in (tmp_path / "job.log").read_text()
