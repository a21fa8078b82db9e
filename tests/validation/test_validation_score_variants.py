"""Validation of score-variants against true effects: selection (held-out chromosomes, |true| > 0.2), goals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.validation.score_variants import score_variant_metrics, score_variant_tables


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
    assert list(t.columns) == ["metric", "model", "value", "goal", "n", "ci_low", "ci_high", "status"]
    row = t.set_index(["model", "metric"])
    expect_n = int(((split == "test") & (np.abs(true) > 0.2)).sum())
    assert row.loc[("deepallele", "pearson"), "n"] == expect_n
    assert row.loc[("deepallele", "pearson"), "value"] > 0.95 and row.loc[("deepallele", "pearson"), "status"] == "pass"
    assert row.loc[("deepallele", "pearson"), "goal"] == ">= 0.6 (test chromosomes, |true effect| > 0.2)"
    assert row.loc[("deepallele", "sign_agreement"), "value"] == 1.0
    assert row.loc[("deepallele", "sign_agreement"), "status"] == "pass"
    assert row.loc[("ref_only", "sign_agreement"), "value"] == 0.0
    assert row.loc[("ref_only", "pearson"), "status"] == "context"
    assert row.loc[("ref_only", "pearson"), "goal"] == "context: baseline (test chromosomes, |true effect| > 0.2)"
    assert row.loc[("deepallele", "pearson_all"), "n"] == int((split == "test").sum())


def test_paper_scheme_uses_val_and_unscored_rows_are_dropped():
    ids = ["chr1:1:A:C", "chr1:2:A:G", "chr1:3:A:T", "chr1:4:A:C"]
    s = _scores(ids, [0.5, -0.4, 0.3, np.nan], "val")
    s.loc[3, "status"] = "symbolic"
    truth = pd.DataFrame({"variant_id": ids, "effect": [0.6, -0.5, 0.25, 1.0]})
    t = score_variant_metrics({"deepallele": s}, truth, "deepallele").set_index("metric")
    assert t.loc["pearson", "n"] == 3 and t.loc["sign_agreement", "value"] == 1.0
    assert "val chromosomes" in t.loc["pearson", "goal"]
    # three variants cannot decide a goal that needs 20
    assert t.loc["pearson", "status"] == "insufficient" and t.loc["sign_agreement", "status"] == "insufficient"


def test_tables_of_two_vcfs_keep_strain_names_and_prefix_the_new_snvs():
    strain_ids = ["chr17:1:A:C", "chr17:2:A:G", "chr17:3:A:T", "chr17:4:A:C"]
    new_ids = ["chr17:11:G:T", "chr17:12:G:A", "chr17:13:A:C", "chr17:14:A:T"]
    strain = ({"deepallele": _scores(strain_ids, [0.5, -0.4, 0.3, 0.9], "test"),
               "ref_only": _scores(strain_ids, [0.1, 0.1, 0.1, 0.2], "test")},
              pd.DataFrame({"variant_id": strain_ids, "effect": [0.6, -0.5, 0.25, 1.0]}))
    # new SNVs: the model gets one sign wrong (3/4), the truth of the 4th is below the cut
    new = ({"deepallele": _scores(new_ids, [0.9, 0.5, -0.2, 0.05], "test"),
            "ref_only": _scores(new_ids, [0.9, 0.5, 0.3, 0.05], "test")},
           pd.DataFrame({"variant_id": new_ids, "effect": [1.2, 0.6, 0.3, 0.1]}))
    t = score_variant_tables({"strain": strain, "new_snvs": new}, "deepallele")
    assert list(t.columns) == ["metric", "model", "value", "goal", "n", "ci_low", "ci_high", "status"]
    alone = score_variant_metrics(*strain, "deepallele")
    pd.testing.assert_frame_equal(t.iloc[:len(alone)].reset_index(drop=True), alone)  # strain rows unchanged
    rows = t.set_index(["model", "metric"])
    assert set(t["metric"][len(alone):]) == {"new_snvs_pearson", "new_snvs_sign_agreement", "new_snvs_pearson_all",
                                             "new_snvs_frac_in_peak_window"}
    assert rows.loc[("deepallele", "new_snvs_sign_agreement"), "value"] == round(2 / 3, 4)
    assert rows.loc[("deepallele", "new_snvs_sign_agreement"), "n"] == 3
    assert rows.loc[("deepallele", "new_snvs_sign_agreement"), "status"] == "insufficient"
    # 2 of 3, Wilson: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964
    assert rows.loc[("deepallele", "new_snvs_sign_agreement"), ["ci_low", "ci_high"]].tolist() == \
        pytest.approx([0.207660, 0.938508], abs=1e-6)
    assert rows.loc[("ref_only", "new_snvs_sign_agreement"), "value"] == 1.0
    assert rows.loc[("ref_only", "new_snvs_sign_agreement"), "status"] == "context"
    assert ">= 0.6" in rows.loc[("deepallele", "new_snvs_pearson"), "goal"]
