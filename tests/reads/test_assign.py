"""Suspenders-style allele assignment with reproducible tie splitting."""
from __future__ import annotations

import subprocess

import numpy as np
import pysam
import pytest

from deepallele.reads.assign import (TemplateScore, assign_alleles, compare_templates, natural_name_key,
                                     score_template, tie_goes_to_ref)

HEADER = {"HD": {"VN": "1.6", "SO": "unsorted"}, "SQ": [{"SN": "chr1", "LN": 10_000}],
          "RG": [{"ID": "rg", "SM": "s", "PL": "ILLUMINA"}]}


def make_pair(header, name, pos, scores, genome, mapped=(True, True)):
    """Two mates at ``pos``/``pos+150``; ``scores`` = ((AS, NM), (AS, NM)) per mate.

    For ``genome == "strain"`` the edit distance goes to OM (pre-lift NM) and NM gets a
    deliberately misleading value, as after lift-over.
    """
    reads = []
    for mate, (alignment_score, edit_distance) in enumerate(scores):
        read = pysam.AlignedSegment(header)
        read.query_name = name
        read.query_sequence = "A" * 50
        read.query_qualities = pysam.qualitystring_to_array("I" * 50)
        read.flag = 1 | (64 if mate == 0 else 128) | (16 if mate == 1 else 32)
        read.set_tag("RG", "rg")
        if mapped[mate]:
            read.reference_id = 0
            read.reference_start = pos + 150 * mate
            read.cigarstring = "50M"
            read.mapping_quality = 30
            read.set_tag("AS", alignment_score)
            if genome == "strain":
                read.set_tag("OM", edit_distance)
                read.set_tag("NM", 40)
            else:
                read.set_tag("NM", edit_distance)
        else:
            read.flag |= 4
            read.reference_id, read.reference_start = 0, pos
        if not mapped[1 - mate]:
            read.flag |= 8
        read.next_reference_id = 0
        read.next_reference_start = pos + 150 * (1 - mate) if mapped[1 - mate] else pos
        reads.append(read)
    return reads


def write_bam(path, templates, genome, order_seed=None):
    header = pysam.AlignmentHeader.from_dict(HEADER)
    reads = [read for name, pos, scores, *mapped in templates
             for read in make_pair(header, name, pos, scores, genome, *(mapped or []))]
    order = np.arange(len(reads))
    if order_seed is not None:
        order = np.random.default_rng(order_seed).permutation(len(reads))
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for k in order:
            out.write(reads[k])
    return path


def read_po(path):
    """{name: (po, ct, n_records)} of a BAM, asserting mates agree."""
    result = {}
    with pysam.AlignmentFile(str(path)) as bam:
        for read in bam:
            po, ct = read.get_tag("po"), read.get_tag("ct")
            previous = result.get(read.query_name)
            if previous is not None:
                assert previous[:2] == (po, ct)
                result[read.query_name] = (po, ct, previous[2] + 1)
            else:
                result[read.query_name] = (po, ct, 1)
    return result


GOOD, BAD = ((-2, 1), (-3, 1)), ((-12, 3), (-10, 3))

TEMPLATES_REF = [
    ("as_ref", 100, GOOD), ("as_alt", 500, BAD), ("nm_ref", 900, ((-5, 1), (-5, 0))),
    ("nm_alt", 1300, ((-5, 2), (-5, 2))), ("pair_vs_lone", 1700, ((-20, 5), (-20, 5))),
    ("only_ref", 2100, GOOD), ("unmapped_in_strain", 2500, GOOD),
    ("unmapped_both", 2900, GOOD, (False, False)),
]
TEMPLATES_STRAIN = [
    ("as_ref", 100, BAD), ("as_alt", 500, GOOD), ("nm_ref", 900, ((-5, 2), (-5, 0))),
    ("nm_alt", 1300, ((-5, 1), (-5, 1))), ("pair_vs_lone", 1700, ((-1, 0), (0, 0)), (True, False)),
    ("only_strain", 3300, GOOD), ("unmapped_in_strain", 2500, GOOD, (False, False)),
    ("unmapped_both", 2900, GOOD, (False, False)),
]


@pytest.fixture()
def assigned(tmp_path):
    ref_bam = write_bam(tmp_path / "ref.bam", TEMPLATES_REF, "ref", order_seed=1)
    strain_bam = write_bam(tmp_path / "strain.bam", TEMPLATES_STRAIN, "strain", order_seed=2)
    outputs = {key: tmp_path / f"{key}.bam" for key in ("ref", "alt", "ref_only", "alt_only")}
    summary = assign_alleles(ref_bam, strain_bam, outputs["ref"], outputs["alt"], outputs["ref_only"],
                             outputs["alt_only"], seed=0)
    return summary, {key: read_po(path) for key, path in outputs.items()}, outputs


