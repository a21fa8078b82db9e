"""scATAC QC: per-barcode depth, FRiP and rank on a hand-made toy; fragment lengths; plots; funnel."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.scatac.qc import (
    CELL_QC_COLUMNS,
    cell_qc,
    cell_qc_chunked,
    fragment_length_histogram,
    plot_barcode_rank,
    plot_fragment_lengths,
    pseudobulk_funnel,
)

PEAKS = pd.DataFrame({"chrom": ["chr1", "chr1", "chr2"], "start": [100, 150, 100], "end": [200, 250, 200],
                      "name": ["p1", "p2", "q1"]})
# By hand: A 4 records (7 reads), 3 in peaks; B 2 (2), 1; C 1 (1), 0; D 2 (5), 0.
TOY = pd.DataFrame([
    ("chr1", 120, 130, "A", 3),   # p1
    ("chr1", 180, 220, "A", 1),   # p1 and p2: one record, counted once for FRiP
    ("chr2", 50, 100, "A", 2),    # ends at q1's start: out
    ("chr2", 199, 300, "A", 1),   # q1
    ("chr1", 250, 260, "B", 1),   # starts at p2's end: out
    ("chr1", 240, 260, "B", 1),   # p2
    ("chr3", 100, 200, "C", 1),   # no peaks on chr3
    ("chr1", 10, 20, "D", 4),
    ("chr1", 30, 40, "D", 1),
], columns=["chrom", "start", "end", "barcode", "count"])


def test_cell_qc_toy_by_hand():
    table = cell_qc(TOY, PEAKS)
    assert list(table.columns) == CELL_QC_COLUMNS
    assert table["barcode"].tolist() == ["A", "B", "D", "C"]
    assert table["n_fragments"].tolist() == [4, 2, 2, 1]
    assert table["n_reads"].tolist() == [7, 2, 5, 1]
    assert table["in_peaks"].tolist() == [3, 1, 0, 0]
    np.testing.assert_allclose(table["frip"], [0.75, 0.5, 0.0, 0.0])
    assert table["rank"].tolist() == [1, 2, 2, 4]  # B and D tie; sorted by barcode within the tie
    assert table["cell_type"].tolist() == ["", "", "", ""]


def test_cell_qc_cell_types_matched_to_the_fragment_spelling():
    types = pd.DataFrame({"barcode": ["A-1", "D-1", "Z-1"], "cell_type": ["Treg", "Tconv", "Treg"]})
    table = cell_qc(TOY, PEAKS, types).set_index("barcode")
    assert table["cell_type"].to_dict() == {"A": "Treg", "B": "", "D": "Tconv", "C": ""}
    # a table that matches nothing is a QC finding, not an error
    none = cell_qc(TOY, PEAKS, pd.DataFrame({"barcode": ["X"], "cell_type": ["Treg"]}))
    assert (none["cell_type"] == "").all()


def test_cell_qc_chunked_equals_one_shot():
    pd.testing.assert_frame_equal(cell_qc_chunked([TOY.iloc[:3], TOY.iloc[3:7], TOY.iloc[7:]], PEAKS),
                                  cell_qc(TOY, PEAKS))


def test_fragment_length_histogram():
    hist = fragment_length_histogram(TOY, max_length=60)
    assert hist.shape == (60, 2) and hist["length"].tolist() == list(range(1, 61))
    # lengths 10, 40, 50, 101, 10, 20, 100, 10, 10: 101 and 100 fall outside
    assert dict(zip(hist.loc[hist["n"] > 0, "length"], hist.loc[hist["n"] > 0, "n"])) == {10: 4, 20: 1, 40: 1, 50: 1}
    assert fragment_length_histogram(TOY)["n"].sum() == len(TOY)
    with pytest.raises(ValueError):
        fragment_length_histogram(TOY, max_length=0)


def test_plots_write_deterministic_png(tmp_path):
    table = cell_qc(TOY, PEAKS, pd.DataFrame({"barcode": ["A", "D"], "cell_type": ["Treg", "Tconv"]}))
    rank = plot_barcode_rank(table, tmp_path / "rank.png")
    again = plot_barcode_rank(table, tmp_path / "rank2.png")
    data = rank.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 1000 and b"Software" not in data
    assert again.read_bytes() == data
    rng = np.random.default_rng(0)
    start = rng.integers(0, 10_000, 3000)
    lengths = np.concatenate([rng.integers(30, 120, 1500), rng.normal(200, 20, 1000).astype(int),
                              rng.normal(390, 30, 500).astype(int)])
    hist = fragment_length_histogram(pd.DataFrame({"start": start, "end": start + lengths}))
    ladder = plot_fragment_lengths(hist, tmp_path / "lengths.png")
    assert ladder.read_bytes().startswith(b"\x89PNG") and ladder.stat().st_size > 1000
    # empty inputs still give a figure
    assert plot_barcode_rank(table.iloc[:0], tmp_path / "empty_rank.png").stat().st_size > 0
    assert plot_fragment_lengths(fragment_length_histogram(TOY.iloc[:0]), tmp_path / "empty_len.png").stat().st_size > 0
    assert not list(tmp_path.glob("*.tmp"))


def test_pseudobulk_funnel_layout():
    stats = {"read_pairs": 3000, "barcoded": 2800,
             "assigned": {"ref": 1000, "alt": 900, "tie": 300},
             "fragments": {"ref": 600, "alt": 550, "tie": 200},
             "in_cells": {"ref": 80, "alt": 70},
             "in_peaks": {"ref": 40, "alt": 35}}
    table = pseudobulk_funnel(stats)
    assert list(table.columns) == ["step", "ref", "alt", "tie", "total"]
    assert table["step"].tolist() == list(stats)  # the caller's order
    assert table["ref"].tolist()[2:] == [1000, 600, 80, 40] and table["ref"].isna().tolist()[:2] == [True, True]
    assert table["total"].tolist() == [3000, 2800, 2200, 1350, 150, 75]
    assert table["tie"].isna().tolist() == [True, True, False, False, True, True]
    assert str(table["tie"].dtype) == "Int64"
    with pytest.raises(ValueError, match="unknown class"):
        pseudobulk_funnel({"barcoded": {"B6": 1}})
    with pytest.raises(ValueError, match="non-negative integers"):
        pseudobulk_funnel({"barcoded": {"ref": -1}})
    with pytest.raises(ValueError, match="non-negative integers"):
        pseudobulk_funnel({"read_pairs": 2.5})
