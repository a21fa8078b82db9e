"""Validation of the model stage: goals on the mean test correlations (hand-made summaries)."""
import pandas as pd
import pytest

from deepallele.validation.models import model_validation


def test_model_validation_rows():
    rows = []
    for model, ratio, count in (("deepallele", 0.40, 0.60), ("direct", 0.30, 0.62), ("ref_only", 0.25, 0.58),
                                ("two_genome", 0.28, 0.61)):
        rows += [{"dataset": "d", "model": model, "split": "test", "target": "ratio", "pearson_mean": ratio, "n": 90},
                 {"dataset": "d", "model": model, "split": "test", "target": "count", "pearson_mean": count, "n": 90},
                 {"dataset": "d", "model": model, "split": "val", "target": "ratio", "pearson_mean": 0.0}]
    v = model_validation(pd.DataFrame(rows)).set_index("metric")
    assert v.loc["ratio_pearson_deepallele", "value"] == pytest.approx(0.40)
    assert v.loc["ratio_pearson_two_genome", "value"] == pytest.approx(0.28)
    assert v.loc["ratio_gain_vs_ref_only", "value"] == pytest.approx(0.15)
    assert v.loc["ratio_gain_vs_ref_only", "goal"] == ">= 0.1"
    assert v.loc["count_pearson_spread", "value"] == pytest.approx(0.04)
    assert v.loc["count_pearson_spread", "goal"] == "<= 0.05"
    assert list(v.reset_index().columns) == ["metric", "value", "goal", "n", "ci_low", "ci_high", "status"]
    assert v.loc["ratio_pearson_deepallele", ["goal", "status"]].tolist() == ["report (mean over seeds, test split)",
                                                                              "context"]
    assert v.loc[["ratio_gain_vs_ref_only", "count_pearson_spread"], "status"].tolist() == ["pass", "pass"]
    assert v.loc["ratio_pearson_direct", "n"] == 90 and v.loc["ratio_gain_vs_ref_only", "n"] == 90


def test_model_validation_needs_20_sequences():
    rows = [{"dataset": "d", "model": m, "split": "test", "target": t, "pearson_mean": r, "n": 12}
            for m, r in (("deepallele", 0.4), ("ref_only", 0.1)) for t in ("ratio", "count")]
    v = model_validation(pd.DataFrame(rows)).set_index("metric")
    assert v.loc["ratio_gain_vs_ref_only", "value"] == pytest.approx(0.3)
    assert v.loc["ratio_gain_vs_ref_only", ["n", "status"]].tolist() == [12, "insufficient"]
    # a model not trained: NaN, and no n to rest on
    assert pd.isna(v.loc["ratio_pearson_direct", "value"]) and pd.isna(v.loc["ratio_pearson_direct", "n"])