def test_quality_decides(assigned):
    summary, po, _ = assigned
    assert po["ref"]["as_ref"] == (1, "Q", 2)        # higher AS sum
    assert po["alt"]["as_alt"] == (2, "Q", 2)
    assert po["ref"]["nm_ref"] == (1, "Q", 2)        # same AS, fewer OM (not the lifted NM)
    assert po["alt"]["nm_alt"] == (2, "Q", 2)
    assert po["ref"]["pair_vs_lone"] == (1, "Q", 2)  # two mapped mates beat one


def test_one_genome_only(assigned):
    summary, po, _ = assigned
    assert po["ref"]["only_ref"] == (1, "U", 2)
    assert po["ref"]["unmapped_in_strain"] == (1, "U", 2)
    assert po["alt"]["only_strain"] == (2, "U", 2)
    assert all("unmapped_both" not in table for table in po.values())
    assert summary == {"templates": 9, "ref": 5, "alt": 3, "tie": 0, "tie_to_ref": 0, "tie_to_alt": 0,
                       "unassigned": 1, "ref_only_aligned": 2, "alt_only_aligned": 1}


def test_specific_only_outputs_and_records_source(assigned):
    _, po, outputs = assigned
    assert po["ref_only"] == po["ref"] and po["alt_only"] == po["alt"]   # no ties here
    # the strain allele carries the lifted strain records (OM present), the reference allele the
    # reference records
    with pysam.AlignmentFile(str(outputs["alt"])) as bam:
        assert all(read.has_tag("OM") for read in bam)
    with pysam.AlignmentFile(str(outputs["ref"])) as bam:
        assert not any(read.has_tag("OM") for read in bam)
        assert bam.header.to_dict()["HD"]["SO"] == "coordinate"
    assert outputs["ref"].with_suffix(".bam.bai").exists()


def tie_templates(n):
    return [(f"SRR000001.{k}:{k % 7}", 100 + (k % 90) * 100, ((-4, 1), (-6, 1))) for k in range(n)]


def run_ties(tmp_path, tag, seed, order_seed=None, threads=1, n=2000):
    templates = tie_templates(n)
    ref_bam = write_bam(tmp_path / f"{tag}.ref.bam", templates, "ref", order_seed)
    strain_bam = write_bam(tmp_path / f"{tag}.strain.bam", templates, "strain",
                           None if order_seed is None else order_seed + 1)
    summary = assign_alleles(ref_bam, strain_bam, tmp_path / f"{tag}.r.bam", tmp_path / f"{tag}.a.bam",
                             tmp_path / f"{tag}.ro.bam", tmp_path / f"{tag}.ao.bam", seed=seed,
                             threads=threads)
    return summary, read_po(tmp_path / f"{tag}.r.bam"), read_po(tmp_path / f"{tag}.a.bam")


def test_ties_split_reproducibly(tmp_path):
    summary, to_ref, to_alt = run_ties(tmp_path, "a", seed=7)
    assert summary["tie"] == 2000 and summary["tie_to_ref"] + summary["tie_to_alt"] == 2000
    assert 0.45 < summary["tie_to_ref"] / 2000 < 0.55
    assert set(to_ref) | set(to_alt) == {name for name, _, _ in tie_templates(2000)}
    assert not set(to_ref) & set(to_alt)
    # both mates of every pair in the same file, tagged as a tie
    assert all(value == (3, "R", 2) for value in list(to_ref.values()) + list(to_alt.values()))
    assert set(to_ref) == {name for name, _, _ in tie_templates(2000) if tie_goes_to_ref(name, 7)}
    # same seed, shuffled inputs and more threads: the same split
    again = run_ties(tmp_path, "b", seed=7, order_seed=5, threads=3)
    assert set(again[1]) == set(to_ref) and set(again[2]) == set(to_alt)
    # another seed: another split of about the same size
    other = run_ties(tmp_path, "c", seed=8)
    assert set(other[1]) != set(to_ref)
    assert 0.45 < len(other[1]) / 2000 < 0.55
    # ties never reach the specific-only outputs
    with pysam.AlignmentFile(str(tmp_path / "a.ro.bam")) as bam:
        assert sum(1 for _ in bam) == 0


def test_tie_hash_properties():
    names = [f"read{k}" for k in range(4000)]
    split0 = np.array([tie_goes_to_ref(name, 0) for name in names])
    split1 = np.array([tie_goes_to_ref(name, 1) for name in names])
    assert split0.tolist() == [tie_goes_to_ref(name, 0) for name in names]    # pure function
    assert 0.46 < split0.mean() < 0.54 and 0.46 < split1.mean() < 0.54
    assert 0.45 < (split0 == split1).mean() < 0.55                          # seeds independent


