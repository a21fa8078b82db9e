"""build_pseudogenome: strain FASTA + chain from a VCF, checks, skips and the report."""
from __future__ import annotations

import json

import numpy as np
import pysam
import pytest

from deepallele.genome.coordmap import CoordinateMap
from deepallele.genome.pseudogenome import ReferenceMismatchError, build_pseudogenome

VCF_HEADER = """##fileformat=VCFv4.2
{contigs}##FILTER=<ID=LowQual,Description="low quality">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO{samples}
"""


def write_fasta(path, sequences, width=60):
    with open(path, "w") as handle:
        for name, seq in sequences.items():
            handle.write(f">{name}\n")
            for i in range(0, len(seq), width):
                handle.write(seq[i:i + width] + "\n")
    return path


def write_vcf(path, sequences, rows, samples=()):
    """Plain-text VCF. ``rows`` are (chrom, pos, ref, alt[, filter][, genotypes...])."""
    contigs = "".join(f"##contig=<ID={name},length={len(seq)}>\n" for name, seq in sequences.items())
    sample_header = "\tFORMAT\t" + "\t".join(samples) if samples else ""
    lines = [VCF_HEADER.format(contigs=contigs, samples=sample_header)]
    for row in rows:
        chrom, pos, ref, alt, *rest = row
        filt = rest.pop(0) if rest and not rest[0][0].isdigit() and rest[0][0] != "." else "PASS"
        line = f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\t{filt}\t."
        if samples:
            line += "\tGT\t" + "\t".join(rest)
        lines.append(line + "\n")
    path.write_text("".join(lines))
    return path


def naive_splice(sequence, variants):
    """Apply (pos1, ref, alt) right to left with plain string slicing: the test's oracle."""
    for pos, ref, alt in sorted(variants, reverse=True):
        assert sequence[pos - 1:pos - 1 + len(ref)] == ref
        sequence = sequence[:pos - 1] + alt + sequence[pos - 1 + len(ref):]
    return sequence


def read_fasta(path):
    with pysam.FastaFile(str(path)) as fasta:
        return {name: fasta.fetch(name) for name in fasta.references}


def build(tmp_path, sequences, rows, samples=(), **kwargs):
    ref = write_fasta(tmp_path / "ref.fa", sequences)
    vcf = write_vcf(tmp_path / "strain.vcf", sequences, rows, samples)
    out = {"out_fasta": tmp_path / "strain.fa", "out_chain": tmp_path / "strain.chain",
           "report": tmp_path / "report.tsv"}
    summary = build_pseudogenome(ref, vcf, **out, **kwargs)
    return summary, read_fasta(out["out_fasta"]), CoordinateMap.load(out["out_chain"]), out


REF1 = "ACGTACGTAC" "GATTACAGAT" "TACAGGCCTA" "AGCTTGCAAT" "CCGGTTAACC"  # 50 bp


def test_snp_mnp_insertion_deletion(tmp_path):
    rows = [("c1", 3, "G", "T"), ("c1", 12, "ATT", "CGG"), ("c1", 20, "T", "TAAA"),
            ("c1", 30, "AAGC", "A")]
    summary, strain, cmap, out = build(tmp_path, {"c1": REF1}, rows)
    expected = naive_splice(REF1, [(p, r, a) for _, p, r, a in rows])
    assert strain["c1"] == expected
    assert summary["applied"] == 4
    assert (summary["snp"], summary["mnp"], summary["insertion"], summary["deletion"]) == (1, 1, 1, 1)
    assert summary["inserted_bases"] == 3 and summary["deleted_bases"] == 3
    assert summary["skipped"] == 0 and summary["strain_length"] == len(expected)
    assert (tmp_path / "strain.fa.fai").exists()
    assert cmap.strain_sizes == {"c1": len(expected)}
    # every aligned position outside variants carries the reference base
    for p in range(len(REF1)):
        s = cmap.ref_to_strain("c1", p)
        if s >= 0 and p not in (2, 11, 12, 13):
            assert strain["c1"][s] == REF1[p]
    assert out["report"].read_text() == "chrom\tpos\tref\talt\treason\n"


