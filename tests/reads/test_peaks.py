"""Peak sets: format detection, validation with file-naming errors, summit windows, BED output."""
from __future__ import annotations

import gzip

import pandas as pd
import pytest

from deepallele.reads.peaks import (
    BED_COLUMNS,
    PeakError,
    MACS3_GENOME_SIZES,
    build_peak_set,
    configured_genome_size,
    detect_format,
    effective_genome_size,
    fixed_width_windows,
    genome_size,
    non_n_bases,
    read_chrom_sizes,
    read_narrowpeak,
    read_peaks,
    write_bed,
)

SIZES = {"chr2": 5000, "chr1": 3000, "chrM": 100}  # FASTA order: chr2 first


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


def _np_line(chrom, start, end, name, score, signal, p, q, summit):
    return f"{chrom}\t{start}\t{end}\t{name}\t{score}\t.\t{signal}\t{p}\t{q}\t{summit}"


# --- contigs


def test_chrom_sizes_keep_fasta_order(tmp_path):
    fai = _write(tmp_path / "ref.fa.fai", ["chr2\t5000\t6\t60\t61", "chr1\t3000\t5100\t60\t61", "chrM\t100\t8200\t60\t61"])
    assert list(read_chrom_sizes(fai).items()) == list(SIZES.items())


def test_missing_fai_is_named(tmp_path):
    with pytest.raises(PeakError, match=r"ref\.fa\.fai: contig sizes file not found"):
        read_chrom_sizes(tmp_path / "ref.fa.fai")


def test_effective_genome_size_leaves_out_chrM_and_globs():
    assert effective_genome_size(SIZES) == 8000
    sizes = {**SIZES, "chrUn_x": 50, "chr1_random": 40}
    assert effective_genome_size(sizes, ["chrM", "chrUn*", "*random*"]) == 8000
    with pytest.raises(PeakError, match="effective genome size is 0"):
        effective_genome_size({"chrM": 10})


def test_effective_genome_size_counts_non_n_bases(tmp_path):
    import pysam

    seqs = {"chr1": "ACGT" * 25 + "N" * 50 + "acgt" * 10 + "nnnnn" + "GG",       # 100 + 50 N + 40 + 5 n + 2
            "chr2": "N" * 30 + "ACGTACGTAC",                                     # telomere gap
            "chrM": "ACGT" * 10, "chrUn_x": "A" * 7}
    fasta = tmp_path / "ref.fa"
    fasta.write_text("".join(f">{c}\n{s}\n" for c, s in seqs.items()))
    pysam.faidx(str(fasta))
    exclude = ["chrM", "chrUn*"]
    bases = non_n_bases(fasta, exclude)
    assert bases == {"chr1": 142, "chr2": 10, "chrM": 0, "chrUn_x": 0}
    assert effective_genome_size(bases, exclude) == 152
    # the sum of contig lengths (the earlier rule) counts the gaps too
    assert effective_genome_size(read_chrom_sizes(f"{fasta}.fai"), exclude) == 237
    # the size the peak caller gets: counted like this, unless the config gives one (no FASTA read then)
    assert genome_size("", fasta, exclude) == 152 and genome_size(None, fasta, exclude) == 152
    assert genome_size("mm", tmp_path / "absent.fa") == MACS3_GENOME_SIZES["mm"]
    assert genome_size(1000, tmp_path / "absent.fa") == 1000


def test_configured_genome_size():
    assert configured_genome_size("") is None and configured_genome_size(None) is None
    assert configured_genome_size("mm") == MACS3_GENOME_SIZES["mm"] == 2_652_783_500
    assert configured_genome_size(1.87e9) == 1_870_000_000
    assert configured_genome_size("2.7e9") == 2_700_000_000
    with pytest.raises(PeakError, match="neither a number"):
        configured_genome_size("mouse")


# --- reading and validation


