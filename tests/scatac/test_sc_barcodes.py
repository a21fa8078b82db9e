"""Cell barcodes: whitelist, orientation, Cell Ranger correction (posteriors by hand), tagged FASTQs."""
from __future__ import annotations

import gzip
import json

import pytest

from deepallele.alphabet import reverse_complement
from deepallele.scatac.barcodes import (BarcodeCorrector, benchmark_barcodes, detect_orientation, read_whitelist,
                                        tag_fastqs)

# --------------------------------------------------------------------------- whitelist, orientation


def test_read_whitelist_gz_strips_gem_suffix_and_blank_lines(tmp_path):
    path = tmp_path / "wl.txt.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("AAACGAAAGAAACGTA-1\n\nTTTGTTTCATGCACGA\n  \n")
    assert read_whitelist(path) == frozenset({"AAACGAAAGAAACGTA", "TTTGTTTCATGCACGA"})


@pytest.mark.parametrize("text, message", [
    ("ACGTACGT\nACGTACG\n", "different lengths"),
    ("ACGTACGT\nACGTNCGT\n", "other than A, C, G, T"),
    ("\n\n", "holds no barcode"),
])
def test_read_whitelist_rejects_bad_files_naming_them(tmp_path, text, message):
    path = tmp_path / "bad_whitelist.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as err:
        read_whitelist(path)
    assert "bad_whitelist.txt" in str(err.value)


def test_reverse_complement():
    assert reverse_complement("AACGTN") == "NACGTT"


WL16 = frozenset({"GCTAAAGACAATTACA", "TAACATACACGTCAGC", "ACGAAACTTGTTGGCC"})


def test_orientation_forward_and_revcomp():
    reads = ["GCTAAAGACAATTACA", "TAACATACACGTCAGC", "GATGCATACGCCTTTA"]
    assert detect_orientation(reads, WL16) == ("forward", {"n": 3, "forward": 2, "revcomp": 0})
    flipped = [reverse_complement(r) for r in reads]
    assert detect_orientation(flipped, WL16) == ("revcomp", {"n": 3, "forward": 0, "revcomp": 2})


def test_orientation_fails_loudly_below_five_percent():
    # 4 of 100 on the whitelist as read (4 %), none reverse-complemented: below 5 %
    reads = ["GCTAAAGACAATTACA"] * 4 + ["GATGCATACGCCTTTA"] * 96
    with pytest.raises(ValueError, match=r"4\.00%.*0\.00%.*check that the whitelist") as err:
        detect_orientation(reads, WL16, source="lib_R2.fastq.gz")
    assert "lib_R2.fastq.gz" in str(err.value)
    # 5 of 100 is enough
    assert detect_orientation(["GCTAAAGACAATTACA"] * 5 + ["GATGCATACGCCTTTA"] * 95, WL16)[0] == "forward"


# --------------------------------------------------------------------------- correction (by hand)
# Whitelist {ACGTAA, ACGTCC}: the read ACGTAC is at Hamming distance 1 from both, differing from
# ACGTAA at base 6 (index 5) and from ACGTCC at base 5 (index 4). Likelihood of a candidate:
# (count + 1) * 10^(-Q/10) with Q the quality of the base where it differs.
PAIR = {"ACGTAA", "ACGTCC"}


def test_exact_hit_is_kept():
    assert BarcodeCorrector(PAIR, {}).correct("ACGTAA", "######") == ("ACGTAA", "exact")


def test_one_mismatch_at_a_low_quality_base_is_corrected():
    # ACGAAA: only ACGTAA is one substitution away (index 3, Q10); one candidate: posterior 1
    c = BarcodeCorrector(PAIR, {"ACGTAA": 3})
    assert c.posteriors("ACGAAA", "III+II") == {"ACGTAA": 1.0}
    assert c.correct("ACGAAA", "III+II") == ("ACGTAA", "corrected")


