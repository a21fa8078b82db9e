"""``deepallele lift-bam`` and ``deepallele assign`` on tiny BAMs: positions and tags by hand, and
every bad input stopped with the file named."""
from __future__ import annotations

import json

import numpy as np
import pysam
import pytest

from deepallele.cli import main
from deepallele.genome.pseudogenome import build_pseudogenome

# c1 (200 bp) with GGGG inserted after reference base 59: strain [60, 64) is strain-only, so strain
# position p >= 64 is reference position p - 4
REF = "".join(np.random.default_rng(11).choice(list("ACGT"), size=200))


@pytest.fixture(scope="module")
def genomes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("genomes")
    ref_fa = tmp / "ref.fa"
    ref_fa.write_text(f">c1\n{REF}\n")
    pysam.faidx(str(ref_fa))
    vcf = tmp / "strain.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=c1,length=200>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   f"c1\t60\t.\t{REF[59]}\t{REF[59]}GGGG\t.\tPASS\t.\n")
    build_pseudogenome(ref_fa, vcf, tmp / "strain.fa", tmp / "strain.chain")
    with pysam.FastaFile(str(tmp / "strain.fa")) as fasta:
        strain = fasta.fetch("c1")
    return {"ref_fa": ref_fa, "chain": tmp / "strain.chain", "strain": strain}


def write_pair(path, contig_length, sequence, name, pos1, pos2, alignment_score, tags=()):
    """One FR pair of 30 bp mates at ``pos1`` / ``pos2`` of ``sequence`` (30M each)."""
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6"}, "SQ": [{"SN": "c1", "LN": contig_length}]})
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for flag, pos, mate_pos, tlen in ((99, pos1, pos2, pos2 + 30 - pos1), (147, pos2, pos1, pos1 - pos2 - 30)):
            read = pysam.AlignedSegment(header)
            read.query_name, read.flag, read.reference_id, read.reference_start = name, flag, 0, pos
            read.cigarstring, read.mapping_quality = "30M", 40
            read.query_sequence = sequence[pos:pos + 30]
            read.query_qualities = pysam.qualitystring_to_array("I" * 30)
            read.next_reference_id, read.next_reference_start, read.template_length = 0, mate_pos, tlen
            read.set_tag("AS", alignment_score)
            for tag, value in tags:
                read.set_tag(tag, value)
            out.write(read)
    return path


def records(path):
    with pysam.AlignmentFile(str(path)) as bam:
        return {(r.query_name, 1 if r.is_read1 else 2): r for r in bam}


def test_lift_bam_then_assign(genomes, tmp_path, capsys):
    strain_bam = write_pair(tmp_path / "strain.bam", 204, genomes["strain"], "frag", 40, 80, -2, [("NM", 0)])
    lifted = tmp_path / "lifted.bam"
    assert main(["lift-bam", str(strain_bam), str(lifted), "--chain", str(genomes["chain"]),
                 "--reference", str(genomes["ref_fa"]), "--summary", str(tmp_path / "lift.json")]) == 0
    r = records(lifted)
    # strain 40..69 = ref 40..59, GGGG, ref 60..65; strain 80 = ref 76
    assert (r[("frag", 1)].reference_start, r[("frag", 1)].cigarstring) == (40, "20M4I6M")
    assert (r[("frag", 2)].reference_start, r[("frag", 2)].cigarstring) == (76, "30M")
    assert r[("frag", 1)].get_tag("OC") == "30M" and r[("frag", 1)].get_tag("NM") == 4   # the 4 inserted bases
    summary = json.loads((tmp_path / "lift.json").read_text())
    assert (summary["records"], summary["lifted"], summary["cigar_changed"]) == (2, 2, 1)
    assert "lift-bam: {" in capsys.readouterr().err

    # the same pair aligned to the reference with a lower AS: the strain allele wins on quality
    ref_bam = write_pair(tmp_path / "ref.bam", 200, REF, "frag", 40, 76, -20, [("NM", 4)])
    out = {k: tmp_path / f"{k}.bam" for k in ("ref", "alt")}
    assert main(["assign", str(ref_bam), str(lifted), "--ref-out", str(out["ref"]), "--alt-out", str(out["alt"]),
                 "--summary", str(tmp_path / "assign.json")]) == 0
    assert records(out["ref"]) == {}
    alt = records(out["alt"])
    assert {(k, v.get_tag("po"), v.get_tag("ct")) for k, v in alt.items()} == {(("frag", 1), 2, "Q"),
                                                                             (("frag", 2), 2, "Q")}
    counts = json.loads((tmp_path / "assign.json").read_text())
    assert (counts["templates"], counts["ref"], counts["alt"], counts["tie"]) == (1, 0, 1, 0)


