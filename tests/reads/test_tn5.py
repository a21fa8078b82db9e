"""Tn5 shift from each read's exact reference ends, on hand-built pairs with clips and indels."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pysam
import pytest

from deepallele.reads.counts import count_bam
from deepallele.reads.tn5 import alignmentsieve_end, shift_bam, shifted_span

CONTIG_LEN = 2000
# (CIGAR of the read under test, its reference end when it starts at 100; alignmentSieve's end)
CASES = [("5S25M", 125, 130), ("10M3I17M", 127, 130), ("10M3D20M", 133, 130), ("30M", 130, 130)]


def _header():
    return pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "coordinate"},
                                            "SQ": [{"SN": "chr1", "LN": CONTIG_LEN}]})


def _read(hdr, name, start, cigar, flag, mate_start):
    r = pysam.AlignedSegment(hdr)
    r.query_name, r.flag, r.reference_id, r.reference_start = name, flag, 0, start
    r.cigarstring, r.mapping_quality = cigar, 40
    n = r.query_length
    r.query_sequence = "ACGT" * (n // 4) + "A" * (n % 4)
    r.query_qualities = pysam.qualitystring_to_array("I" * n)
    r.next_reference_id, r.next_reference_start = 0, mate_start
    r.set_tag("RG", "s")
    r.set_tag("po", 2)
    r.set_tag("ct", "S")
    r.set_tag("NM", 3)
    return r


def _pairs(hdr):
    """Per case: the read under test forward at 100 (mate 30M reverse at 300), and reverse at
    400 (mate 30M forward at 200), read 1 and read 2 alternating."""
    reads = []
    for i, (cigar, _, _) in enumerate(CASES):
        off = 600 * (i % 2) + 10 * i
        r1 = 0x40 if i % 2 == 0 else 0x80
        r2 = 0xC0 ^ r1
        # forward read under test
        reads.append(_read(hdr, f"f{i}", 100 + off, cigar, 0x1 | 0x2 | 0x20 | r1, 300 + off))
        reads.append(_read(hdr, f"f{i}", 300 + off, "30M", 0x1 | 0x2 | 0x10 | r2, 100 + off))
        # reverse read under test
        reads.append(_read(hdr, f"r{i}", 200 + off, "30M", 0x1 | 0x2 | 0x20 | r2, 400 + off))
        reads.append(_read(hdr, f"r{i}", 400 + off, cigar, 0x1 | 0x2 | 0x10 | r1, 200 + off))
    return reads


def _write(path, reads, hdr):
    unsorted = str(path) + ".u.bam"
    with pysam.AlignmentFile(unsorted, "wb", header=hdr) as out:
        for r in reads:
            out.write(r)
    pysam.sort("-o", str(path), unsorted)
    pysam.index(str(path))
    return path


@pytest.mark.parametrize("cigar, ref_end, sieve_end", CASES)
def test_ends_come_from_the_reference_not_the_query(cigar, ref_end, sieve_end):
    r = _read(_header(), "x", 100, cigar, 0x1 | 0x2 | 0x40, 300)
    assert r.reference_end == ref_end
    assert alignmentsieve_end(r) == sieve_end        # what alignmentSieve --ATACshift uses
    assert shifted_span(r.reference_start, r.reference_end, False, CONTIG_LEN) == (104, ref_end)
    assert shifted_span(r.reference_start, r.reference_end, True, CONTIG_LEN) == (100, ref_end - 5)


def test_short_reads_and_contig_ends_keep_one_base():
    assert shifted_span(100, 103, False, CONTIG_LEN) == (104, 105)
    assert shifted_span(100, 104, True, CONTIG_LEN) == (98, 99)
    assert shifted_span(0, 3, True, CONTIG_LEN) == (0, 1)
    assert shifted_span(1990, 2000, False, CONTIG_LEN) == (1994, 2000)
    assert shifted_span(1998, 2000, False, CONTIG_LEN) == (1999, 2000)


@pytest.fixture
def shifted(tmp_path):
    hdr = _header()
    reads = _pairs(hdr)
    reads.append(_read(hdr, "orphan", 1500, "30M", 0x1 | 0x2 | 0x20 | 0x40, 1700))
    reads.append(_read(hdr, "single", 1500, "30M", 0, 0))
    dup = _read(hdr, "dup", 1500, "30M", 0x1 | 0x2 | 0x20 | 0x40 | 0x400, 1600)
    reads.append(dup)
    src = _write(tmp_path / "in.bam", reads, hdr)
    out = tmp_path / "out.bam"
    summary = shift_bam(src, out, tmp_path / "summary.json", command_line="test")
    with pysam.AlignmentFile(str(out)) as bam:
        records = {(r.query_name, r.is_reverse): r for r in bam.fetch(until_eof=True)}
        header = bam.header.to_dict()
    return {"src": src, "out": out, "summary": summary, "records": records, "header": header, "tmp": tmp_path}


def test_shifted_bam_uses_exact_ends_on_both_strands(shifted):
    rec = shifted["records"]
    for i, (cigar, ref_end, _) in enumerate(CASES):
        off = 600 * (i % 2) + 10 * i
        f, f_mate = rec[(f"f{i}", False)], rec[(f"f{i}", True)]
        assert (f.reference_start, f.reference_end) == (104 + off, ref_end + off), cigar
        assert (f_mate.reference_start, f_mate.reference_end) == (300 + off, 325 + off)
        r, r_mate = rec[(f"r{i}", True)], rec[(f"r{i}", False)]
        assert (r.reference_start, r.reference_end) == (400 + off, ref_end + 300 + off - 5), cigar
        assert (r_mate.reference_start, r_mate.reference_end) == (204 + off, 230 + off)
        # mate fields and TLEN describe the shifted fragment
        assert f.next_reference_start == f_mate.reference_start and f_mate.next_reference_start == f.reference_start
        assert (f.template_length, f_mate.template_length) == (325 - 104, -(325 - 104))
        assert r_mate.template_length == r.reference_end - r_mate.reference_start == -r.template_length
        for x in (f, r):
            assert x.cigarstring == f"{x.reference_end - x.reference_start}M"
            assert x.query_sequence is None
            assert (x.get_tag("RG"), x.get_tag("po"), x.get_tag("ct")) == ("s", 2, "S")
            assert not x.has_tag("NM")
            assert x.mapping_quality == 40 and x.is_proper_pair


def test_shift_summary_and_dropped_reads(shifted):
    s = shifted["summary"]
    assert s["pairs"] == 2 * len(CASES)
    assert (s["orphan_reads"], s["skipped_reads"], s["clamped_reads"]) == (1, 2, 0)
    assert s["reads_differing_from_alignmentsieve"] == 6       # three CIGARs on both strands
    assert json.loads((shifted["tmp"] / "summary.json").read_text()) == s
    assert shifted["header"]["PG"][-1]["CL"] == "test" and shifted["header"]["HD"]["SO"] == "unsorted"
    assert not {"orphan", "single", "dup"} & {name for name, _ in shifted["records"]}


def test_counter_reads_the_shifted_cut_sites_once(shifted, tmp_path):
    out = tmp_path / "sorted.bam"
    pysam.sort("-o", str(out), str(shifted["out"]))
    pysam.index(str(out))
    # case 2 (10M3D20M, offset 20): the reverse read at 420 ends at 453, shifted to 448, so its
    # cut is at 447 (alignmentSieve's would be at 444); the forward read at 120 cuts at 124
    # (shifted once: not 128)
    peaks = pd.DataFrame({"chrom": ["chr1"] * 4, "start": [447, 444, 124, 128],
                          "end": [448, 445, 125, 129], "name": ["cut", "sieve_cut", "fwd", "twice"]})
    assert count_bam(out, peaks, mode="cutsites").counts.tolist() == [1, 0, 1, 0]


ALIGNMENTSIEVE = shutil.which("alignmentSieve", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(ALIGNMENTSIEVE is None, reason="deepTools alignmentSieve not installed")
def test_alignmentsieve_misplaces_what_shift_bam_gets_right(shifted, tmp_path):
    """The workflow's previous step, run on the same pairs: its reverse ends follow the query."""
    out = tmp_path / "sieve.bam"
    res = subprocess.run([ALIGNMENTSIEVE, "--ATACshift", "-b", str(shifted["src"]), "-o", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    with pysam.AlignmentFile(str(out)) as bam:
        sieve = {(r.query_name, r.is_reverse): (r.reference_start, r.reference_end) for r in bam.fetch(until_eof=True)}
    ours = {k: (r.reference_start, r.reference_end) for k, r in shifted["records"].items()}
    wrong = sorted(k for k in ours if sieve.get(k) != ours[k])
    # every read with a clip or indel, on both strands; the plain 30M reads agree
    assert wrong == sorted([(f"f{i}", False) for i in range(3)] + [(f"r{i}", True) for i in range(3)])
    for i, (_, ref_end, sieve_end) in enumerate(CASES[:3]):
        off = 600 * (i % 2) + 10 * i
        assert sieve[(f"r{i}", True)][1] == sieve_end + 300 + off - 5 != ours[(f"r{i}", True)][1]
