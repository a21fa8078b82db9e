"""Per-allele fragment counts on hand-built BAMs (exact counts), FRiP, and Picard helpers."""
from __future__ import annotations

import math
import shutil
import subprocess

import numpy as np
import pandas as pd
import pysam
import pytest

from deepallele.reads.counts import (
    COUNT_COLUMNS,
    LONG_COLUMNS,
    allele_count_table,
    count_alleles,
    count_bam,
    count_bam_modes,
    count_fragments,
    count_fragments_per_sample,
    count_modes_per_sample,
    fragments_in_intervals,
    frip,
    frip_table,
    interval_hits,
    mode_table,
    overlap_counts,
    write_count_tables,
)
from deepallele.reads.dedup import (
    java_heap_mb,
    markduplicates_command,
    picard_command,
    read_markduplicates_metrics,
)

CONTIGS = {"chr1": 5000, "chr2": 3000}
PEAKS = pd.DataFrame({"chrom": ["chr1", "chr1", "chr1", "chr2"], "start": [100, 300, 1000, 500],
                      "end": [200, 400, 1100, 600], "name": ["p1", "p2", "p3", "p4"]})


def _read(name, chrom, start, length, flag, mate_chrom=None, mate_start=0, tlen=0):
    r = pysam.AlignedSegment()
    r.query_name = name
    r.flag = flag
    r.reference_id = list(CONTIGS).index(chrom)
    r.reference_start = start
    r.mapping_quality = 40
    r.cigartuples = [(0, length)]
    r.query_sequence = "A" * length
    r.query_qualities = pysam.qualitystring_to_array("I" * length)
    if mate_chrom is not None:
        r.next_reference_id = list(CONTIGS).index(mate_chrom)
        r.next_reference_start = mate_start
    r.template_length = tlen
    return r


def _pair(name, chrom, fwd, rev, proper=True, extra=0, read1_forward=True):
    """A forward mate at fwd=(start, length) and a reverse mate at rev=(start, length)."""
    tlen = rev[0] + rev[1] - fwd[0]
    flag = 0x1 | (0x2 if proper else 0) | extra
    fwd_flag = flag | 0x20 | (0x40 if read1_forward else 0x80)
    rev_flag = flag | 0x10 | (0x80 if read1_forward else 0x40)
    return [_read(name, chrom, fwd[0], fwd[1], fwd_flag, chrom, rev[0], tlen),
            _read(name, chrom, rev[0], rev[1], rev_flag, chrom, fwd[0], -tlen)]


def _write_bam(path, reads, index=True):
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": c, "LN": n} for c, n in CONTIGS.items()]}
    unsorted = str(path) + ".unsorted.bam"
    with pysam.AlignmentFile(unsorted, "wb", header=header) as out:
        for r in reads:
            out.write(r)
    pysam.sort("-o", str(path), unsorted)
    if index:
        pysam.index(str(path))
    return str(path)


def _ref_reads():
    reads = []
    reads += _pair("a", "chr1", (120, 30), (160, 30))            # both mates in p1: once
    reads += _pair("b", "chr1", (150, 30), (320, 30))            # spans p1 and p2: once in each
    reads += _pair("c", "chr1", (250, 30), (420, 30))            # mates outside, fragment covers p2
    reads += [_read("d", "chr1", 110, 30, 0)]                    # unpaired: ignored
    reads += _pair("e", "chr1", (1010, 30), (1050, 30), proper=False)      # improper: ignored
    reads += _pair("f", "chr1", (1010, 30), (1060, 30), extra=0x400)       # flagged duplicate: ignored
    reads += _pair("g", "chr1", (1010, 30), (1050, 30))          # p3
    reads += _pair("h", "chr1", (40, 30), (70, 30))              # ends where p1 starts: no overlap
    reads += _pair("i", "chr2", (10, 30), (100, 30))             # no peak
    reads += _pair("j", "chr1", (130, 40), (140, 40))            # mates overlap each other in p1: once
    reads += [_read("g", "chr1", 310, 30, 0x1 | 0x2 | 0x100 | 0x40, "chr1", 1050)]  # secondary: ignored
    reads += [_read("o", "chr1", 310, 30, 0x1 | 0x2 | 0x40 | 0x20, "chr1", 600, 320)]  # orphan
    reads += _pair("m", "chr1", (1090, 30), (1150, 30), read1_forward=False)  # read1 reverse: p3
    return reads