def test_indels_at_contig_start_and_end(tmp_path):
    seqs = {"a": REF1, "b": REF1[::-1]}
    rows = [("a", 1, "AC", "C"),               # delete the first base (anchor after it)
            ("a", 50, "C", "CTTT"),            # insert after the last base
            ("b", 1, "C", "GGC"),              # insert before the first base
            ("b", 49, "CA", "C")]              # delete the last base
    summary, strain, cmap, _ = build(tmp_path, seqs, rows)
    assert strain["a"] == REF1[1:] + "TTT"
    assert strain["b"] == "GG" + REF1[::-1][:-1]
    assert cmap.segments("a").tolist() == [[1, 0, 49]]
    assert cmap.segments("b").tolist() == [[0, 2, 49]]
    assert summary["insertion"] == 2 and summary["deletion"] == 2


def test_snp_adjacent_to_deletion(tmp_path):
    # SNP at 9 right before the deletion's anchor at 10, and SNP right after the deleted bases
    rows = [("c1", 9, "A", "T"), ("c1", 10, "CGA", "C"), ("c1", 13, "T", "G")]
    summary, strain, cmap, _ = build(tmp_path, {"c1": REF1}, rows)
    assert strain["c1"] == naive_splice(REF1, [(p, r, a) for _, p, r, a in rows])
    assert summary["applied"] == 3 and summary["skipped"] == 0
    assert cmap.ref_to_strain("c1", 10) == -1 and cmap.ref_to_strain("c1", 12) == 10
    assert strain["c1"][cmap.ref_to_strain("c1", 12)] == "G"


def test_insertion_next_to_snp_and_multibase_substitution(tmp_path):
    rows = [("c1", 5, "A", "AGG"), ("c1", 6, "C", "T"), ("c1", 22, "ACAG", "TTTT"),
            ("c1", 31, "AG", "CT")]
    summary, strain, _, _ = build(tmp_path, {"c1": REF1}, rows)
    assert strain["c1"] == naive_splice(REF1, [(p, r, a) for _, p, r, a in rows])
    assert summary["mnp"] == 2 and summary["snp"] == 1 and summary["insertion"] == 1


def test_soft_masked_case_is_kept_outside_edits(tmp_path):
    seq = REF1[:20] + REF1[20:40].lower() + REF1[40:]
    rows = [("c1", 27, "c", "T"), ("c1", 30, "aagc", "a")]
    _, strain, _, _ = build(tmp_path, {"c1": seq}, rows)
    assert strain["c1"] == seq[:26] + "T" + seq[27:30] + seq[33:]


def test_lines_are_60_columns(tmp_path):
    seq = (REF1 * 5)[:237]
    _, _, _, out = build(tmp_path, {"c1": seq}, [("c1", 100, seq[99], seq[99] + "A")])
    lines = out["out_fasta"].read_text().splitlines()
    assert lines[0] == ">c1" and [len(line) for line in lines[1:]] == [60, 60, 60, 58]


def test_ref_mismatch_is_an_error_naming_file_and_record(tmp_path):
    rows = [("c1", 3, "G", "T"), ("c1", 7, "A", "C")]  # REF1[6] is G
    with pytest.raises(ReferenceMismatchError) as error:
        build(tmp_path, {"c1": REF1}, rows)
    message = str(error.value)
    assert "strain.vcf" in message and "c1:7" in message and "'A'" in message and "'G'" in message
    assert not (tmp_path / "strain.fa").exists() and not (tmp_path / "strain.chain").exists()
    assert not list(tmp_path.glob("strain*.tmp*"))  # no temporary files left either


def test_ref_past_contig_end_is_an_error(tmp_path):
    with pytest.raises(ReferenceMismatchError, match="past the end"):
        build(tmp_path, {"c1": REF1}, [("c1", 50, "CA", "C")])


