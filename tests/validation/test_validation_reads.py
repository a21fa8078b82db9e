"""Truth comparisons of the read stages, on hand-built intervals and tables."""
import numpy as np
import pandas as pd

from deepallele.validation.reads import _match_peaks, _overlaps, count_mode_rows
from deepallele.validation.table import validation_table


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


def test_count_mode_rows_compare_modes_on_the_same_peaks(tmp_path):
    rng = np.random.default_rng(2)
    n = 40
    true = rng.normal(0, 1, n)
    regions = pd.DataFrame({"region_id": [f"r{i}" for i in range(n)], "chrom": "c",
                            "summit": 1000 * np.arange(n) + 150, "true_ln_ratio": true})
    rows = []
    for mode, depth, noise in (("reads", 200, 0.1), ("cutsites", 120, 0.3), ("span", 260, 0.5)):
        ln = true + rng.normal(0, noise, n)
        total = np.full(n, depth)
        total[0] = 30 if mode == "cutsites" else depth           # peak 0 too shallow in one mode
        ref = np.round(total / (1 + np.exp(-ln))).astype(int)
        rows.append(pd.DataFrame({"mode": mode, "peak": [f"p{i}" for i in range(n)], "chrom": "c",
                                  "start": 1000 * np.arange(n), "end": 1000 * np.arange(n) + 300,
                                  "ref_count": ref, "alt_count": total - ref,
                                  "ln_ratio": np.log1p(ref) - np.log1p(total - ref)}))
    table = pd.concat(rows, ignore_index=True)
    table.to_csv(tmp_path / "modes.tsv", sep="\t", index=False)
    regions.to_csv(tmp_path / "regions.tsv", sep="\t", index=False)
    table = validation_table("reads", count_mode_rows(tmp_path / "modes.tsv", tmp_path / "regions.tsv"))
    out = table.set_index("metric")
    assert list(out.index) == [f"count_mode_{m}_ratio_pearson_vs_truth" for m in ("reads", "cutsites", "span")] + \
        [f"count_mode_{m}_fragments" for m in ("reads", "cutsites", "span")]
    r = [out.loc[f"count_mode_{m}_ratio_pearson_vs_truth", "value"] for m in ("reads", "cutsites", "span")]
    assert r[0] > r[1] > r[2] > 0.5
    pearson = out[out.index.str.contains("pearson")]
    assert (pearson["goal"] == "context (the same 39 peaks in every mode)").all() and (pearson["n"] == 39).all()
    assert out.loc[out.index.str.endswith("fragments"), "n"].isna().all()
    assert (out["status"] == "context").all()
    assert out.loc["count_mode_span_fragments", "value"] == 260 * n