def _alt_reads():
    reads = _pair("A1", "chr1", (100, 30), (170, 30))
    for k in range(3):
        reads += _pair(f"A3_{k}", "chr1", (1000 + 10 * k, 30), (1060, 30))
    reads += _pair("A4", "chr2", (550, 30), (590, 30))
    return reads


@pytest.fixture(scope="module")
def bams(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("counts")
    return {
        "S1": {"ref": _write_bam(tmp / "S1.ref.bam", _ref_reads()), "alt": _write_bam(tmp / "S1.alt.bam", _alt_reads())},
        "S2": {"ref": _write_bam(tmp / "S2.ref.bam", _pair("z", "chr1", (330, 30), (360, 30))),
               "alt": _write_bam(tmp / "S2.alt.bam", [])},
    }


def test_exact_counts_one_sample(bams):
    table = count_fragments(bams["S1"], PEAKS, mode="span")
    assert list(table.columns) == COUNT_COLUMNS
    assert table["peak"].tolist() == ["p1", "p2", "p3", "p4"]
    assert table["ref_count"].tolist() == [3, 2, 2, 0]
    assert table["alt_count"].tolist() == [1, 0, 3, 1]
    assert table["ref_count"].dtype == np.int64 and table["alt_count"].dtype == np.int64
    assert table["ln_ratio"].tolist() == pytest.approx([math.log(4 / 2), math.log(3 / 1), math.log(3 / 4), math.log(1 / 2)])


def test_bam_totals_orphans_and_skipped(bams):
    result = count_bam(bams["S1"]["ref"], PEAKS, mode="span")
    assert result.fragments == 8           # a b c g h i j m
    assert result.in_peaks == 6            # all but h and i
    assert result.orphans == 1             # o
    assert result.skipped_reads == 6       # d, e (2), f (2), secondary g
    assert result.frip == pytest.approx(0.75)
    assert frip(bams["S1"]["ref"], PEAKS, mode="span") == pytest.approx(0.75)


def test_overlapping_peaks_each_counted(bams):
    peaks = pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [100, 150], "end": [200, 350], "name": ["p1", "q"]})
    assert count_bam(bams["S1"]["ref"], peaks, mode="span").counts.tolist() == [3, 4]   # q: a b c j
    assert count_bam(bams["S1"]["ref"], peaks, mode="span").in_peaks == 4


def test_counts_do_not_depend_on_peak_order(bams):
    shuffled = PEAKS.iloc[[3, 1, 0, 2]].reset_index(drop=True)
    table = count_fragments(bams["S1"], shuffled, mode="span").set_index("peak")
    assert table.loc[["p1", "p2", "p3", "p4"], "ref_count"].tolist() == [3, 2, 2, 0]


