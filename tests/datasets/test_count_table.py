"""Count-table import: Link et al.-style tables -> our counts table (exact rows), every coordinate
route, every error; float counts through the HDF5 store."""
from __future__ import annotations

import math

import h5py
import numpy as np
import pandas as pd
import pytest

from deepallele.datasets.count_table import import_count_table, parse_peak_ids
from deepallele.alphabet import PAD_CODE
from deepallele.datasets.pairs import VARIANT_COLUMNS, PairedSequences, peaks_from_counts
from deepallele.datasets.store import read_pairs_h5, targets, write_pairs_h5
from deepallele.reads.counts import COUNT_COLUMNS

LINK = ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\tAnnotation\n"
        "chr1-100-400\t2.5\t2.5\tx\n"
        "chr2:1000-1200\t10\t3\ty\n"
        "chrX_50_80\t0\t7\tz\n")
COLS = {"ref_column": "F1_FPC_PU1_C57", "alt_column": "F1_FPC_PU1_PWK"}


def _write(tmp_path, text, name="table.txt"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_link_table_exact_rows(tmp_path):
    out = tmp_path / "counts" / "allele_counts.tsv"
    table = import_count_table(_write(tmp_path, LINK), out, **COLS)
    # IDs are HOMER-style 1-based inclusive: start - 1, end kept; 2.5 keeps every count a float
    assert out.read_text() == (
        "peak\tchrom\tstart\tend\tref_count\talt_count\tln_ratio\n"
        "chr1-100-400\tchr1\t99\t400\t2.500000\t2.500000\t0.000000\n"
        "chr2:1000-1200\tchr2\t999\t1200\t10.000000\t3.000000\t1.011601\n"  # ln(11/4)
        "chrX_50_80\tchrX\t49\t80\t0.000000\t7.000000\t-2.079442\n")  # ln(1/8)
    assert list(table.columns) == COUNT_COLUMNS and table["ref_count"].dtype == np.float64
    assert not list(tmp_path.glob("counts/*.tmp"))
    # the paired-dataset stage reads it unchanged
    peaks = peaks_from_counts(out)
    assert peaks["ref_count"].tolist() == [2.5, 10.0, 0.0] and peaks["start"].tolist() == [99, 999, 49]


def test_integer_counts_stay_integers_and_base0(tmp_path):
    text = "ID\tB\tP\nchr1-100-400\t4\t0\n"
    out = tmp_path / "c.tsv"
    table = import_count_table(_write(tmp_path, text), out, ref_column="B", alt_column="P", coordinate_base=0)
    assert table["ref_count"].dtype == np.int64
    assert out.read_text().splitlines()[1] == "chr1-100-400\tchr1\t100\t400\t4\t0\t1.609438"  # ln 5


def test_homer_columns_case_insensitive(tmp_path):
    text = ("PeakID\tChr\tStart\tEnd\tStrand\tB\tP\n"
            "Merged-chr1-1-3\tchr1\t101\t200\t+\t1\t2\n"
            "Merged-chr3-2-1\tchr3\t11\t20\t-\t3\t0\n")
    table = import_count_table(_write(tmp_path, text), tmp_path / "c.tsv", id_column="PeakID", ref_column="B",
                               alt_column="P")
    assert table[["peak", "chrom", "start", "end"]].values.tolist() == [
        ["Merged-chr1-1-3", "chr1", 100, 200], ["Merged-chr3-2-1", "chr3", 10, 20]]
    # named columns, 0-based
    text = "ID\tcontig\tfrom\tto\tB\tP\np1\tc1\t5\t9\t1\t1\n"
    table = import_count_table(_write(tmp_path, text), tmp_path / "c.tsv", ref_column="B", alt_column="P",
                               chrom_column="contig", start_column="from", end_column="to", coordinate_base=0)
    assert table[["chrom", "start", "end"]].values.tolist() == [["c1", 5, 9]]


def test_peaks_bed_route(tmp_path):
    text = "ID\tB\tP\nMerged-chr1-1-3\t1\t2\nMerged-chr2-7-2\t5\t5\n"
    bed = _write(tmp_path, "chr2\t700\t900\tMerged-chr2-7-2\t0\t+\nchr1\t0\t300\tMerged-chr1-1-3\t0\t+\n", "p.bed")
    table = import_count_table(_write(tmp_path, text), tmp_path / "c.tsv", ref_column="B", alt_column="P", peaks=bed)
    # BED is 0-based half-open: taken as is; table order kept
    assert table[["peak", "chrom", "start", "end"]].values.tolist() == [
        ["Merged-chr1-1-3", "chr1", 0, 300], ["Merged-chr2-7-2", "chr2", 700, 900]]
    with pytest.raises(ValueError, match=r"not in the 4th column .*Merged-chr9"):
        import_count_table(_write(tmp_path, text + "Merged-chr9-1-1\t1\t1\n"), tmp_path / "d.tsv", ref_column="B",
                           alt_column="P", peaks=bed)


def test_id_patterns():
    assert parse_peak_ids(["chr1-3000000-3000300", "chr1:3000000-3000300", "chr1_3000000_3000300",
                           "chrUn_JH584304-5-9"]).values.tolist() == [
        ["chr1", 3000000, 3000300]] * 3 + [["chrUn_JH584304", 5, 9]]
    got = parse_peak_ids(["pk|chr4|10|20"], r"pk\|(?P<chrom>\w+)\|(?P<start>\d+)\|(?P<end>\d+)")
    assert got.values.tolist() == [["chr4", 10, 20]]
    with pytest.raises(ValueError, match="lacks named group"):
        parse_peak_ids(["x"], r"(?P<chrom>\w+)")


@pytest.mark.parametrize("text, kwargs, match", [
    ("ID\tF1_FPC_PU1_C57\tother\nchr1-1-5\t1\t1\n", {}, r"missing column\(s\) \['F1_FPC_PU1_PWK'\]; columns present: "
                                                       r"\['ID', 'F1_FPC_PU1_C57', 'other'\]"),
    ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-1-5\t1\t1\nMerged-7\t1\t1\n", {},
     r"'Merged-7' \(row 2\) does not match"),
    ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-1-5\t1\t-2\n", {}, r"negative count .*row 1 \(ID 'chr1-1-5'\)"),
    ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-1-5\tabc\t1\n", {}, r"non-numeric count .*'F1_FPC_PU1_C57'.*'abc'"),
    ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-1-5\t\t1\n", {}, r"non-numeric count"),
    ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-1-5\t1\t1\nchr1-1-5\t2\t2\n", {}, r"duplicated peak ID.*chr1-1-5"),
    ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-9-5\t1\t1\n", {}, r"empty or negative interval"),
    ("ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-1-5\t1\t1\n", {"coordinates": "columns"}, r"no chromosome/start/end"),
])
def test_errors_name_file_and_write_nothing(tmp_path, text, kwargs, match):
    path = _write(tmp_path, text)
    out = tmp_path / "c.tsv"
    with pytest.raises(ValueError, match=match) as err:
        import_count_table(path, out, **COLS, **kwargs)
    assert str(path) in str(err.value)
    assert not out.exists() and not list(tmp_path.glob("c.tsv*"))


