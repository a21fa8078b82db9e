"""The one-pass allele split on hand-built alignments of both genomes."""
from __future__ import annotations

import json

import pysam
import pytest

from deepallele.genome.coordmap import CoordinateMap
from deepallele.reads.alleles import fragment_key, split_alleles

# strain = reference with a 5-bp insertion after reference position 499 (0-based)
REF_LEN, INS_AT, INS_LEN = 2000, 500, 5


def coordmap() -> CoordinateMap:
    return CoordinateMap.from_variants({"chr1": REF_LEN, "chrM": 300},
                                       [("chr1", INS_AT, "A", "A" + "C" * INS_LEN)])


def header(length):
    return pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "unsorted"},
                                            "SQ": [{"SN": "chr1", "LN": length}, {"SN": "chrM", "LN": 300}],
                                            "RG": [{"ID": "s", "SM": "s", "PL": "ILLUMINA"}]})


def pair(hdr, name, pos, as_score=(100, 100), nm=(0, 0), mapq=40, tid=0, mapped=True, swapped=False):
    """Read 1 forward at pos, read 2 reverse at pos + 100; ``swapped``: read 1 is the reverse mate
    (an F2R1 pair with the same two ends)."""
    reads = []
    for mate in (0, 1):
        side = 1 - mate if swapped else mate   # 0: the forward mate at pos, 1: the reverse one
        r = pysam.AlignedSegment(hdr)
        r.query_name = name
        r.query_sequence = "A" * 50
        r.query_qualities = pysam.qualitystring_to_array("I" * 50)
        r.set_tag("RG", "s")
        if mapped:
            r.flag = 1 | 2 | (64 if mate == 0 else 128) | (32 if side == 0 else 16)
            r.reference_id = tid
            r.reference_start = pos + 100 * side
            r.cigarstring = "50M"
            r.mapping_quality = mapq
            r.next_reference_id = tid
            r.next_reference_start = pos + 100 * (1 - side)
            r.template_length = 150 if side == 0 else -150
            r.set_tag("AS", as_score[mate])
            r.set_tag("NM", nm[mate])
        else:
            r.flag = 1 | 4 | 8 | (64 if mate == 0 else 128)
        reads.append(r)
    return reads


def write(path, hdr, pairs):
    with pysam.AlignmentFile(str(path), "wb", header=hdr) as out:
        for p in pairs:
            for r in p:
                out.write(r)


def run(tmp_path, ref_pairs, strain_pairs, **kw):
    ref_h, strain_h = header(REF_LEN), header(REF_LEN + INS_LEN)
    write(tmp_path / "ref.bam", ref_h, [pair(ref_h, *a[:2], **a[2]) for a in ref_pairs])
    write(tmp_path / "strain.bam", strain_h, [pair(strain_h, *a[:2], **a[2]) for a in strain_pairs])
    outputs = {k: tmp_path / f"{k}.bam" for k in ("ref", "alt", "ref_only", "alt_only")}
    summary = split_alleles(tmp_path / "ref.bam", tmp_path / "strain.bam", coordmap(), outputs,
                            exclude=["chrM"], summary_json=tmp_path / "s.json", **kw)
    return summary, outputs


def records(path):
    with pysam.AlignmentFile(str(path)) as bam:
        return [(r.query_name, r.reference_start, r.cigarstring, r.get_tag("po")) for r in bam]


def test_scores_decide_and_strain_records_are_lifted(tmp_path):
    ref_pairs = [("refwins", 100, {"as_score": (100, 100)}), ("altwins", 1000, {"as_score": (90, 100)}),
                 ("nm_ref", 1200, {"nm": (0, 0)}), ("onlystrain", 1300, {"mapped": False})]
    strain_pairs = [("refwins", 100, {"as_score": (94, 100)}), ("altwins", 1005, {"as_score": (100, 100)}),
                    ("nm_ref", 1205, {"nm": (1, 0)}), ("onlystrain", 1305, {})]
    summary, out = run(tmp_path, ref_pairs, strain_pairs)
    assert (summary["ref"], summary["alt"], summary["tie"], summary["unassigned"]) == (2, 2, 0, 0)
    alt = records(out["alt"])
    # strain positions after the insertion shift back by INS_LEN on the reference
    assert ("altwins", 1000, "50M", 2) in alt and ("onlystrain", 1300, "50M", 2) in alt
    assert {r[0] for r in records(out["ref_only"])} == {"refwins", "nm_ref"}
    assert json.loads((tmp_path / "s.json").read_text())["pairs"] == 4