def test_samples_summed_and_long_table(bams, tmp_path):
    long, qc = count_fragments_per_sample(bams, PEAKS, mode="span")
    assert list(long.columns) == LONG_COLUMNS
    assert long.iloc[:4].values.tolist() == [["p1", "S1", "ref", 3], ["p1", "S1", "alt", 1],
                                             ["p1", "S2", "ref", 0], ["p1", "S2", "alt", 0]]
    s2 = long[(long["sample"] == "S2") & (long["allele"] == "ref")]
    assert s2["count"].tolist() == [0, 1, 0, 0]
    wide = allele_count_table(long, PEAKS)
    assert wide["ref_count"].tolist() == [3, 3, 2, 0]
    assert wide["alt_count"].tolist() == [1, 0, 3, 1]
    pd.testing.assert_frame_equal(wide, count_fragments({"ref": [bams["S1"]["ref"], bams["S2"]["ref"]],
                                                         "alt": [bams["S1"]["alt"], bams["S2"]["alt"]]}, PEAKS,
                                                        mode="span"))
    assert qc[["sample", "allele", "fragments", "fragments_in_peaks"]].values.tolist() == [
        ["S1", "ref", 8, 6], ["S1", "alt", 5, 5], ["S2", "ref", 1, 1], ["S2", "alt", 0, 0]]
    assert math.isnan(qc["frip"].iloc[3])
    assert frip_table(bams, PEAKS, mode="span")["frip"].iloc[:3].tolist() == pytest.approx([0.75, 1.0, 1.0])

    write_count_tables(long, wide, tmp_path / "c.tsv", tmp_path / "c_long.tsv")
    back = pd.read_csv(tmp_path / "c.tsv", sep="\t")
    assert list(back.columns) == COUNT_COLUMNS
    assert back["ln_ratio"].tolist() == pytest.approx(wide["ln_ratio"].tolist(), abs=1e-6)
    assert pd.read_csv(tmp_path / "c_long.tsv", sep="\t").shape == (16, 4)


def test_counts_are_deterministic(bams):
    a = count_fragments_per_sample(bams, PEAKS)[0]
    b = count_fragments_per_sample(bams, PEAKS)[0]
    pd.testing.assert_frame_equal(a, b)


def test_missing_index_and_unknown_contig_are_named(tmp_path, bams):
    noindex = _write_bam(tmp_path / "noindex.bam", _alt_reads(), index=False)
    with pytest.raises(FileNotFoundError, match=r"noindex\.bam: BAM has no index"):
        count_bam(noindex, PEAKS)
    bad = pd.DataFrame({"chrom": ["chrX"], "start": [0], "end": [10], "name": ["x"]})
    with pytest.raises(ValueError, match=r"S1\.ref\.bam: peak chromosome\(s\) \['chrX'\] are not in the BAM"):
        count_bam(bams["S1"]["ref"], bad)
    with pytest.raises(ValueError, match="alleles"):
        count_fragments({"ref": bams["S1"]["ref"]}, PEAKS)


def test_overlap_counts_match_brute_force():
    rng = np.random.default_rng(3)
    s = rng.integers(0, 2000, 3000)
    e = s + rng.integers(1, 300, 3000)
    ps = rng.integers(0, 2000, 200)
    pe = ps + rng.integers(1, 400, 200)
    brute = [int(((s < b) & (e > a)).sum()) for a, b in zip(ps, pe)]
    assert overlap_counts(s, e, ps, pe).tolist() == brute
    any_hit = sum(any(si < b and ei > a for a, b in zip(ps, pe)) for si, ei in zip(s, e))
    assert fragments_in_intervals(s, e, ps, pe) == any_hit


# --- Picard MarkDuplicates helpers


def test_picard_command_puts_jvm_options_first():
    assert picard_command("PicardCommandLine", "-Xmx2g") == ["PicardCommandLine", "-Xmx2g"]
    assert picard_command("java -jar /usr/share/java/picard.jar", "-Xmx4g -XX:ParallelGCThreads=1") == [
        "java", "-Xmx4g", "-XX:ParallelGCThreads=1", "-jar", "/usr/share/java/picard.jar"]
    cmd = markduplicates_command("picard", "-Xmx1g", "in.bam", "out.bam", "m.txt", "tmp")
    assert cmd[:3] == ["picard", "-Xmx1g", "MarkDuplicates"]
    assert cmd[3:] == ["-I", "in.bam", "-O", "out.bam", "-M", "m.txt", "--REMOVE_DUPLICATES", "true",
                       "--ASSUME_SORT_ORDER", "coordinate", "--VALIDATION_STRINGENCY", "LENIENT", "--TMP_DIR", "tmp"]
    with pytest.raises(ValueError):
        picard_command("", "")