def test_overlapping_and_invalid_records_are_skipped_and_reported(tmp_path):
    rows = [
        ("c1", 2, "C", "T"),                # fine
        ("c1", 10, "CGAT", "C"),            # deletion 10..13 overlaps the SNP at 12
        ("c1", 12, "A", "G"),
        ("c1", 20, "T", "A"),               # same site, different ALTs
        ("c1", 20, "T", "G"),
        ("c1", 27, "C", "G"),               # exact duplicate: one copy applied
        ("c1", 27, "C", "G"),
        ("c1", 30, "A", "<DEL>"),
        ("c1", 32, "G", "*"),
        ("c1", 34, "T", "."),
        ("c1", 36, "G", "R"),
        ("c1", 38, "A", "A"),
        ("c1", 40, "T", "C,G"),             # sites-only VCF: which ALT?
        ("c1", 42, "C", "A", "LowQual"),    # applied: FILTER ignored by default
        ("chrUn", 5, "A", "G"),             # contig not in the reference
    ]
    seqs = {"c1": REF1}
    ref = write_fasta(tmp_path / "ref.fa", seqs)
    vcf = write_vcf(tmp_path / "strain.vcf", {"c1": REF1, "chrUn": "A" * 10}, rows)
    summary = build_pseudogenome(ref, vcf, tmp_path / "s.fa", tmp_path / "s.chain",
                                 report=tmp_path / "report.tsv", summary=tmp_path / "summary.json")
    strain = read_fasta(tmp_path / "s.fa")["c1"]
    assert strain == naive_splice(REF1, [(2, "C", "T"), (27, "C", "G"), (42, "C", "A")])
    report = [line.split("\t") for line in (tmp_path / "report.tsv").read_text().splitlines()]
    assert report[0] == ["chrom", "pos", "ref", "alt", "reason"]
    assert report[1:] == [
        ["c1", "10", "CGAT", "C", "overlap"], ["c1", "12", "A", "G", "overlap"],
        ["c1", "20", "T", "A", "conflicting_alleles"], ["c1", "20", "T", "G", "conflicting_alleles"],
        ["c1", "27", "C", "G", "duplicate"], ["c1", "30", "A", "<DEL>", "symbolic_allele"],
        ["c1", "32", "G", "*", "symbolic_allele"], ["c1", "34", "T", ".", "missing_alt"],
        ["c1", "36", "G", "R", "invalid_alt_allele"], ["c1", "38", "A", "A", "ref_equals_alt"],
        ["c1", "40", "T", "C,G", "multiallelic_without_genotype"],
        ["chrUn", "5", "A", "G", "contig_not_in_reference"],
    ]
    assert summary["records"] == len(rows) and summary["applied"] == 3
    assert summary["skipped"] == 12
    assert summary["skipped_by_reason"] == {
        "conflicting_alleles": 2, "contig_not_in_reference": 1, "duplicate": 1,
        "invalid_alt_allele": 1, "missing_alt": 1, "multiallelic_without_genotype": 1, "overlap": 2,
        "ref_equals_alt": 1, "symbolic_allele": 2}
    assert json.loads((tmp_path / "summary.json").read_text()) == summary


def test_pass_only_skips_filtered_records(tmp_path):
    rows = [("c1", 2, "C", "T"), ("c1", 42, "C", "A", "LowQual")]
    summary, strain, _, _ = build(tmp_path, {"c1": REF1}, rows, pass_only=True)
    assert strain["c1"] == naive_splice(REF1, [(2, "C", "T")])
    assert summary["skipped_by_reason"] == {"filtered": 1}


def test_genotypes_of_the_chosen_sample(tmp_path):
    rows = [("c1", 2, "C", "T", "1/1", "0/0"),
            ("c1", 5, "A", "G,T", "2|2", "1/1"),
            ("c1", 8, "T", "A", "0/1", "1/1"),
            ("c1", 11, "G", "C", "./.", "1/1"),
            ("c1", 14, "T", "G", "0/0", "1/1"),
            ("c1", 16, "C", "A", "1", "0")]
    samples = ("CAST", "PWK")
    summary, strain, _, _ = build(tmp_path, {"c1": REF1}, rows, samples=samples, sample="CAST")
    assert strain["c1"] == naive_splice(REF1, [(2, "C", "T"), (5, "A", "T"), (16, "C", "A")])
    assert summary["sample"] == "CAST" and summary["hom_ref"] == 1
    assert summary["skipped_by_reason"] == {"heterozygous": 1, "missing_genotype": 1}
    report = (tmp_path / "report.tsv").read_text()
    assert "c1\t8\tT\tA\theterozygous" in report and "c1\t11\tG\tC\tmissing_genotype" in report


