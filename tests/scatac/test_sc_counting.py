"""scATAC counting: Signac FeatureMatrix semantics on hand-made fragments (exact counts), against a
brute-force double loop, MatrixMarket files, barcode matching, cell-type tables and the layout."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.io

from deepallele.reads.counts import COUNT_COLUMNS, ln_ratio
from deepallele.scatac.counting import (
    PeakCellCounter,
    cell_type_counts,
    match_cell_barcodes,
    peak_cell_counts,
    peak_cell_counts_chunked,
    pseudobulk_counts,
    read_cell_types,
    write_matrix_market,
)
from deepallele.alphabet import reverse_complement


def frags(rows):
    """Fragment table from (chrom, start, end, barcode[, count]) tuples."""
    rows = [r if len(r) == 5 else (*r, 1) for r in rows]
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "barcode", "count"])


def peaks_of(rows):
    """Peak table from (chrom, start, end, name) tuples."""
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "name"])


ONE_PEAK = peaks_of([("chr1", 100, 200, "p")])


def dense(fragments, peaks, cells):
    m = peak_cell_counts(fragments, peaks, cells)
    assert m.dtype == np.int64 and m.shape == (len(peaks), len(cells))
    return m.toarray()


# --- the counting rule, by hand --------------------------------------------------------------


def test_fragment_spanning_peak_with_both_cuts_outside_counts_once():
    assert dense(frags([("chr1", 50, 300, "A")]), ONE_PEAK, ["A"]).tolist() == [[1]]


def test_fragment_on_two_adjacent_peaks_counts_in_each():
    peaks = peaks_of([("chr1", 100, 200, "p1"), ("chr1", 200, 300, "p2")])
    assert dense(frags([("chr1", 150, 250, "A")]), peaks, ["A"]).tolist() == [[1], [1]]
    # ends exactly where p2 starts: p1 only
    assert dense(frags([("chr1", 190, 200, "A")]), peaks, ["A"]).tolist() == [[1], [0]]


@pytest.mark.parametrize("start, end, expected", [
    (50, 100, 0),    # fe == ps
    (200, 260, 0),   # fs == pe
    (99, 101, 1),    # one base inside at the left
    (199, 300, 1),   # one base inside at the right
    (120, 130, 1),   # inside
])
def test_half_open_boundaries(start, end, expected):
    assert dense(frags([("chr1", start, end, "A")]), ONE_PEAK, ["A"]).tolist() == [[expected]]


def test_count_column_ignored_records_counted():
    f = frags([("chr1", 110, 150, "A", 5), ("chr1", 160, 190, "A", 1), ("chr1", 160, 190, "B", 40)])
    assert dense(f, ONE_PEAK, ["A", "B"]).tolist() == [[2, 1]]


def test_cells_outside_the_list_ignored():
    f = frags([("chr1", 110, 150, "A"), ("chr1", 110, 150, "C"), ("chr1", 120, 150, "C")])
    assert dense(f, ONE_PEAK, ["A", "B"]).tolist() == [[1, 0]]
    assert dense(f, ONE_PEAK, []).shape == (1, 0)


def test_overlapping_peaks_both_counted():
    # p_wide contains both others: candidates must reach back by the widest peak
    peaks = peaks_of([("chr1", 1000, 1100, "p3"), ("chr1", 1050, 1150, "p4"), ("chr1", 0, 5000, "p_wide")])
    f = frags([("chr1", 1060, 1070, "A"),   # p3, p4, p_wide
               ("chr1", 1000, 1050, "A"),   # p3, p_wide (ends at p4's start)
               ("chr1", 1100, 1200, "A"),   # p4, p_wide (starts at p3's end)
               ("chr1", 4000, 4100, "A")])  # p_wide
    assert dense(f, peaks, ["A"]).ravel().tolist() == [2, 2, 4]


def test_row_and_column_order_follow_the_inputs():
    peaks = peaks_of([("chr2", 100, 200, "q1"), ("chr1", 500, 600, "p2"), ("chr1", 100, 200, "p1")])
    f = frags([("chr1", 150, 160, "A"), ("chr1", 550, 560, "B"), ("chr1", 560, 570, "B"),
               ("chr2", 150, 160, "C"), ("chr3", 150, 160, "A")])  # chr3 has no peak
    assert dense(f, peaks, ["C", "B", "A"]).tolist() == [[1, 0, 0],   # q1
                                                        [0, 2, 0],   # p2
                                                        [0, 0, 1]]   # p1


def test_duplicate_cells_rejected():
    with pytest.raises(ValueError, match="unique"):
        peak_cell_counts(frags([("chr1", 1, 5, "A")]), ONE_PEAK, ["A", "A"])


def random_case(seed, n_fragments=2000, n_peaks=50):
    rng = np.random.default_rng(seed)
    chroms = np.array(["chr1", "chr2"])
    ps = rng.integers(0, 20_000, n_peaks)
    peaks = peaks_of(list(zip(chroms[rng.integers(0, 2, n_peaks)], ps, ps + rng.integers(1, 800, n_peaks),
                              [f"p{i}" for i in range(n_peaks)])))
    fs = rng.integers(0, 21_000, n_fragments)
    barcodes = np.array([f"BC{i:02d}" for i in range(30)])
    f = frags(list(zip(chroms[rng.integers(0, 3, n_fragments) % 2], fs, fs + rng.integers(1, 600, n_fragments),
                       barcodes[rng.integers(0, 30, n_fragments)], rng.integers(1, 4, n_fragments))))
    cells = list(rng.permutation(barcodes)[:20])
    return f, peaks, cells


def test_random_fragments_equal_brute_force_double_loop():
    f, peaks, cells = random_case(7)
    # the fixture has peaks that overlap each other
    assert any(a.chrom == b.chrom and a.start < b.end and b.start < a.end and a.name != b.name
               for a in peaks.itertuples() for b in peaks.itertuples())
    col = {c: j for j, c in enumerate(cells)}
    expected = np.zeros((len(peaks), len(cells)), dtype=np.int64)
    prow = list(peaks.itertuples(index=False))
    for fr in f.itertuples(index=False):
        if fr.barcode not in col:
            continue
        for i, p in enumerate(prow):
            if fr.chrom == p.chrom and fr.start < p.end and fr.end > p.start:
                expected[i, col[fr.barcode]] += 1
    got = dense(f, peaks, cells)
    assert expected.sum() > 500 and (expected > 1).any()
    np.testing.assert_array_equal(got, expected)


def test_chunked_accumulation_equals_one_shot():
    f, peaks, cells = random_case(11)
    one = peak_cell_counts(f, peaks, cells)
    chunked = peak_cell_counts_chunked([f.iloc[:700], f.iloc[700:701], f.iloc[701:0], f.iloc[701:]], peaks, cells)
    assert (one != chunked).nnz == 0
    counter = PeakCellCounter(peaks, cells)
    counter.add(f.iloc[:1000])
    counter.add(f.iloc[1000:])
    assert counter.n_records == len(f) and counter.n_in_cells == int(f["barcode"].isin(cells).sum())
    assert (counter.matrix() != one).nnz == 0


# --- MatrixMarket and pseudo-bulk ------------------------------------------------------------


def test_matrix_market_round_trip_and_bytes(tmp_path):
    f, peaks, cells = random_case(3, n_fragments=300)
    m = peak_cell_counts(f, peaks, cells)
    path = write_matrix_market(m, tmp_path / "ref_counts_T.mtx")
    assert path == tmp_path / "ref_counts_T.mtx" and not list(tmp_path.glob("*.tmp"))
    text = path.read_bytes()
    assert text.startswith(b"%%MatrixMarket matrix coordinate integer general\n")
    back = scipy.io.mmread(path)
    assert back.shape == (len(peaks), len(cells))
    np.testing.assert_array_equal(back.toarray(), m.toarray())
    assert scipy.io.mmread(path).T.shape == (len(cells), len(peaks))  # as the authors read it
    # the same matrix built another way (other chunking) gives the same bytes
    again = peak_cell_counts_chunked([f.iloc[::-1]], peaks, cells)
    assert write_matrix_market(again, tmp_path / "again.mtx").read_bytes() == text


def test_matrix_market_empty_is_integer(tmp_path):
    m = peak_cell_counts(frags([("chr9", 1, 5, "A")]), ONE_PEAK, ["A"])
    path = write_matrix_market(m, tmp_path / "e.mtx")
    assert path.read_text().splitlines() == ["%%MatrixMarket matrix coordinate integer general", "%", "1 1 0"]


def test_matrix_market_square_symmetric_stays_general(tmp_path):
    # 2 peaks x 2 cells with symmetric counts: every entry written, not scipy's lower triangle
    path = write_matrix_market(np.array([[1, 2], [2, 1]]), tmp_path / "s.mtx")
    assert path.read_text().splitlines() == ["%%MatrixMarket matrix coordinate integer general", "%", "2 2 4",
                                             "1 1 1", "1 2 2", "2 1 2", "2 2 1"]


def test_pseudobulk_is_row_sums_with_ln_ratio():
    peaks = peaks_of([("chr1", 100, 200, "p1"), ("chr1", 300, 400, "p2")])
    ref = np.array([[1, 2, 0], [0, 0, 0]])
    alt = np.array([[0, 0, 1], [4, 0, 3]])
    import scipy.sparse as sp
    table = pseudobulk_counts(sp.csr_matrix(ref), sp.csr_matrix(alt), peaks)
    assert list(table.columns) == COUNT_COLUMNS
    assert table["ref_count"].tolist() == [3, 0] and table["alt_count"].tolist() == [1, 7]
    np.testing.assert_allclose(table["ln_ratio"], ln_ratio([3, 0], [1, 7]))
    np.testing.assert_allclose(table["ln_ratio"], [np.log(4 / 2), np.log(1 / 8)])
    assert table["peak"].tolist() == ["p1", "p2"] and table["start"].tolist() == [100, 300]


# --- barcodes ------------------------------------------------------------------------------------

BC = ["AAACGAAAGAAAGGGT", "AAACGAACAGTCAGTT", "TTTGGTTCAAGGTTCA", "CCCAAAGGGTTTACGT"]


def test_match_as_is():
    mapping, report = match_cell_barcodes(BC, BC + ["GGGGGGGGGGGGGGGG"])
    assert mapping == {b: b for b in BC}
    assert report["transform"] == "as-is" and report["n_found"] == 4 and report["fraction_found"] == 1.0


def test_match_suffix_in_table_not_in_fragments():
    table = [b + "-1" for b in BC]
    mapping, report = match_cell_barcodes(table, BC[:3])
    assert report["transform"] == "strip suffix"
    assert mapping == {b + "-1": b for b in BC[:3]}
    assert (report["n_table"], report["n_found"], report["fraction_found"]) == (4, 3, 0.75)
    assert report["tried"]["as-is"] == 0.0


def test_match_suffix_in_fragments_not_in_table():
    mapping, report = match_cell_barcodes(BC, [b + "-1" for b in BC])
    assert report["transform"] == "set suffix '-1'"
    assert mapping[BC[0]] == BC[0] + "-1"


def test_match_reverse_complemented_table():
    assert reverse_complement("AACGTN") == "NACGTT"
    table = [reverse_complement(b) + "-1" for b in BC]
    mapping, report = match_cell_barcodes(table, BC, source="treg.tsv")
    assert report["transform"] == "reverse complement, strip suffix"
    assert mapping == {t: b for t, b in zip(table, BC)}


def test_match_below_half_fails_with_every_fraction():
    with pytest.raises(ValueError) as err:
        match_cell_barcodes(BC, BC[:1] + ["GGGGGGGGGGGGGGGG"], source="treg.tsv")
    message = str(err.value)
    assert message.startswith("treg.tsv: only 1 of 4") and "25.0%" in message
    assert "as-is 25.0%" in message and "reverse complement 0.0%" in message
    # the threshold is a parameter
    assert match_cell_barcodes(BC, BC[:1], min_fraction=0.25)[1]["n_found"] == 1


def test_match_refuses_a_transform_that_merges_cells():
    # two libraries in the table, one spelling in the fragments: stripping would merge two cells
    with pytest.raises(ValueError, match="merges barcodes"):
        match_cell_barcodes([BC[0] + "-1", BC[0] + "-2"], [BC[0]], source="t")


# --- cell-type tables ------------------------------------------------------------------------


def test_read_cell_types_header_comments_and_duplicates(tmp_path):
    path = tmp_path / "ct.tsv"
    path.write_text("# from GEO\nbarcode\tsample\tcell_type\n"
                    f"{BC[0]}-1\tS1\tTreg\n\n{BC[1]}-1\tS1\tTconv\n{BC[0]}-1\tS1\tTreg\n")
    table = read_cell_types(path)
    assert table.to_dict("list") == {"barcode": [BC[0] + "-1", BC[1] + "-1"], "cell_type": ["Treg", "Tconv"]}
    plain = tmp_path / "plain.tsv"
    plain.write_text(f"{BC[2]}\tTreg\n")
    assert read_cell_types(plain).to_dict("list") == {"barcode": [BC[2]], "cell_type": ["Treg"]}


@pytest.mark.parametrize("text, match", [
    (f"{BC[0]}\tTreg\n{BC[0]}\tTconv\n", "conflicting cell types"),
    ("# nothing\n\n", "empty"),
    ("barcode\tcell_type\n", "empty"),
    (f"{BC[0]} Treg\n", "missing barcode or cell_type column"),
    (f"barcode\tsample\n{BC[0]}\tS1\n", "no cell-type column"),
])
def test_read_cell_types_errors_name_the_file(tmp_path, text, match):
    path = tmp_path / "bad.tsv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match) as err:
        read_cell_types(path)
    assert str(err.value).startswith(str(path))


# --- one cell type, end to end ---------------------------------------------------------------


def test_cell_type_counts_layout_and_values(tmp_path):
    peaks = peaks_of([("chr1", 100, 200, "chr1-100-200"), ("chr1", 300, 400, "chr1-300-400")])
    a, b, c, d = BC
    ref = frags([("chr1", 110, 150, a, 3), ("chr1", 150, 350, a), ("chr1", 310, 320, b), ("chr1", 310, 320, d)])
    alt = frags([("chr1", 120, 130, b), ("chr1", 120, 130, c), ("chr1", 500, 600, a)])
    types = pd.DataFrame({"barcode": [b + "-1", a + "-1", c + "-1", d + "-1"],
                          "cell_type": ["Treg", "Treg", "Tconv", "B"]})
    out = cell_type_counts(ref, alt, peaks, types, "Treg", outdir=tmp_path)
    assert out["cells"] == [b, a] and out["match"]["transform"] == "strip suffix"
    assert out["ref"].toarray().tolist() == [[0, 2], [1, 1]]
    assert out["alt"].toarray().tolist() == [[1, 0], [0, 0]]
    assert out["counts"]["ref_count"].tolist() == [2, 2] and out["counts"]["alt_count"].tolist() == [1, 0]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "Treg/alt_counts_Treg.mtx", "Treg/barcodes_list_Treg.txt", "Treg/ref_counts_Treg.mtx", "ocr_list.txt"]
    assert (tmp_path / "ocr_list.txt").read_text() == "chr1-100-200\nchr1-300-400\n"
    assert (tmp_path / "Treg" / "barcodes_list_Treg.txt").read_text() == f"{b}\n{a}\n"
    cells_by_peaks = scipy.io.mmread(tmp_path / "Treg" / "ref_counts_Treg.mtx").T
    assert cells_by_peaks.toarray().tolist() == [[0, 1], [2, 1]]

    pooled = cell_type_counts(ref, alt, peaks, types, ["Treg", "Tconv"], outdir=tmp_path)
    assert pooled["cells"] == [b, a, c] and (tmp_path / "Treg+Tconv" / "ref_counts_Treg+Tconv.mtx").exists()
    assert pooled["counts"]["alt_count"].tolist() == [2, 0]
    with pytest.raises(ValueError, match="no barcode of cell type 'NK'; types present: B, Tconv, Treg"):
        cell_type_counts(ref, alt, peaks, types, "NK")


def test_cell_type_counts_matches_against_both_alleles(tmp_path):
    # the only Treg cell is seen in the alt fragments only: it must still be found
    path = tmp_path / "ct.tsv"
    path.write_text(f"{BC[0]}\tTreg\n")
    out = cell_type_counts(frags([("chr1", 110, 150, BC[1])]), frags([("chr1", 110, 150, BC[0])]), ONE_PEAK,
                           path, "Treg")
    assert out["cells"] == [BC[0]] and out["alt"].toarray().tolist() == [[1]] and out["ref"].nnz == 0
    assert out["files"] == []