def test_java_heap():
    assert java_heap_mb("-Xmx2g") == 2048
    assert java_heap_mb("-Xms1g -Xmx512m") == 512
    assert java_heap_mb("") == 2048


METRICS = """## htsjdk.samtools.metrics.StringHeader
# MarkDuplicates INPUT=[in.bam] ...
## htsjdk.samtools.metrics.StringHeader
# Started on: Mon Jan 01 00:00:00 UTC 2024

## METRICS CLASS\tpicard.sam.DuplicationMetrics
LIBRARY\tUNPAIRED_READS_EXAMINED\tREAD_PAIRS_EXAMINED\tSECONDARY_OR_SUPPLEMENTARY_RDS\tUNMAPPED_READS\tUNPAIRED_READ_DUPLICATES\tREAD_PAIR_DUPLICATES\tREAD_PAIR_OPTICAL_DUPLICATES\tPERCENT_DUPLICATION\tESTIMATED_LIBRARY_SIZE
{rows}

## HISTOGRAM\tjava.lang.Double
BIN\tCoverageMult\tall_sets
1.0\t1.1\t1
"""


def test_read_markduplicates_metrics(tmp_path):
    path = tmp_path / "m.txt"
    path.write_text(METRICS.format(rows="Unknown Library\t2\t1000\t0\t0\t0\t50\t0\t0.04995\t9500"))
    m = read_markduplicates_metrics(path)
    assert m["READ_PAIRS_EXAMINED"] == 1000 and m["READ_PAIR_DUPLICATES"] == 50
    assert m["PERCENT_DUPLICATION"] == pytest.approx(0.04995)
    assert m["LIBRARY"] == "Unknown Library" and m["ESTIMATED_LIBRARY_SIZE"] == 9500

    path.write_text(METRICS.format(rows="L1\t0\t100\t0\t0\t0\t10\t0\t0.1\t\nL2\t0\t300\t0\t0\t0\t10\t0\t0.033\t"))
    m = read_markduplicates_metrics(path)
    assert m["READ_PAIRS_EXAMINED"] == 400 and m["READ_PAIR_DUPLICATES"] == 20
    assert m["PERCENT_DUPLICATION"] == pytest.approx(0.05)

    bad = tmp_path / "bad.txt"
    bad.write_text("not a metrics file\n")
    with pytest.raises(ValueError, match=r"bad\.txt: no '## METRICS CLASS'"):
        read_markduplicates_metrics(bad)


# --- counting modes: reads (featureCounts -p -B), cutsites, span


def _cigar_read(name, chrom, start, cigar, flag, mate_start, tlen):
    r = pysam.AlignedSegment()
    r.query_name = name
    r.flag = flag
    r.reference_id = r.next_reference_id = list(CONTIGS).index(chrom)
    r.reference_start = start
    r.next_reference_start = mate_start
    r.mapping_quality = 40
    r.cigarstring = cigar
    n = r.query_length or sum(k for op, k in r.cigartuples if op in (0, 1, 4, 7, 8))
    r.query_sequence = "A" * n
    r.query_qualities = pysam.qualitystring_to_array("I" * n)
    r.template_length = tlen
    return r


def _cigar_pair(name, chrom, fwd, rev, read1_forward=True):
    """A forward mate fwd=(start, cigar) and a reverse mate rev=(start, cigar)."""
    f = _cigar_read(name, chrom, fwd[0], fwd[1], 0x1 | 0x2 | 0x20 | (0x40 if read1_forward else 0x80), rev[0], 0)
    r = _cigar_read(name, chrom, rev[0], rev[1], 0x1 | 0x2 | 0x10 | (0x80 if read1_forward else 0x40), fwd[0], 0)
    tlen = max(f.reference_end, r.reference_end) - min(f.reference_start, r.reference_start)
    f.template_length, r.template_length = tlen, -tlen
    return [f, r]