def test_assign_ref_wins_and_ties_split_by_seed(tmp_path):
    seq = REF
    ref_bam = write_pair(tmp_path / "r.bam", 200, seq, "better_in_ref", 10, 100, -1, [("NM", 0)])
    strain_bam = write_pair(tmp_path / "s.bam", 200, seq, "better_in_ref", 10, 100, -9, [("OM", 2), ("NM", 2)])
    args = ["assign", str(ref_bam), str(strain_bam), "--ref-out", str(tmp_path / "a.bam"),
            "--alt-out", str(tmp_path / "b.bam"), "--ref-only-out", str(tmp_path / "a_only.bam"), "--sort", "name"]
    assert main(args) == 0
    assert {v.get_tag("po") for v in records(tmp_path / "a.bam").values()} == {1}
    assert set(records(tmp_path / "a_only.bam")) == {("better_in_ref", 1), ("better_in_ref", 2)}
    assert records(tmp_path / "b.bam") == {}


@pytest.mark.parametrize("case", ["missing", "not_bam", "reference_aligned", "no_chain"])
def test_lift_bam_bad_input_names_the_file(genomes, tmp_path, capsys, case):
    bam = tmp_path / "in.bam"
    chain = genomes["chain"]
    if case == "not_bam":
        bam.write_text("this is not a BAM\n")
    elif case == "reference_aligned":
        write_pair(bam, 200, REF, "frag", 40, 80, -2)   # contig length of the reference, not the strain's 204
    elif case == "no_chain":
        write_pair(bam, 204, genomes["strain"], "frag", 40, 80, -2)
        chain = tmp_path / "missing.chain"
    rc = main(["lift-bam", str(bam), str(tmp_path / "out.bam"), "--chain", str(chain)])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: ")
    expected = {"missing": f"{bam}: file not found", "not_bam": f"{bam}: not a SAM/BAM file",
                "reference_aligned": f"{bam}: contig 'c1' has length 200 but the strain genome",
                "no_chain": f"{chain}: chain file not found"}[case]
    assert expected in err
    assert not (tmp_path / "out.bam").exists()


def test_assign_bad_input_names_the_file(tmp_path, capsys):
    ref_bam = write_pair(tmp_path / "r.bam", 200, REF, "frag", 10, 100, -1)
    outs = ["--ref-out", str(tmp_path / "a.bam"), "--alt-out", str(tmp_path / "b.bam")]
    assert main(["assign", str(ref_bam), str(tmp_path / "gone.bam"), *outs]) == 2
    assert f"error: {tmp_path / 'gone.bam'}: file not found" in capsys.readouterr().err
    # an unlifted strain BAM (the strain's contig length) is refused, both files named
    strain_bam = write_pair(tmp_path / "s.bam", 204, REF + "GGGG", "frag", 10, 100, -1)
    assert main(["assign", str(ref_bam), str(strain_bam), *outs]) == 2
    err = capsys.readouterr().err
    assert f"{ref_bam} and {strain_bam} list different contigs" in err and "lift_bam" in err