@pytest.mark.parametrize("counts, posterior, expected", [
    # equal Q40 at both bases, so only the priors count: 101 / (101 + 91) = 0.526
    ({"ACGTAA": 100, "ACGTCC": 90}, 101 / 192, (None, "ambiguous")),
    # 401 / (401 + 11) = 0.9733: just below 0.975
    ({"ACGTAA": 400, "ACGTCC": 10}, 401 / 412, (None, "ambiguous")),
    # 501 / (501 + 11) = 0.9785: above
    ({"ACGTAA": 500, "ACGTCC": 10}, 501 / 512, ("ACGTAA", "corrected")),
    # 10001 / (10001 + 11) = 0.9989
    ({"ACGTAA": 10000, "ACGTCC": 10}, 10001 / 10012, ("ACGTAA", "corrected")),
])
def test_equidistant_barcode_needs_a_much_larger_count(counts, posterior, expected):
    c = BarcodeCorrector(PAIR, counts)
    assert c.posteriors("ACGTAC", "IIIIII")["ACGTAA"] == pytest.approx(posterior, rel=1e-12)
    assert c.correct("ACGTAC", "IIIIII") == expected


@pytest.mark.parametrize("qual, p_acgtaa, expected", [
    # Q40 / Q40: 101e-4 / (101e-4 + 101e-4)
    ("IIIIII", 0.5, (None, "ambiguous")),
    # index 4 Q30 ('?', 0.001: ACGTCC), index 5 Q10 ('+', 0.1: ACGTAA): 10.1 / (10.1 + 0.101) = 0.990099
    ("IIII?+", 10.1 / 10.201, ("ACGTAA", "corrected")),
    # the same, Q20 ('5', 0.01) at index 4: 10.1 / (10.1 + 1.01) = 0.909091
    ("IIII5+", 10.1 / 11.11, (None, "ambiguous")),
    # swapped: ACGTCC has the low-quality base: 0.101 / (0.101 + 10.1)
    ("IIII+?", 0.101 / 10.201, ("ACGTCC", "corrected")),
    # Q0 ('!') is capped at 0.75 (ACGTCC), Q2 ('#') gives 0.630957 (ACGTAA): 0.630957 / 1.380957 = 0.456899
    ("IIII!#", 10 ** -0.2 / (0.75 + 10 ** -0.2), (None, "ambiguous")),
])
def test_quality_of_the_differing_base_changes_the_posterior(qual, p_acgtaa, expected):
    c = BarcodeCorrector(PAIR, {"ACGTAA": 100, "ACGTCC": 100})
    post = c.posteriors("ACGTAC", qual)
    assert post["ACGTAA"] == pytest.approx(p_acgtaa, rel=1e-9)
    assert post["ACGTAA"] + post["ACGTCC"] == pytest.approx(1.0)
    assert c.correct("ACGTAC", qual) == expected


def test_two_mismatches_and_wrong_length_are_invalid():
    c = BarcodeCorrector(PAIR, {})
    assert c.correct("ACGGAC", "IIIIII") == (None, "invalid")  # 2 from both
    assert c.correct("ACGTA", "IIIII") == (None, "invalid")
    assert c.correct("ACGTAAA", "IIIIIII") == (None, "invalid")


def test_n_is_corrected_only_when_unique():
    # ACGTNA: ACGTAA and ACGTCA both fill the N; they share its P(error), so only counts decide
    two = {"ACGTAA", "ACGTCA", "TTTTTT"}
    assert BarcodeCorrector(two, {"ACGTAA": 100, "ACGTCA": 100}).correct("ACGTNA", "IIII#I") == (None, "n")
    # 1001 / (1001 + 2) = 0.998
    c = BarcodeCorrector(two, {"ACGTAA": 1000, "ACGTCA": 1})
    assert c.posteriors("ACGTNA", "IIII#I")["ACGTAA"] == pytest.approx(1001 / 1003)
    assert c.correct("ACGTNA", "IIII#I") == ("ACGTAA", "corrected")
    one = BarcodeCorrector({"ACGTAA", "TTTTTT"}, {})
    assert one.correct("ACGTNA", "IIII#I") == ("ACGTAA", "corrected")
    assert one.correct("ACGTNN", "IIII##") == (None, "n")  # two no-calls: Hamming 2
    assert one.correct("AGGTNA", "IIII#I") == (None, "n")  # N plus a mismatch


