"""Per-sequence motif effects and direction classes (deepallele.motifs.meandiff.effects)."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.motifs.meandiff.effects import direction_summary, sequence_effects
from deepallele.motifs.meandiff.scan import Scan
from deepallele.motifs.meandiff.significance import motif_tests

from meandiff_toys import GROUPS, SITE_SCORE


def test_sequence_effects_and_directions(scan):
    tests = motif_tests(scan)
    eff = sequence_effects(scan, tests)
    pe = eff["predicted_effect"].to_numpy()
    np.testing.assert_allclose(pe[GROUPS["ref_only"]], SITE_SCORE, rtol=1e-5)
    np.testing.assert_allclose(pe[GROUPS["alt_only"]], -SITE_SCORE, rtol=1e-5)
    assert np.isnan(pe[GROUPS["neither"]]).all()
    d = eff["direction"].to_numpy()
    assert set(d[GROUPS["ref_only"]]) == {"Same direction"} and set(d[GROUPS["alt_only"]]) == {"Same direction"}
    assert d[21] == "Opposite direction"
    assert d[18:21].tolist() == ["", "", "No motif hit"]   # only |ratio| >= 1 is affected
    assert set(d[GROUPS["both"]]) == {""}
    summary = direction_summary(eff)
    assert summary.set_index("direction")["n"].to_dict() == {"Same direction": 16, "Opposite direction": 1,
                                                             "No motif change": 0, "No motif hit": 1}
    assert summary["percent"].sum() == pytest.approx(100.0)


def test_no_motif_change_when_both_alleles_match(scan):
    tests = motif_tests(scan)
    s = Scan(scan.motifs, scan.peak, scan.ratio.copy(), scan.ref_sums, scan.alt_sums, scan.ref_counts,
                scan.alt_counts)
    s.ratio[16] = 2.0   # a "both" sequence made affected: its delta is 0
    assert sequence_effects(s, tests)["direction"][16] == "No motif change"