def test_sample_must_be_chosen_and_exist(tmp_path):
    rows = [("c1", 2, "C", "T", "1/1", "1/1")]
    with pytest.raises(ValueError, match="2 samples.*sample="):
        build(tmp_path, {"c1": REF1}, rows, samples=("CAST", "PWK"))
    with pytest.raises(ValueError, match="'SPRET' not found"):
        build(tmp_path, {"c1": REF1}, rows, samples=("CAST", "PWK"), sample="SPRET")


def test_single_sample_is_used_without_naming_it(tmp_path):
    summary, strain, _, _ = build(tmp_path, {"c1": REF1}, [("c1", 2, "C", "T", "1/1")], samples=("CAST",))
    assert summary["sample"] == "CAST" and strain["c1"][1] == "T"


def random_genome_and_variants(rng, length=6000):
    seq = "".join(rng.choice(list("ACGT"), size=length))
    variants, pos = [], 1
    while True:
        pos += int(rng.integers(1, 25))
        if pos + 25 >= length:
            break
        kind = int(rng.integers(5))
        if kind == 0:      # SNP
            ref = seq[pos - 1]
            alt = str(rng.choice([b for b in "ACGT" if b != ref]))
        elif kind == 1:    # MNP
            n = int(rng.integers(2, 5))
            ref = seq[pos - 1:pos - 1 + n]
            alt = "".join(str(rng.choice([b for b in "ACGT" if b != r])) for r in ref)
        elif kind == 2:    # insertion, anchored
            ref = seq[pos - 1]
            alt = ref + "".join(rng.choice(list("ACGT"), size=int(rng.integers(1, 20))))
        else:              # deletion, anchored
            n = int(rng.integers(1, 20))
            ref, alt = seq[pos - 1:pos + n], seq[pos - 1]
        variants.append((pos, ref, alt))
        pos += len(ref)    # next variant starts after this REF span (may touch it)
    return seq, variants


def write_random_vcf_bgzipped(path, chrom, seq, variants, sample="STRAIN"):
    header = pysam.VariantHeader()
    header.contigs.add(chrom, length=len(seq))
    header.add_meta("FORMAT", items=[("ID", "GT"), ("Number", 1), ("Type", "String"),
                                     ("Description", "Genotype")])
    header.add_sample(sample)
    plain = path.with_suffix("")  # strain.vcf
    with pysam.VariantFile(str(plain), "w", header=header) as out:
        for pos, ref, alt in variants:
            record = out.new_record(contig=chrom, start=pos - 1, alleles=(ref, alt))
            record.samples[sample]["GT"] = (1, 1)
            out.write(record)
    pysam.tabix_index(str(plain), preset="vcf", force=True, keep_original=True)
    return plain, path


