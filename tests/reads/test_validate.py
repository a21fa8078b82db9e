"""Truth comparisons of the read stages, on hand-built intervals and tables."""
import numpy as np
import pandas as pd

from deepallele.reads.validate import _match_peaks, _overlaps


def test_overlaps_variant_spans():
    # variants: SNP at 10, deletion REF span [20, 24), insertion anchor at 40
    intervals = {"c": (np.array([10, 20, 40]), np.array([11, 24, 41]), np.array([False, True, True]))}
    chrom = np.array(["c"] * 6 + ["other"])
    start = np.array([0, 11, 23, 24, 30, 5, 0])
    end = np.array([10, 20, 30, 40, 45, 11, 100])
    assert _overlaps(intervals, chrom, start, end).tolist() == [False, False, True, False, True, True, False]
    assert _overlaps(intervals, chrom, start, end, indels_only=True).tolist() == [False, False, True, False, True,
                                                                                   False, False]


def test_match_peaks_by_summit():
    peaks = pd.DataFrame({"peak": ["p1", "p2", "p3"], "chrom": ["c", "c", "d"], "start": [0, 500, 0],
                          "end": [300, 800, 300], "ref_count": [10, 20, 5], "alt_count": [1, 2, 3],
                          "ln_ratio": [1.0, 2.0, 0.1]})
    regions = pd.DataFrame({"region_id": ["r1", "r2"], "chrom": ["c", "c"], "summit": [150, 900],
                            "true_ln_ratio": [0.5, -0.5]})
    m = _match_peaks(peaks, regions)
    assert m["peak"].tolist() == ["p1"] and m["region_id"].tolist() == ["r1"]
    assert m["true_ln_ratio"].tolist() == [0.5]