def test_bed3_gets_generated_names(tmp_path):
    bed = _write(tmp_path / "p.bed", ["track name=x", "# comment", "chr1\t100\t200", "chr2\t0\t50"])
    peaks = read_peaks(bed, SIZES)
    assert list(peaks.columns) == BED_COLUMNS
    assert peaks["name"].tolist() == ["chr1-100-200", "chr2-0-50"]
    assert peaks["strand"].tolist() == [".", "."]


def test_bed6_keeps_names_and_scores(tmp_path):
    bed = _write(tmp_path / "p.bed", ["chr1\t100\t200\tpeakA\t7\t+", "chr1\t300\t400\t.\t3\t-"])
    peaks = read_peaks(bed, SIZES)
    assert peaks["name"].tolist() == ["peakA", "chr1-300-400"]
    assert peaks["score"].tolist() == [7, 3]
    assert peaks["strand"].tolist() == ["+", "-"]


def test_bed_header_line_and_gzip(tmp_path):
    path = tmp_path / "p.bed.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("chrom\tstart\tend\nchr1\t10\t20\n")
    assert read_peaks(path, SIZES)[["chrom", "start", "end"]].values.tolist() == [["chr1", 10, 20]]


def test_saf_is_one_based_inclusive(tmp_path):
    saf = _write(tmp_path / "p.saf", ["GeneID\tChr\tStart\tEnd\tStrand", "ocr1\tchr1\t101\t200\t+", "ocr2\tchr2\t1\t5000\t."])
    assert detect_format(saf) == "saf"
    peaks = read_peaks(saf, SIZES)
    assert peaks[["name", "chrom", "start", "end", "strand"]].values.tolist() == [
        ["ocr1", "chr1", 100, 200, "+"], ["ocr2", "chr2", 0, 5000, "."]]


def test_saf_detected_by_header_without_extension(tmp_path):
    saf = _write(tmp_path / "p.txt", ["GeneID\tChr\tStart\tEnd\tStrand", "x\tchr1\t1\t10\t+"])
    assert detect_format(saf) == "saf"
    assert read_peaks(saf)["start"].tolist() == [0]


def test_narrowpeak_detected_and_summits_absolute(tmp_path):
    path = _write(tmp_path / "macs_peaks.txt", [_np_line("chr1", 100, 300, "p1", 50, 4.5, 6.1, 5.0, 80),
                                                _np_line("chr1", 500, 600, "p2", 20, 2.0, 3.0, 2.0, -1)])
    assert detect_format(path) == "narrowPeak"
    peaks = read_narrowpeak(path, SIZES)
    assert peaks["summit"].tolist() == [180, 550]
    assert peaks["qvalue"].tolist() == [5.0, 2.0]
    assert peaks["signal"].tolist() == [4.5, 2.0]


def test_empty_peak_set_names_the_file(tmp_path):
    empty = _write(tmp_path / "given_peaks.bed", ["# nothing here", ""])
    with pytest.raises(PeakError, match=r"given_peaks\.bed: the peak set is empty"):
        read_peaks(empty, SIZES)
    (tmp_path / "zero.bed").write_text("")
    with pytest.raises(PeakError, match=r"zero\.bed: the peak set is empty"):
        read_peaks(tmp_path / "zero.bed")


def test_missing_peak_file_is_named(tmp_path):
    with pytest.raises(PeakError, match=r"nope\.bed: peak file not found"):
        read_peaks(tmp_path / "nope.bed")


def test_unknown_chromosome_is_named_with_line(tmp_path):
    bed = _write(tmp_path / "p.bed", ["chr1\t1\t10", "chrX\t1\t10", "1\t5\t9"])
    with pytest.raises(PeakError) as err:
        read_peaks(bed, SIZES)
    msg = str(err.value)
    assert str(bed) in msg and "not in the reference" in msg
    assert "'chrX' (line 2)" in msg and "'1' (line 3)" in msg
    assert "chr2, chr1, chrM" in msg