def test_compare_templates_rules():
    good, bad = TemplateScore(2, -5, 2), TemplateScore(2, -20, 0)
    assert compare_templates(good, bad) == (1, "Q")
    assert compare_templates(bad, good) == (2, "Q")
    assert compare_templates(TemplateScore(2, -5, 1), TemplateScore(2, -5, 2)) == (1, "Q")
    assert compare_templates(TemplateScore(2, -5, 3), TemplateScore(2, -5, 2)) == (2, "Q")
    assert compare_templates(TemplateScore(2, -5, 2), TemplateScore(2, -5, 2)) == (3, "R")
    assert compare_templates(TemplateScore(2, -5, None), TemplateScore(2, -5, 2)) == (3, "R")
    assert compare_templates(TemplateScore(1, 0, 0), TemplateScore(2, -30, 9)) == (2, "Q")
    assert compare_templates(good, None) == (1, "U")
    assert compare_templates(None, good) == (2, "U")
    assert compare_templates(None, None) == (0, "")


def test_score_template_uses_primary_mapped_and_om():
    header = pysam.AlignmentHeader.from_dict(HEADER)
    reads = make_pair(header, "x", 100, ((-3, 1), (-4, 2)), "strain")
    secondary = make_pair(header, "x", 900, ((0, 0), (0, 0)), "strain")[0]
    secondary.flag |= 256
    assert score_template(reads + [secondary]) == TemplateScore(2, -7, 3)
    reads[1].set_tag("OM", None)
    reads[1].set_tag("NM", None)
    assert score_template(reads).edit_distance is None
    reads[0].set_tag("AS", None)
    with pytest.raises(ValueError, match="mine.bam: read x has no AS tag"):
        score_template(reads, "mine.bam")


def test_natural_name_key_matches_samtools_sort_n(tmp_path):
    names = ["r10", "r9", "r1", "r1a", "a:2:10", "a:2:9", "a:10:1", "b", "B", "r", "x_0001", "x_01z",
             "SRR1.200", "SRR1.20", "SRR2.3", "r1:5", "r1.5"]
    header = pysam.AlignmentHeader.from_dict(HEADER)
    with pysam.AlignmentFile(str(tmp_path / "names.bam"), "wb", header=header) as out:
        for name in names:
            read = pysam.AlignedSegment(header)
            read.query_name, read.flag, read.query_sequence = name, 4, "ACGT"
            read.query_qualities = pysam.qualitystring_to_array("IIII")
            out.write(read)
    # the system samtools in its own process: pysam's bundled samtools keeps its sort mode
    # between calls (after -N, -n sorts in ASCII order), so do not rely on it here
    result = subprocess.run(["samtools", "sort", "-n", "-O", "SAM", str(tmp_path / "names.bam")],
                            capture_output=True, text=True, check=True)
    samtools_order = [line.split("\t")[0] for line in result.stdout.splitlines() if not line.startswith("@")]
    assert sorted(names, key=natural_name_key) == samtools_order


def test_rejects_unlifted_strain_bam(tmp_path):
    ref_bam = write_bam(tmp_path / "ref.bam", TEMPLATES_REF[:1], "ref")
    other = dict(HEADER, SQ=[{"SN": "chr1", "LN": 10_040}])
    header = pysam.AlignmentHeader.from_dict(other)
    with pysam.AlignmentFile(str(tmp_path / "strain.bam"), "wb", header=header):
        pass
    with pytest.raises(ValueError, match="different contigs"):
        assign_alleles(ref_bam, tmp_path / "strain.bam", tmp_path / "r.bam", tmp_path / "a.bam")


def test_name_sorted_inputs_and_name_order_output(tmp_path):
    ref_bam = write_bam(tmp_path / "ref.bam", TEMPLATES_REF, "ref", order_seed=3)
    strain_bam = write_bam(tmp_path / "strain.bam", TEMPLATES_STRAIN, "strain", order_seed=4)
    for path in (ref_bam, strain_bam):
        pysam.sort("-n", "-o", str(path.with_suffix(".ns.bam")), str(path), catch_stdout=False)
    summary = assign_alleles(ref_bam.with_suffix(".ns.bam"), strain_bam.with_suffix(".ns.bam"),
                             tmp_path / "r.bam", tmp_path / "a.bam", assume_name_sorted=True,
                             sort_order="name")
    assert summary["ref"] == 5 and summary["alt"] == 3
    with pysam.AlignmentFile(str(tmp_path / "r.bam")) as bam:
        assert bam.header.to_dict()["HD"]["SO"] == "queryname"
        names = [read.query_name for read in bam]
    assert len(set(names)) == 5 and names == sorted(names, key=natural_name_key)
    with pytest.raises(ValueError, match="not sorted by read name"):
        assign_alleles(ref_bam, strain_bam, tmp_path / "r2.bam", tmp_path / "a2.bam", assume_name_sorted=True)