def test_random_contig_round_trip_every_position(tmp_path):
    rng = np.random.default_rng(11)
    seq, variants = random_genome_and_variants(rng)
    assert len(variants) > 250
    ref = write_fasta(tmp_path / "ref.fa", {"chr1": seq, "chr2": seq[:500]})
    plain_vcf, gz_vcf = write_random_vcf_bgzipped(tmp_path / "strain.vcf.gz", "chr1", seq, variants)
    assert (tmp_path / "strain.vcf.gz.tbi").exists()
    summary = build_pseudogenome(ref, gz_vcf, tmp_path / "s.fa", tmp_path / "s.chain",
                                 report=tmp_path / "r.tsv")
    assert summary["applied"] == len(variants) and summary["skipped"] == 0
    strain = read_fasta(tmp_path / "s.fa")
    assert strain["chr1"] == naive_splice(seq, variants)
    assert strain["chr2"] == seq[:500]

    cmap = CoordinateMap.load(tmp_path / "s.chain")
    positions = np.arange(len(seq))
    to_strain = cmap.ref_to_strain("chr1", positions)
    deleted = np.zeros(len(seq), dtype=bool)
    substituted = np.zeros(len(seq), dtype=bool)
    for pos, ref_allele, alt in variants:
        if len(ref_allele) > len(alt):
            deleted[pos:pos - 1 + len(ref_allele)] = True
        elif len(ref_allele) == len(alt):
            substituted[pos - 1:pos - 1 + len(ref_allele)] = True
    # exactly the deleted bases are unmapped, and every other base goes there and back
    assert np.array_equal(to_strain < 0, deleted)
    assert np.array_equal(cmap.strain_to_ref("chr1", to_strain[~deleted]), positions[~deleted])
    assert all(cmap.strain_to_ref("chr1", int(s)) == p  # the scalar path agrees
               for p, s in zip(positions[~deleted], to_strain[~deleted]))
    # unchanged bases read the same in both genomes; substituted ones differ
    strain_array = np.frombuffer(strain["chr1"].encode(), dtype=np.uint8)
    ref_array = np.frombuffer(seq.encode(), dtype=np.uint8)
    same = ~deleted & ~substituted
    assert np.array_equal(strain_array[to_strain[same]], ref_array[same])
    assert np.all(strain_array[to_strain[substituted]] != ref_array[substituted])
    # strain-only bases are exactly the inserted ones
    assert (cmap.strain_to_ref("chr1", np.arange(len(strain["chr1"]))) < 0).sum() == \
        sum(len(a) - len(r) for _, r, a in variants if len(a) > len(r))

    # the plain (unindexed) VCF gives byte-identical outputs, and reruns are deterministic
    build_pseudogenome(ref, plain_vcf, tmp_path / "p.fa", tmp_path / "p.chain", report=tmp_path / "p.tsv")
    build_pseudogenome(ref, gz_vcf, tmp_path / "again.fa", tmp_path / "again.chain")
    for other in ("p", "again"):
        assert (tmp_path / f"{other}.fa").read_bytes() == (tmp_path / "s.fa").read_bytes()
        assert (tmp_path / f"{other}.chain").read_bytes() == (tmp_path / "s.chain").read_bytes()
    assert (tmp_path / "p.tsv").read_bytes() == (tmp_path / "r.tsv").read_bytes()


def test_samples_without_gt_are_an_error(tmp_path):
    ref = write_fasta(tmp_path / "ref.fa", {"c1": REF1})
    vcf = tmp_path / "nogt.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=c1,length=50>\n"
                   '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCAST\n"
                   "c1\t2\t.\tC\tT\t.\tPASS\t.\tDP\t5\n")
    with pytest.raises(ValueError, match="no GT FORMAT field"):
        build_pseudogenome(ref, vcf, tmp_path / "s.fa", tmp_path / "s.chain")


def test_vcf_contigs_missing_from_the_fasta_are_named_before_any_output(tmp_path):
    from deepallele.genome.pseudogenome import check_vcf_contigs

    write_fasta(tmp_path / "ref.fa", {"chr1": "ACGTACGTAC"})
    pysam.faidx(str(tmp_path / "ref.fa"))
    write_vcf(tmp_path / "ok.vcf", {"chr1": "ACGTACGTAC"}, [("chr1", 2, "C", "T")])
    check_vcf_contigs(tmp_path / "ref.fa", tmp_path / "ok.vcf")  # no error
    write_vcf(tmp_path / "bad.vcf", {"chr1": "ACGTACGTAC", "1": "ACGT"}, [("chr1", 2, "C", "T"), ("1", 1, "A", "G")])
    with pytest.raises(ValueError, match=r"bad\.vcf: contigs \['1'\] are not in .*ref\.fa"):
        check_vcf_contigs(tmp_path / "ref.fa", tmp_path / "bad.vcf")