def test_bad_intervals_are_listed(tmp_path):
    bed = _write(tmp_path / "p.bed", ["chr1\t200\t100", "chr1\t5\t5", "chr1\t-3\t10", "chr1\t2900\t3001", "chr1\tx\t9"])
    with pytest.raises(PeakError) as err:
        read_peaks(bed, SIZES)
    msg = str(err.value)
    assert "line 5: start and end must be integers" in msg
    bed = _write(tmp_path / "p2.bed", ["chr1\t200\t100", "chr1\t5\t5", "chr1\t-3\t10", "chr1\t2900\t3001"])
    with pytest.raises(PeakError) as err:
        read_peaks(bed, SIZES)
    msg = str(err.value)
    assert "line 1: start must be < end" in msg and "line 2: start must be < end" in msg
    assert "line 3: start -3 is negative" in msg
    assert "line 4: chr1:2900-3001 ends past the contig end (3000)" in msg


def test_duplicate_names_rejected(tmp_path):
    bed = _write(tmp_path / "p.bed", ["chr1\t1\t10\ta", "chr1\t20\t30\ta"])
    with pytest.raises(PeakError, match=r"p\.bed: peak names must be unique.*'a' \(lines 1, 2\)"):
        read_peaks(bed)
    same = _write(tmp_path / "same.bed", ["chr1\t1\t10", "chr1\t1\t10"])
    with pytest.raises(PeakError, match="chr1-1-10"):
        read_peaks(same)


# --- windows


def _summits(rows):
    return pd.DataFrame(rows, columns=["chrom", "summit", "score", "qvalue", "signal", "pvalue"])


def test_windows_centred_and_clipped_at_contig_ends():
    summits = _summits([("chr1", 1000, 10, 5.0, 2.0, 6.0),   # centred
                        ("chr1", 30, 10, 5.0, 2.0, 6.0),     # runs off the start: moved right
                        ("chr1", 2990, 10, 5.0, 2.0, 6.0),   # runs off the end: moved left
                        ("chrM", 50, 10, 5.0, 2.0, 6.0)])    # contig shorter than the width
    win = fixed_width_windows(summits, 250, SIZES)
    assert win[["chrom", "start", "end"]].values.tolist() == [
        ["chr1", 0, 250], ["chr1", 875, 1125], ["chr1", 2750, 3000], ["chrM", 0, 100]]
    assert win["name"].tolist() == ["chr1-0-250", "chr1-875-1125", "chr1-2750-3000", "chrM-0-100"]
    assert list(win.columns) == BED_COLUMNS


def test_odd_width_window():
    win = fixed_width_windows(_summits([("chr1", 1000, 1, 1.0, 1.0, 1.0)]), 251, SIZES)
    assert (win["start"][0], win["end"][0]) == (875, 1126)


def test_overlapping_summits_keep_the_stronger():
    summits = _summits([
        ("chr2", 1000, 50, 3.0, 9.0, 4.0),   # overlaps the next, weaker -log10 q: dropped
        ("chr2", 1100, 40, 8.0, 2.0, 9.0),   # strongest: kept, 975..1225
        ("chr2", 1500, 60, 5.0, 5.0, 6.0),   # ties with 1550 on every column: the earlier one wins
        ("chr2", 1550, 60, 5.0, 5.0, 6.0),
        ("chr2", 1850, 1, 0.5, 1.0, 1.0),    # 1725..1975 overlaps nothing kept: kept
        ("chr2", 2450, 9, 5.0, 2.0, 6.0),    # same q as 2500, lower fold enrichment: dropped
        ("chr2", 2500, 9, 5.0, 9.0, 6.0),
    ])
    win = fixed_width_windows(summits, 250, SIZES)
    assert win[["start", "end", "score"]].values.tolist() == [
        [975, 1225, 40], [1375, 1625, 60], [1725, 1975, 1], [2375, 2625, 9]]