# --------------------------------------------------------------------------- tag_fastqs end to end
A, B, C, D = "GCTAAAGACAATTACA", "TAACATACACGTCAGC", "ACGAAACTTGTTGGCC", "CAGTGTGAATCGCTTA"
E1, E2 = "AGGGTTAAGTAAGTGT", "AGGGTTAAGTAAGTCG"  # Hamming 2: index 14 and 15
WHITELIST = [A, B, C, D, E1, E2]
Q16 = "F" * 16
# (barcode oriented like the whitelist, its qualities, expected CB or None, status)
READS = [
    (A, Q16, A, "exact"), (A, Q16, A, "exact"), (A, Q16, A, "exact"), (A, Q16, A, "exact"),
    (B, Q16, B, "exact"), (B, Q16, B, "exact"), (B, Q16, B, "exact"),
    (C, Q16, C, "exact"), (D, Q16, D, "exact"),
    (E1, Q16, E1, "exact"), (E1, Q16, E1, "exact"), (E2, Q16, E2, "exact"), (E2, Q16, E2, "exact"),
    # A with a substitution at index 3 (Q10): the only candidate
    ("GCTGAAGACAATTACA", "FFF+FFFFFFFFFFFF", A, "corrected"),
    # between E1 (differs at index 14) and E2 (index 15), both seen twice, same Q: 3p / (3p + 3p) = 0.5
    ("AGGGTTAAGTAAGTCT", Q16, None, "ambiguous"),
    ("CCACATACACGTCAGC", Q16, None, "invalid"),  # B with two substitutions
    ("ACGAAACTTGTTNGCC", "FFFFFFFFFFFF#FFF", C, "corrected"),  # C with an N
    ("NNGAAACTTGTTGGCC", "##FFFFFFFFFFFFFF", None, "n"),  # two Ns
    ("GATGCATACGCCTTTA", Q16, None, "invalid"),  # not near any
    (A, Q16, A, "exact"),
]


def _name(i: int) -> str:
    return f"LH00123:7:22FFF:1:1101:{1000 + i}:2000"


def _genomic(i: int, mate: int) -> tuple[str, str]:
    seq = ("ACGTTGCAAGCT" * 3)[i % 12:][:20] if mate == 1 else ("TTGACCAGTACG" * 3)[i % 12:][:20]
    return seq, "".join(chr(40 + (i + k) % 30) for k in range(20))


def _write_fastq(path, records):
    with gzip.open(path, "wt") as fh:
        for header, seq, qual in records:
            fh.write(f"@{header}\n{seq}\n+\n{qual}\n")


def _lane(folder, orientation="revcomp", reads=READS, names=None, barcode_len=None):
    """R1, R2, R3 of READS; R2 written as a machine of ``orientation`` reads it."""
    folder.mkdir(parents=True, exist_ok=True)
    names = names or [_name(i) for i in range(len(reads))]
    r2 = []
    for name, (bc, q, _, _) in zip(names, reads):
        seq, qual = (reverse_complement(bc), q[::-1]) if orientation == "revcomp" else (bc, q)
        if barcode_len:
            seq, qual = (seq + "ACGTACGTACGT")[:barcode_len], (qual + "F" * 12)[:barcode_len]
        r2.append((f"{name} 2:N:0:ACGTACGT", seq, qual))
    paths = {m: folder / f"lib_S1_L001_R{m}_001.fastq.gz" for m in (1, 2, 3)}
    _write_fastq(paths[1], [(f"{n} 1:N:0:ACGTACGT", *_genomic(i, 1)) for i, n in enumerate(names)])
    _write_fastq(paths[2], r2)
    _write_fastq(paths[3], [(f"{n} 3:N:0:ACGTACGT", *_genomic(i, 3)) for i, n in enumerate(names)])
    (folder / "whitelist.txt").write_text("".join(f"{bc}-1\n" for bc in WHITELIST))
    return paths[1], paths[2], paths[3], folder / "whitelist.txt"


def _fastq(path) -> list[tuple[str, str, str, str]]:
    lines = gzip.decompress(path.read_bytes()).decode().split("\n")
    assert lines[-1] == ""
    return list(zip(*[iter(lines[:-1])] * 4))