def test_reads_mode_is_the_default_and_ignores_the_unsequenced_middle(bams):
    # fragment c (mates at 250-280 and 420-450) covers p2 only with its unsequenced middle
    table = count_fragments(bams["S1"], PEAKS)
    assert table["ref_count"].tolist() == [3, 1, 2, 0]
    result = count_bam(bams["S1"]["ref"], PEAKS)
    assert (result.mode, result.fragments, result.in_peaks) == ("reads", 8, 5)
    assert count_bam(bams["S1"]["ref"], PEAKS, mode="cutsites").counts.tolist() == [3, 1, 2, 0]
    with pytest.raises(ValueError, match="counting mode"):
        count_bam(bams["S1"]["ref"], PEAKS, mode="fragments")


def test_modes_differ_as_specified(tmp_path):
    reads = []
    reads += _cigar_pair("x", "chr1", (80, "30M"), (250, "30M"))       # forward read reaches into p1, cut at 80 outside
    reads += _cigar_pair("y", "chr1", (190, "30M"), (380, "30M"), read1_forward=False)  # reads in p1 and p2; cut 409 outside p2
    reads += _cigar_pair("z", "chr1", (1060, "10M3D20M"), (1200, "30M"))  # blocks 1060-1070, 1073-1093
    reads += _cigar_pair("w", "chr1", (330, "5S25M"), (370, "20M3I10M"))  # reverse cut at reference_end - 1 = 399 (in p2)
    bam = _write_bam(tmp_path / "modes.bam", reads)
    got = {m: count_bam(bam, PEAKS, mode=m).counts.tolist() for m in ("reads", "cutsites", "span")}
    assert got["reads"] == [2, 2, 1, 0]      # p1: x y; p2: y w; p3: z
    assert got["cutsites"] == [1, 1, 1, 0]   # p1: y (190); p2: w (330 and 399: once); p3: z (1060)
    assert got["span"] == [2, 2, 1, 0]
    modes = count_bam_modes(bam, PEAKS)
    assert {m: r.counts.tolist() for m, r in modes.items()} == got
    assert {m: r.in_peaks for m, r in modes.items()} == {"reads": 4, "cutsites": 3, "span": 4}
    # multi_overlap="majority" (featureCounts without -O): y's two reads hit p1 and p2 (one vote
    # each) and its span both, a tie, so it counts nowhere; its cut sites hit p1 only
    majority = count_bam_modes(bam, PEAKS, multi_overlap="majority")
    assert {m: r.counts.tolist() for m, r in majority.items()} == {
        "reads": [1, 1, 1, 0], "cutsites": [1, 1, 1, 0], "span": [1, 1, 1, 0]}
    assert {m: r.in_peaks for m, r in majority.items()} == {"reads": 4, "cutsites": 3, "span": 4}  # FRiP unchanged
    with pytest.raises(ValueError, match="multi_overlap"):
        count_bam(bam, PEAKS, multi_overlap="first")


