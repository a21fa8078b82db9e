"""The scATAC validation rows on toy truth tables with hand-derived values."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.validation.scatac import fragment_rows, pseudobulk_rows
from deepallele.validation.table import validation_table


def _truth(*records):
    cols = ["chrom", "ref_start", "ref_end", "barcode", "allele", "n_reads"]
    return pd.DataFrame(records, columns=cols)


def _frags(*records):
    return pd.DataFrame(records, columns=["chrom", "start", "end", "barcode", "count"])


def _by_metric(rows):
    return {r["metric"]: r for r in rows}


def test_fragment_rows_recovery_alleles_scope_and_collapse():
    truth = _truth(
        ("chr1", 100, 300, "A", "ref", 1),   # found in ref: right allele
        ("chr1", 400, 600, "A", "alt", 1),   # found in ref: wrong allele
        ("chr1", 700, 900, "B", "alt", 2),   # found in ties only: recovered, not informative
        ("chr1", 700, 950, "B", "alt", 1),   # shares its start with the row above: collapsed, lost
        ("chr1", 1000, 1200, "C", "ref", 1), # C is not a table cell: out of scope
        ("chrM", 10, 200, "A", "ref", 1),    # excluded contig: out of scope
        ("chr1", 2000, 2012, "A", "ref", 1), # 3 bp after the shift: under min_length
    )
    found = {
        "ref": _frags(("chr1", 104, 295, "A-1", 1), ("chr1", 404, 595, "A-1", 1)),
        "alt": _frags(),
        "ties": _frags(("chr1", 704, 895, "B-1", 2)),
    }
    rows = _by_metric(fragment_rows(truth, {"A", "B"}, found, 10, 5000, exclude_contigs=["chrM"]))
    # in scope: the first four rows; recovered 3 of 4
    assert rows["fragments_recovered"]["value"] == pytest.approx(3 / 4) and rows["fragments_recovered"]["n"] == 4
    # informative (one allele, not a tie): the first two, one right
    assert rows["allele_correct"]["value"] == pytest.approx(1 / 2) and rows["allele_correct"]["n"] == 2
    assert rows["fragments_recovered"]["successes"] == 3 and rows["allele_correct"]["successes"] == 1
    # sinto's start merge removes the single-read fragment of B: 1 of 4
    assert rows["fragments_collapsed_by_design"]["value"] == pytest.approx(1 / 4)
    assert rows["fragments_recovered_not_collapsed"]["value"] == 1 and rows["fragments_recovered_not_collapsed"]["n"] == 3
    assert rows["fragments_tie_share"]["value"] == pytest.approx(1 / 3)
    # without the contig filter chrM's fragment counts, and is missing
    rows = _by_metric(fragment_rows(truth, {"A", "B"}, found, 10, 5000))
    assert rows["fragments_recovered"]["value"] == pytest.approx(3 / 5)
    # within_barcode keeps both of B's fragments
    rows = _by_metric(fragment_rows(truth, {"A", "B"}, found, 10, 5000, exclude_contigs=["chrM"],
                                    dedup="within_barcode"))
    assert rows["fragments_collapsed_by_design"]["value"] == 0


def test_pseudobulk_rows_correlation_and_type_specific():
    peaks = [f"p{i}" for i in range(4)]
    truth = pd.DataFrame({"region_id": peaks, "ln_ratio_Treg": [-1.0, 0.0, 1.0, 2.0],
                          "type_specific_ratio": [False, False, True, True]})
    # p3 has too few fragments for the ratio checks
    counts = pd.DataFrame({"peak": peaks, "ref_count": [60, 50, 30, 2], "alt_count": [20, 50, 80, 3],
                           "ln_ratio": [-1.1, 0.0, 0.98, 0.4]})
    pooled = counts.assign(ln_ratio=[-1.0, 0.0, 0.5, 0.0])
    rows = _by_metric(pseudobulk_rows(counts, truth, "Treg", pooled))
    r = np.corrcoef([-1.1, 0.0, 0.98], [-1.0, 0.0, 1.0])[0, 1]
    assert rows["pseudobulk_ratio_pearson"]["value"] == pytest.approx(r) and rows["pseudobulk_ratio_pearson"]["n"] == 3
    assert rows["pseudobulk_peaks_with_50_fragments"]["value"] == pytest.approx(3 / 4)
    # the one deep type-specific peak (p2): |0.98 - 1| - |0.5 - 1| = -0.48
    assert rows["type_specific_closer"]["value"] == pytest.approx(-0.48) and rows["type_specific_closer"]["n"] == 1
    # a truth without the type's column says so
    rows = pseudobulk_rows(counts, truth.drop(columns="ln_ratio_Treg"), "Treg")
    assert np.isnan(rows[0]["value"]) and "ln_ratio_Treg" in rows[0]["note"]


def test_rows_are_judged_by_the_goals_file():
    """Goals, intervals and statuses of the scATAC rows (the evaluator itself: tests/test_validation_table.py)."""
    right = 19_990
    rows = [{"metric": "barcode_right", "value": right / 20_000, "n": 20_000, "successes": right},
            {"metric": "barcode_wrong_whitelisted", "value": 30 / 20_000, "n": 20_000, "successes": 30},
            {"metric": "allele_correct", "value": 1.0, "n": 12, "successes": 12},
            {"metric": "type_specific_closer", "value": -0.2, "n": 38},
            {"metric": "pseudobulk_ratio_pearson", "value": np.nan,
             "goal_key": "pseudobulk_ratio_pearson (several cell types)", "note": "several cell types pooled"}]
    t = validation_table("scatac", rows).set_index("metric")
    assert t["goal"].tolist() == [">= 0.99", "< 0.001", ">= 0.99", "< 0", "context"]
    # 0.9995 >= 0.99; 0.0015 is not < 0.001; 12 fragments are too few; -0.2 < 0 over 38 peaks
    assert t["status"].tolist() == ["pass", "miss", "insufficient", "pass", "context"]
    assert t.loc["barcode_right", "ci_low"] < 0.9995 < t.loc["barcode_right", "ci_high"]
    assert t.loc["type_specific_closer", ["ci_low", "ci_high"]].isna().all()
    assert list(t.columns)[-1] == "note"
