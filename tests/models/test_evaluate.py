"""Correlation tables, mean/SD over seeds and the model validation rows on hand-made predictions."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from deepallele.models.evaluate import (SUMMARY_COLUMNS, TABLE_COLUMNS, correlations, performance_table,
                                        prediction_metrics, report_split, summarize)


def _pred(obs, pred_ref, pred_alt, pred_ratio, split="test"):
    obs = np.asarray(obs, dtype=float)
    return pd.DataFrame({"peak": [f"p{i}" for i in range(len(obs))], "chrom": "chr17", "split": split,
                         "obs_ref": obs, "obs_alt": obs[::-1], "obs_ratio": obs - obs[::-1],
                         "pred_ref": pred_ref, "pred_alt": pred_alt, "pred_ratio": pred_ratio})


def test_correlations_by_hand():
    assert correlations([1, 2, 3], [3, 5, 7]) == (pytest.approx(1.0), pytest.approx(1.0), 3)
    # centred [-1, 0, 1] and [-1, 1, 0]: r = 1 / 2; ranks are the values, so rho = 1 / 2 as well
    assert correlations([1, 2, 3], [1, 3, 2]) == (pytest.approx(0.5), pytest.approx(0.5), 3)
    r, rho, n = correlations([1, 2, 3, np.nan], [1, 1, 1, 2])
    assert math.isnan(r) and math.isnan(rho) and n == 3      # constant after dropping the NaN


def test_prediction_metrics_count_row_is_mean_of_alleles():
    obs = [1.0, 2.0, 3.0]        # obs_alt = [3, 2, 1], obs_ratio = [-2, 0, 2]
    m = prediction_metrics(_pred(obs, [1, 3, 2], [3, 2, 1], [-1, -2, 5]))
    m = m.set_index("target")
    assert m.loc["count_ref", "pearson"] == pytest.approx(0.5)
    assert m.loc["count_alt", "pearson"] == pytest.approx(1.0)
    assert m.loc["count", "pearson"] == pytest.approx(0.75)
    # ratio: centred obs [-2, 0, 2], pred [-5/3, -8/3, 13/3]: r = 12 / sqrt(8 * 258/9)
    assert m.loc["ratio", "pearson"] == pytest.approx(12 / math.sqrt(8 * 258 / 9))
    assert (m["n"] == 3).all()


def test_table_and_summary_over_seeds():
    obs = [1.0, 2.0, 3.0]
    preds = {("deepallele", 0): _pred(obs, [1, 2, 3], [3, 2, 1], [-2, 0, 2]),
             ("deepallele", 1): _pred(obs, [1, 3, 2], [3, 2, 1], [-2, 0, 2]),
             ("ref_only", 0): _pred(obs, [1, 2, 3], [3, 2, 1], [2, 0, -2])}
    t = performance_table("ds", preds)
    assert list(t.columns) == TABLE_COLUMNS and len(t) == 3 * 4
    s = summarize(t).set_index(["model", "target"])
    assert list(summarize(t).columns) == SUMMARY_COLUMNS
    # count_ref: seeds 1.0 and 0.5 -> mean 0.75, SD (ddof 1) = 0.5 / sqrt(2)
    assert s.loc[("deepallele", "count_ref"), "pearson_mean"] == pytest.approx(0.75)
    assert s.loc[("deepallele", "count_ref"), "pearson_sd"] == pytest.approx(0.5 / math.sqrt(2))
    assert s.loc[("deepallele", "count_ref"), "n_seeds"] == 2
    assert math.isnan(s.loc[("ref_only", "ratio"), "pearson_sd"])
    assert s.loc[("ref_only", "ratio"), "pearson_mean"] == pytest.approx(-1.0)


def test_report_split():
    assert report_split(pd.DataFrame({"split": ["train", "val", "test"]})) == "test"
    assert report_split(pd.DataFrame({"split": ["train", "val"]})) == "val"


def test_parse_runs():
    from deepallele.models.evaluate import parse_runs

    assert parse_runs(["deepallele:0", "ref_only:12"]) == [("deepallele", 0), ("ref_only", 12)]
    for bad in ("deepallele", "deepallele:x", ":3"):
        with pytest.raises(ValueError, match="is not '<model type>:<seed>'"):
            parse_runs([bad])