def test_overlap_resolution_independent_of_input_order():
    rows = [("chr1", s, int(q), q, 1.0, 1.0) for s, q in [(500, 2.0), (600, 5.0), (700, 2.0), (900, 1.0), (950, 1.0)]]
    a = fixed_width_windows(_summits(rows), 200, SIZES)
    b = fixed_width_windows(_summits(rows[::-1]), 200, SIZES)
    pd.testing.assert_frame_equal(a, b)
    # 600 (q 5) wins over 500 and 700; 900 and 950 tie on every column: 900 (earlier) wins
    assert a["start"].tolist() == [500, 800]


def test_touching_windows_both_kept():
    win = fixed_width_windows(_summits([("chr1", 100, 1, 1.0, 1, 1), ("chr1", 300, 2, 2.0, 1, 1)]), 200, SIZES)
    assert win[["start", "end"]].values.tolist() == [[0, 200], [200, 400]]


def test_windows_reject_unknown_chromosome_and_empty():
    with pytest.raises(PeakError, match="chrZ"):
        fixed_width_windows(_summits([("chrZ", 10, 1, 1.0, 1, 1)]), 100, SIZES)
    with pytest.raises(PeakError, match="empty"):
        fixed_width_windows(_summits([]), 100, SIZES)


# --- writing


def test_write_bed_sorted_by_fasta_order(tmp_path):
    peaks = pd.DataFrame({"chrom": ["chr1", "chr2", "chr1", "chrM"], "start": [50, 10, 5, 0], "end": [60, 20, 15, 10]})
    out = tmp_path / "out" / "peaks.bed"
    write_bed(peaks, out, SIZES)
    lines = out.read_text().splitlines()
    assert lines == ["chr2\t10\t20\tchr2-10-20\t0\t.", "chr1\t5\t15\tchr1-5-15\t0\t.",
                     "chr1\t50\t60\tchr1-50-60\t0\t.", "chrM\t0\t10\tchrM-0-10\t0\t."]


def test_build_peak_set_from_narrowpeak(tmp_path):
    np_file = _write(tmp_path / "d_peaks.narrowPeak", [_np_line("chr1", 100, 900, "p1", 50, 4.5, 6.1, 5.0, 400),
                                                       _np_line("chr1", 450, 700, "p2", 20, 2.0, 3.0, 2.0, 100),
                                                       _np_line("chr2", 4800, 5000, "p3", 30, 3.0, 3.0, 3.0, 150)])
    bed = build_peak_set(tmp_path / "peaks.bed", SIZES, narrowpeak=np_file, width=300)
    # chr2 first (FASTA order); p3 moved inside the contig; p2's summit (550) overlaps p1's window
    assert bed[["chrom", "start", "end", "score"]].values.tolist() == [
        ["chr2", 4700, 5000, 30], ["chr1", 350, 650, 50]]
    again = read_peaks(tmp_path / "peaks.bed", SIZES)
    assert again["name"].tolist() == ["chr2-4700-5000", "chr1-350-650"]


def test_build_peak_set_from_given_keeps_coordinates(tmp_path):
    saf = _write(tmp_path / "given.saf", ["GeneID\tChr\tStart\tEnd\tStrand", "b\tchr1\t11\t20\t+", "a\tchr2\t1\t500\t-"])
    bed = build_peak_set(tmp_path / "peaks.bed", SIZES, given=saf)
    assert bed.values.tolist() == [["chr2", 0, 500, "a", 0, "-"], ["chr1", 10, 20, "b", 0, "+"]]


def test_build_peak_set_empty_macs3_output_is_named(tmp_path):
    empty = _write(tmp_path / "d_peaks.narrowPeak", [])
    with pytest.raises(PeakError, match=r"d_peaks\.narrowPeak: MACS3 called no peaks"):
        build_peak_set(tmp_path / "peaks.bed", SIZES, narrowpeak=empty, width=200)
