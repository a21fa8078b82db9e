"""The MeanDiff validation table (deepallele.validation.motifs.validate_meandiff) on a hand-made test table."""
from __future__ import annotations

import pandas as pd
import pytest

from deepallele.validation.motifs import validate_meandiff


def test_validation_table():
    tests = pd.DataFrame({"rank": [1, 2, 3, 4, 5], "motif": ["SPIB", "SPI1", "EHF", "CTCF", "FOS::JUN"],
                          "n_pos": [5, 6, 7, 8, 1], "n_neg": [1, 2, 3, 4, 0],
                          "significant_meandiff": [True, True, True, True, False]})
    table = validate_meandiff(tests, ["SPI1", "FOS::JUN"], {"SPIB": "SPI1", "EHF": "SPI1"}).set_index("metric")
    assert table.loc["planted_motifs_significant", "value"] == 0.5
    assert table.loc["planted_motifs_significant", "goal"] == ("1.0: every planted motif (SPI1, FOS::JUN) significant "
                                                              "at q < 0.05")
    assert table.loc["planted_motifs_significant", ["n", "status"]].tolist() == [2, "miss"]
    assert table.loc["planted_motifs_significant_names", "status"] == "miss"
    assert table.loc["unplanted_motifs_significant", "value"] == 3
    assert table.loc["unplanted_similar_significant", "value"] == 2
    assert table.loc["unplanted_unrelated_significant", "value"] == 1
    assert table.loc["top_motif", "value"] == "SPIB" and table.loc["top_motif_planted_or_similar", "value"]
    assert table.loc[["top_motif", "top_motif_planted_or_similar"], "status"].tolist() == ["pass", "pass"]
    assert table.loc["first_unrelated_rank", "goal"].startswith("rank of the best motif unlike every planted one "
                                                                "(TomTom p > 0.01); ")
    assert table.loc["planted_motif_ranks", "value"] == "SPI1:2;FOS::JUN:5"
    assert table.loc["planted_motif_sequences_changed", "value"] == "SPI1:8;FOS::JUN:1"
    # CTCF (rank 4) is the first motif unlike both planted ones: SPI1 is above it, FOS::JUN not
    assert table.loc["first_unrelated_rank", "value"] == 4
    assert table.loc["planted_ranked_above_unrelated", "value"] == 0.5
    only_family = validate_meandiff(tests.iloc[[0, 1, 2, 4]], ["SPI1", "FOS::JUN"],
                                    {"SPIB": "SPI1", "EHF": "SPI1"}).set_index("metric")
    assert only_family.loc["first_unrelated_rank", "value"] == 6  # none: one past the last rank
    assert only_family.loc["planted_ranked_above_unrelated", "value"] == 1.0
    effects = pd.DataFrame({"peak": ["a", "b", "c", "d"], "affected": [True, True, True, False],
                            "direction": ["Same direction", "No motif hit", "Same direction", ""]})
    both = validate_meandiff(tests, ["SPI1"], {}, effects=effects, suffix="_all_peaks").set_index("metric")
    assert both.loc["n_sequences_all_peaks", "value"] == 4 and both.loc["n_affected_all_peaks", "value"] == 3
    assert both.loc["affected_same_direction_percent_all_peaks", "value"] == pytest.approx(66.67)
    # a percent row has its interval in percent too (Wilson of 2/3, as in the score-variants test)
    assert both.loc["affected_same_direction_percent_all_peaks", ["ci_low", "ci_high"]].tolist() == \
        pytest.approx([20.766, 93.8508], abs=1e-3)
    assert both.loc["affected_same_direction_percent_all_peaks", "status"] == "context"
    assert both.loc["planted_motifs_significant_all_peaks", "value"] == 1.0
    assert both.loc["planted_motifs_significant_all_peaks", "status"] == "pass"
