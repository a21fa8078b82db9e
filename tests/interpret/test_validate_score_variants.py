"""Validation of score-variants against true effects: selection (held-out chromosomes, |true| > 0.2), goals."""
from __future__ import annotations

import numpy as np
import pandas as pd

from deepallele.interpret.validate_score_variants import score_variant_metrics


def _scores(ids, effect, split, window="peak"):
    return pd.DataFrame({"id": ids, "effect_mean": effect, "split": split, "status": "scored", "window": window})


def test_metrics_select_held_out_large_effects():
    rng = np.random.default_rng(0)
    n = 400
    ids = [f"chr{1 + i % 3}:{i}:A:C" for i in range(n)]
    true = rng.normal(0, 0.5, n)
    split = np.where(np.arange(n) % 3 == 2, "test", "train")
    good = _scores(ids, true + rng.normal(0, 0.05, n), split)
    bad = _scores(ids, -true, split)  # every sign wrong
    truth = pd.DataFrame({"variant_id": ids, "effect": true})
    t = score_variant_metrics({"deepallele": good, "ref_only": bad}, truth, "deepallele")
    assert list(t.columns) == ["metric", "model", "value", "goal", "n", "pass"]
    row = t.set_index(["model", "metric"])
    expect_n = int(((split == "test") & (np.abs(true) > 0.2)).sum())
    assert row.loc[("deepallele", "pearson"), "n"] == expect_n
    assert row.loc[("deepallele", "pearson"), "value"] > 0.95 and row.loc[("deepallele", "pearson"), "pass"] is True
    assert row.loc[("deepallele", "sign_agreement"), "value"] == 1.0
    assert row.loc[("ref_only", "sign_agreement"), "value"] == 0.0 and row.loc[("ref_only", "pearson"), "pass"] == ""
    assert row.loc[("deepallele", "pearson_all"), "n"] == int((split == "test").sum())


def test_paper_scheme_uses_val_and_unscored_rows_are_dropped():
    ids = ["chr1:1:A:C", "chr1:2:A:G", "chr1:3:A:T", "chr1:4:A:C"]
    s = _scores(ids, [0.5, -0.4, 0.3, np.nan], "val")
    s.loc[3, "status"] = "symbolic"
    truth = pd.DataFrame({"variant_id": ids, "effect": [0.6, -0.5, 0.25, 1.0]})
    t = score_variant_metrics({"deepallele": s}, truth, "deepallele").set_index("metric")
    assert t.loc["pearson", "n"] == 3 and t.loc["sign_agreement", "value"] == 1.0
    assert "val chromosomes" in t.loc["pearson", "goal"]