def test_ties_split_by_fragment_so_duplicates_stay_together(tmp_path):
    # 40 distinct tie fragments, each with a PCR duplicate under another name
    ref_pairs, strain_pairs = [], []
    for i in range(40):
        for dup in ("a", "b"):
            ref_pairs.append((f"f{i}{dup}", 10 + 10 * i, {}))
            strain_pairs.append((f"f{i}{dup}", 10 + 10 * i, {}))  # before the insertion: same coords
    summary, out = run(tmp_path, ref_pairs, strain_pairs)
    assert summary["tie"] == 80 and summary["tie_to_ref"] + summary["tie_to_alt"] == 80
    assert 0 < summary["tie_to_ref"] < 80
    side = {}
    for allele in ("ref", "alt"):
        for name, *_ in records(out[allele]):
            side[name] = allele
    assert all(side[f"f{i}a"] == side[f"f{i}b"] for i in range(40))
    # hashing the name instead splits duplicates apart in some cases
    (tmp_path / "byname").mkdir()
    summary2, out2 = run(tmp_path / "byname", ref_pairs, strain_pairs, tie_key="name")
    side2 = {n: a for a in ("ref", "alt") for n, *_ in records(out2[a])}
    assert any(side2[f"f{i}a"] != side2[f"f{i}b"] for i in range(40))


def test_filters_are_pair_aware_and_counted(tmp_path):
    ref_pairs = [("mito", 10, {"tid": 1}), ("lowq", 100, {"mapq": 1}), ("ok", 200, {})]
    strain_pairs = [("mito", 10, {"tid": 1}), ("lowq", 100, {"mapq": 1}), ("ok", 200, {})]
    summary, out = run(tmp_path, ref_pairs, strain_pairs)
    assert summary["ref_filter"] == {"pairs_in": 3, "proper_pairs": 3, "excluded_contig": 1, "low_mapq": 1,
                                     "pairs_kept": 1}
    assert summary["unassigned"] == 2 and summary["tie"] == 1


def test_out_of_step_inputs_fail_without_outputs(tmp_path):
    with pytest.raises(ValueError, match="out of step"):
        run(tmp_path, [("a", 10, {}), ("b", 20, {})], [("b", 20, {}), ("a", 10, {})])
    assert not any(tmp_path.glob("ref.bam.part")) and not (tmp_path / "alt.bam").exists()


def test_result_does_not_depend_on_threads(tmp_path):
    ref_pairs = [(f"r{i}", 20 * i, {"as_score": (100, 100 - i % 3)}) for i in range(60)]
    strain_pairs = [(f"r{i}", 20 * i + (INS_LEN if 20 * i > INS_AT else 0), {"as_score": (100, 100 - i % 2)})
                    for i in range(60)]
    (tmp_path / "t1").mkdir()
    (tmp_path / "t2").mkdir()
    _, out1 = run(tmp_path / "t1", ref_pairs, strain_pairs, threads=1)
    _, out2 = run(tmp_path / "t2", ref_pairs, strain_pairs, threads=2)
    for k in out1:
        assert records(out1[k]) == records(out2[k])


def test_fragment_key_uses_unclipped_five_prime_ends():
    hdr = header(REF_LEN)
    r1, r2 = pair(hdr, "x", 100)
    r1.cigarstring = "3S47M"
    r1.reference_start = 103
    assert fragment_key((r1, r2)) == "0:100:250:0"


def test_fragment_key_ignores_which_mate_is_read1():
    hdr = header(REF_LEN)
    f1r2 = pair(hdr, "x", 100)
    f2r1 = pair(hdr, "y", 100, swapped=True)
    assert f2r1[0].is_read1 and f2r1[0].is_reverse and f2r1[0].reference_start == 200
    assert fragment_key(f1r2) == fragment_key(f2r1) == "0:100:250:0"
    # same ends in the other orientation (both mates on one strand) stay apart
    rr = pair(hdr, "z", 100)
    rr[0].is_reverse = True
    assert fragment_key(rr) != fragment_key(f1r2)


def test_swapped_mate_duplicates_of_a_tie_land_in_one_allele(tmp_path):
    # 40 tie fragments, each with a PCR duplicate read from the other mate (F2R1 copy)
    ref_pairs, strain_pairs = [], []
    for i in range(40):
        for dup, swapped in (("a", False), ("b", True)):
            ref_pairs.append((f"f{i}{dup}", 10 + 10 * i, {"swapped": swapped}))
            strain_pairs.append((f"f{i}{dup}", 10 + 10 * i, {"swapped": swapped}))
    summary, out = run(tmp_path, ref_pairs, strain_pairs)
    assert summary["tie"] == 80 and 0 < summary["tie_to_ref"] < 80
    side = {n: a for a in ("ref", "alt") for n, *_ in records(out[a])}
    assert all(side[f"f{i}a"] == side[f"f{i}b"] for i in range(40))