def _random_pairs(rng, n):
    cigars = ["{a}M", "5S{b}M", "{c}M3I{d}M", "{c}M3D{d}M", "{b}M4S", "2S{c}M2I{d}M6S"]
    reads = []
    for i in range(n):
        chrom = "chr1" if rng.random() < 0.8 else "chr2"
        a = int(rng.integers(20, 60))
        cig = [cigars[int(rng.integers(len(cigars)))].format(a=a, b=a - 5, c=a // 2, d=a - a // 2) for _ in (0, 1)]
        left = int(rng.integers(0, CONTIGS[chrom] - 800))
        right = left + int(rng.integers(0, 400))
        reads += _cigar_pair(f"r{i}", chrom, (left, cig[0]), (right, cig[1]), read1_forward=bool(rng.random() < 0.5))
    return reads


def test_modes_match_brute_force(tmp_path):
    rng = np.random.default_rng(7)
    reads = _random_pairs(rng, 400)
    bam = _write_bam(tmp_path / "random.bam", reads)
    starts = rng.integers(0, 4000, 60)
    peaks = pd.DataFrame({"chrom": np.where(np.arange(60) < 45, "chr1", "chr2"), "start": starts,
                          "end": starts + rng.integers(1, 300, 60), "name": [f"p{i}" for i in range(60)]})
    peaks.loc[peaks["chrom"] == "chr2", ["start", "end"]] //= 2
    pairs = {}
    for r in reads:
        pairs.setdefault(r.query_name, []).append(r)

    def hits(mode, r1, r2, chrom, ps, pe):
        if r1.reference_id != list(CONTIGS).index(chrom):
            return False
        if mode == "span":
            ivs = [(min(r1.reference_start, r2.reference_start), max(r1.reference_end, r2.reference_end))]
        elif mode == "reads":
            ivs = [b for r in (r1, r2) for b in r.get_blocks()]
        else:
            cuts = [r.reference_end - 1 if r.is_reverse else r.reference_start for r in (r1, r2)]
            ivs = [(c, c + 1) for c in cuts]
        return any(s < pe and e > ps for s, e in ivs)

    peak_rows = list(zip(peaks["chrom"], peaks["start"], peaks["end"]))
    for mode in ("reads", "cutsites", "span"):
        want = [sum(hits(mode, *p, c, s, e) for p in pairs.values()) for c, s, e in peak_rows]
        result = count_bam(bam, peaks, mode=mode)
        assert result.counts.tolist() == want, mode
        # majority: each read votes for the peaks it hits; a single top peak wins, a tie counts nowhere
        want_majority = [0] * len(peak_rows)
        for r1, r2 in pairs.values():
            votes = [sum(hits(mode, r, r, c, s, e) for r in (r1, r2)) if mode != "span" else int(hits(mode, r1, r2, c, s, e))
                     for c, s, e in peak_rows]
            top = max(votes)
            if top and votes.count(top) == 1:
                want_majority[votes.index(top)] += 1
        assert count_bam(bam, peaks, mode=mode, multi_overlap="majority").counts.tolist() == want_majority, mode
        assert sum(want_majority) < sum(want), mode   # the random peaks overlap: some fragments are ambiguous
        assert result.in_peaks == sum(any(hits(mode, *p, c, s, e) for c, s, e in
                                          zip(peaks["chrom"], peaks["start"], peaks["end"])) for p in pairs.values())


def test_interval_hits_match_brute_force():
    rng = np.random.default_rng(5)
    s = rng.integers(0, 2000, 500)
    e = s + rng.integers(1, 200, 500)
    ps = rng.integers(0, 2000, 80)
    pe = ps + rng.integers(1, 400, 80)
    iv, pk = interval_hits(s, e, ps, pe)
    got = sorted(zip(iv.tolist(), pk.tolist()))
    want = [(i, j) for i in range(500) for j in range(80) if s[i] < pe[j] and e[i] > ps[j]]
    assert got == want


def test_count_modes_per_sample_and_mode_table(bams, tmp_path):
    per_mode = count_modes_per_sample(bams, PEAKS)
    assert list(per_mode) == ["reads", "cutsites", "span"]
    for mode, (long, qc) in per_mode.items():
        one = count_fragments_per_sample(bams, PEAKS, mode=mode)
        pd.testing.assert_frame_equal(long, one[0])
        pd.testing.assert_frame_equal(qc, one[1])
    table = mode_table(per_mode, PEAKS)
    assert list(table.columns) == ["mode", *COUNT_COLUMNS]
    assert table[table["mode"] == "span"]["ref_count"].tolist() == [3, 3, 2, 0]
    assert table[table["mode"] == "reads"]["ref_count"].tolist() == [3, 2, 2, 0]


FEATURECOUNTS = shutil.which("featureCounts")


@pytest.mark.skipif(FEATURECOUNTS is None, reason="featureCounts (Debian package subread) is not installed: "
                                                   "apt-get install subread")
@pytest.mark.parametrize("multi_overlap", ["each", "majority"])
def test_reads_mode_equals_featurecounts(tmp_path, multi_overlap):
    """Parity with the paper's counter: featureCounts -p -B --countReadPairs on a SAF of the peaks.

    With -O a fragment counts in every peak it overlaps (``multi_overlap="each"``); without it
    (the paper's command) it counts in the peak most of its reads hit, nowhere on a tie
    (``"majority"``). Peaks
    here overlap each other on purpose. Reads carry soft clips, insertions and deletions.
    """
    rng = np.random.default_rng(17)
    reads = _random_pairs(rng, 600)
    reads += _cigar_pair("del_edge", "chr2", (2700, "10M3D20M"), (2900, "30M"))   # its deleted bases 2710-2712 are peak e
    bam = _write_bam(tmp_path / "fc.bam", reads)
    starts = rng.integers(0, 4000, 50)
    peaks = pd.DataFrame({"chrom": np.where(np.arange(50) < 40, "chr1", "chr2"), "start": starts,
                          "end": starts + rng.integers(1, 300, 50), "name": [f"p{i}" for i in range(50)]})
    peaks.loc[peaks["chrom"] == "chr2", ["start", "end"]] //= 2
    peaks.loc[len(peaks)] = ["chr2", 2710, 2713, "e"]
    saf = tmp_path / "peaks.saf"
    saf.write_text("GeneID\tChr\tStart\tEnd\tStrand\n" + "".join(
        f"{n}\t{c}\t{s + 1}\t{e}\t+\n" for n, c, s, e in zip(peaks["name"], peaks["chrom"], peaks["start"], peaks["end"])))
    out = tmp_path / "fc.txt"
    overlap_flag = ["-O"] if multi_overlap == "each" else []
    res = subprocess.run([FEATURECOUNTS, "-p", "-B", "--countReadPairs", *overlap_flag, "-F", "SAF", "-T", "1",
                          "-a", str(saf), "-o", str(out), bam], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    fc = pd.read_csv(out, sep="\t", comment="#").set_index("Geneid").iloc[:, -1]
    ours = count_bam(bam, peaks, mode="reads", multi_overlap=multi_overlap).counts
    assert ours.tolist() == fc.loc[peaks["name"]].tolist()
    assert fc.loc["e"] == 0 and fc.sum() > 100                        # a deletion covers no base
    assert count_bam(bam, peaks, mode="span").counts[-1] == 1


def test_count_alleles_writes_the_three_tables(bams, tmp_path, caplog):
    paths = [tmp_path / n for n in ("counts.tsv", "per_sample.tsv", "modes.tsv")]
    with caplog.at_level("INFO", logger="deepallele.reads.counts"):
        wide = count_alleles(bams, PEAKS, "span", "each", *paths)
    assert wide["ref_count"].tolist() == [3, 3, 2, 0] and wide["alt_count"].tolist() == [1, 0, 3, 1]
    assert pd.read_csv(paths[0], sep="\t")["ref_count"].tolist() == [3, 3, 2, 0]
    assert pd.read_csv(paths[1], sep="\t").shape == (16, 4)
    modes = pd.read_csv(paths[2], sep="\t")
    assert modes["mode"].unique().tolist() == ["reads", "cutsites", "span"]
    assert modes[modes["mode"] == "reads"]["ref_count"].tolist() == [3, 2, 2, 0]
    assert "counting mode: span" in caplog.text and "S1 ref: 8 fragments, 6 in peaks" in caplog.text
    assert "4 peaks: 8 ref and 5 alt fragments" in caplog.text