@pytest.mark.parametrize("machine", ["revcomp", "forward"])
def test_tag_fastqs_end_to_end(tmp_path, machine):
    r1, r2, r3, wl = _lane(tmp_path / "in", machine)
    rep = tag_fastqs(r1, r2, r3, tmp_path / "out/R1.fq.gz", tmp_path / "out/R3.fq.gz", wl, suffix="-1",
                     report=tmp_path / "out/report.json")
    # 14 exact; corrected: the Q10 substitution and the single N; 1 ambiguous; 2 invalid; 1 with two Ns
    expected = {"read_pairs": 20, "orientation": machine, "exact": 14, "corrected": 2, "ambiguous": 1,
                "invalid": 2, "n": 1, "fraction_exact": 0.7, "fraction_corrected": 0.1,
                "fraction_with_barcode": 0.8, "correction": "cellranger", "min_posterior": 0.975, "suffix": "-1",
                "whitelist_size": 6}
    assert {k: rep[k] for k in expected} == expected
    hits = {"forward": 14, "revcomp": 0} if machine == "forward" else {"forward": 0, "revcomp": 14}
    assert rep["orientation_sample"] == {"n": 20, **hits}
    assert json.loads((tmp_path / "out/report.json").read_text()) == rep
    out1, out3 = _fastq(tmp_path / "out/R1.fq.gz"), _fastq(tmp_path / "out/R3.fq.gz")
    for i, ((bc, q, cb, _), rec1, rec3) in enumerate(zip(READS, out1, out3)):
        tags = f"CR:Z:{bc}\tCY:Z:{q}"  # raw barcode and qualities, oriented like the whitelist
        header = f"@{_name(i)} " + (f"CB:Z:{cb}-1\t{tags}" if cb else tags)
        assert rec1 == (header, *_genomic(i, 1)[:1], "+", _genomic(i, 1)[1])
        assert rec3 == (header, *_genomic(i, 3)[:1], "+", _genomic(i, 3)[1])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["R1.fq.gz", "R3.fq.gz", "report.json"]


def test_tag_fastqs_rerun_gives_identical_bytes(tmp_path):
    r1, r2, r3, wl = _lane(tmp_path / "in")
    for run in ("a", "b"):
        tag_fastqs(r1, r2, r3, tmp_path / run / "x_R1.fq.gz", tmp_path / run / "x_R3.fq.gz", wl)
    for mate in ("R1", "R3"):
        data = (tmp_path / "a" / f"x_{mate}.fq.gz").read_bytes()
        assert data == (tmp_path / "b" / f"x_{mate}.fq.gz").read_bytes()
        assert data[3] & 0x08 == 0 and data[4:8] == b"\0\0\0\0"  # no file name, mtime 0


def test_none_mode_writes_the_authors_header(tmp_path):
    r1, r2, r3, wl = _lane(tmp_path / "in")
    rep = tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl, correction="none")
    out1 = _fastq(tmp_path / "R1.fq.gz")
    # raw barcode (oriented), no correction, no tags
    assert [rec[0] for rec in out1] == [f"@{bc}:{_name(i)}" for i, (bc, *_) in enumerate(READS)]
    assert rep["corrected"] == 0 and rep["exact"] == 14 and rep["n"] == 2 and rep["invalid"] == 4
    # forced forward on a reverse-complement lane: sinto's bytes (the read as sequenced)
    tag_fastqs(r1, r2, r3, tmp_path / "f_R1.fq.gz", tmp_path / "f_R3.fq.gz", wl, correction="none",
               orientation="forward")
    assert _fastq(tmp_path / "f_R1.fq.gz")[0][0] == f"@{reverse_complement(A)}:{_name(0)}"


def test_mate_suffixes_are_ignored_in_the_name_check(tmp_path):
    names = [f"{_name(i)}/1" for i in range(len(READS))]
    r1, r2, r3, wl = _lane(tmp_path / "in", names=names)
    # R3 names end in /3 instead of /1
    _write_fastq(r3, [(f"{_name(i)}/3", *_genomic(i, 3)) for i in range(len(READS))])
    rep = tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl)
    assert rep["read_pairs"] == 20
    assert _fastq(tmp_path / "R3.fq.gz")[0][0].startswith(f"@{_name(0)}/1 CB:Z:{A}\t")


def test_name_mismatch_names_files_and_record_and_leaves_no_output(tmp_path):
    r1, r2, r3, wl = _lane(tmp_path / "in")
    recs = [(_name(i) if i != 6 else "OTHER:1", *_genomic(i, 3)) for i in range(len(READS))]
    _write_fastq(r3, recs)
    with pytest.raises(ValueError, match=r"record 7 .*OTHER:1") as err:
        tag_fastqs(r1, r2, r3, tmp_path / "out/R1.fq.gz", tmp_path / "out/R3.fq.gz", wl)
    assert str(r1) in str(err.value) and str(r3) in str(err.value)
    assert list((tmp_path / "out").iterdir()) == []