def test_fai_contigs(tmp_path):
    fai = _write(tmp_path, "chr1\t1000\t6\t60\t61\nchr2\t5000\t1100\t60\t61\n", "ref.fa.fai")
    path = _write(tmp_path, LINK)
    with pytest.raises(ValueError, match=r"contig\(s\) \['chrX'\] .* not in .*ref.fa.fai"):
        import_count_table(path, tmp_path / "c.tsv", **COLS, fai=fai)
    text = "ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-900-1200\t1\t1\n"
    with pytest.raises(ValueError, match=r"past the end of chr1 \(1000 bp"):
        import_count_table(_write(tmp_path, text), tmp_path / "c.tsv", **COLS, fai=fai)
    ok = "ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-1-1000\t1\t1\n"
    assert len(import_count_table(_write(tmp_path, ok), tmp_path / "c.tsv", **COLS, fai=fai)) == 1
    with pytest.raises(FileNotFoundError, match="nope.fai"):
        import_count_table(path, tmp_path / "c.tsv", **COLS, fai=tmp_path / "nope.fai")


def _pairs(n: int, length: int = 4) -> PairedSequences:
    z = np.zeros(n, dtype=np.int64)
    return PairedSequences(peak=np.array([f"p{i}" for i in range(n)], dtype=object),
                           chrom=np.array(["chr1"] * n, dtype=object), peak_start=z, peak_end=z + 1, start=z,
                           end=z + length, strain_start=z, strain_end=z + length,
                           strain_trim_left=np.zeros(n, np.int32), strain_trim_right=np.zeros(n, np.int32),
                           ref_codes=np.zeros((n, length), np.uint8),
                           alt_codes=np.full((n, length), PAD_CODE, np.uint8),
                           ref_length=np.full(n, length, np.int32), alt_length=np.zeros(n, np.int32), length=length)


def test_store_keeps_float_counts(tmp_path):
    variants = pd.DataFrame({c: [] for c in VARIANT_COLUMNS})
    path = tmp_path / "pairs.h5"
    write_pairs_h5(path, _pairs(2), [2.5, 3.0], [0, 1], ["train", "val"], variants, {"sequence_length": 4})
    with h5py.File(path) as h5:
        assert h5["ref_count"].dtype == np.float64 and h5["alt_count"].dtype == np.float64
    data = read_pairs_h5(path)
    assert data["ref_count"].tolist() == [2.5, 3.0] and data["alt_count"].tolist() == [0.0, 1.0]
    assert data["y"][0, 0] == pytest.approx(math.log(3.5), rel=1e-6)  # ln(1 + 2.5), not ln(1 + 2)
    assert data["y"][0, 2] == pytest.approx(math.log(3.5), rel=1e-6)
    np.testing.assert_allclose(targets([2.5], [1.5]), [[math.log(3.5), math.log(2.5), math.log(1.4)]], rtol=1e-6)
    # whole-number floats are stored as int64, as before
    write_pairs_h5(path, _pairs(2), [2.0, 3.0], [0.0, 1.0], ["train", "val"], variants, {"sequence_length": 4})
    with h5py.File(path) as h5:
        assert h5["ref_count"].dtype == np.int64
    with pytest.raises(ValueError, match="non-negative"):
        write_pairs_h5(path, _pairs(1), [-0.5], [0], ["train"], variants)