def test_different_record_counts_fail(tmp_path):
    r1, r2, r3, wl = _lane(tmp_path / "in")
    _write_fastq(r3, [(_name(i), *_genomic(i, 3)) for i in range(len(READS) - 1)])
    with pytest.raises(ValueError, match="fewer FASTQ records"):
        tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl)
    _write_fastq(r1, [(_name(i), *_genomic(i, 1)) for i in range(len(READS) - 2)])
    with pytest.raises(ValueError, match="more FASTQ records"):
        tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl)
    assert not list(tmp_path.glob("R*.fq.gz*"))


def test_multiome_barcode_length_is_rejected(tmp_path):
    r1, r2, r3, wl = _lane(tmp_path / "in", barcode_len=24)
    with pytest.raises(ValueError, match=r"24 bp.*16-bp barcodes.*Multiome \(ARC\).*not supported") as err:
        tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl)
    assert str(r2) in str(err.value)


def test_inputs_are_checked_early(tmp_path):
    r1, r2, r3, wl = _lane(tmp_path / "in")
    with pytest.raises(FileNotFoundError, match="missing_R3"):
        tag_fastqs(r1, r2, tmp_path / "missing_R3.fq.gz", tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl)
    with pytest.raises(ValueError, match="suffix"):
        tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl, suffix="-1 x")
    # a whitelist of another chemistry: < 5 % either way
    (tmp_path / "other.txt").write_text("GATGCATACGCCTTTT\nCTTGCTGTGTCCACCC\n")
    with pytest.raises(ValueError, match="lib_S1_L001_R2_001.fastq.gz: only 0.00%"):
        tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", tmp_path / "other.txt")


def test_benchmark_runs_and_corrects_the_simulated_errors(tmp_path):
    res = benchmark_barcodes(n_pairs=3000, seed=1, workdir=tmp_path)
    assert res["read_pairs"] == 3000 and res["pairs_per_second"] > 0
    assert res["hours_for_200M"] == pytest.approx(200e6 / res["pairs_per_second"] / 3600)
    assert set(res) == {"read_pairs", "seconds", "pairs_per_second", "hours_for_200M"}
    rep = json.loads((tmp_path / "report.json").read_text())
    assert rep["orientation"] == "revcomp"
    # ~5 % one-substitution and ~0.5 % single-N barcodes are corrected; ~1 % random ones are not
    assert 0.04 < rep["fraction_corrected"] < 0.07 and 0.985 < rep["fraction_with_barcode"] < 0.995


def test_bgzf_and_plain_inputs_and_truncated_record(tmp_path):
    import pysam

    r1, r2, r3, wl = _lane(tmp_path / "in")
    ref = tag_fastqs(r1, r2, r3, tmp_path / "a_R1.fq.gz", tmp_path / "a_R3.fq.gz", wl)
    # R2 as BGZF (many gzip members), R1 uncompressed: same result
    plain_r2 = tmp_path / "R2.fq"
    plain_r2.write_bytes(gzip.decompress(r2.read_bytes()))
    pysam.tabix_compress(str(plain_r2), str(tmp_path / "R2.fq.bgz"))
    plain_r1 = tmp_path / "R1.fq"
    plain_r1.write_bytes(gzip.decompress(r1.read_bytes()))
    rep = tag_fastqs(plain_r1, tmp_path / "R2.fq.bgz", r3, tmp_path / "b_R1.fq.gz", tmp_path / "b_R3.fq.gz", wl)
    assert rep == ref
    assert (tmp_path / "a_R1.fq.gz").read_bytes() == (tmp_path / "b_R1.fq.gz").read_bytes()
    # R1 cut inside its last record
    plain_r1.write_bytes(plain_r1.read_bytes().rsplit(b"\n+\n", 1)[0] + b"\n")
    with pytest.raises(ValueError, match="R1.fq: the last FASTQ record is incomplete"):
        tag_fastqs(plain_r1, r2, r3, tmp_path / "c_R1.fq.gz", tmp_path / "c_R3.fq.gz", wl)


def test_malformed_barcode_record_names_file_and_record(tmp_path):
    r1, r2, r3, wl = _lane(tmp_path / "in", "forward")
    recs = [(_name(i), bc, q if i != 14 else q[:-1]) for i, (bc, q, _, _) in enumerate(READS)]
    _write_fastq(r2, recs)  # record 15 (the ambiguous one, so its qualities are read) lacks a quality
    with pytest.raises(ValueError, match=r"R2_001.fastq.gz: FASTQ record 15: barcode .* 16 bases but 15 qualities"):
        tag_fastqs(r1, r2, r3, tmp_path / "R1.fq.gz", tmp_path / "R3.fq.gz", wl)
