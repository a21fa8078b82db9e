"""The choices behind the interpretation figures (deepallele.interpret.figures), on hand-made tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.alphabet import one_hot
from deepallele.interpret.figures import comparison_locus, figure_loci, seed_correlations


def test_seed_correlations_every_pair_of_seeds():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 2, 4, 6)).astype(np.float32)
    # the last position is padding: its (different) values must not count
    b, c = 2 * a, -a
    b[..., 5] = rng.normal(size=(2, 2, 4))
    x = one_hot(np.array([[[0, 1, 2, 3, 4, 5]] * 2] * 2, dtype=np.uint8))
    attrs = [{"attr": m, "peak": np.array(["p0", "p1"])} for m in (a, b, c)]
    corr = seed_correlations(attrs, x, [0, 1, 7])
    assert corr["seed_pair"].tolist() == ["0-1"] * 2 + ["0-7"] * 2 + ["1-7"] * 2
    assert corr["peak"].tolist() == ["p0", "p1"] * 3
    assert corr["r"].tolist() == pytest.approx([1, 1, -1, -1, -1, -1])
    one = seed_correlations(attrs[:1], x, [0])
    assert one.empty and list(one.columns) == ["seed_pair", "peak", "r"]


def test_figure_loci_configured_first_then_strongest_trusted():
    main = pd.DataFrame({"peak": ["a", "b", "c", "d", "e"], "effect": [0.5, -2.0, 1.0, 0.1, 3.0],
                         "trusted": [True, True, True, True, False]})
    peaks = np.array(["a", "b", "c", "d", "e"])
    loci, ranked = figure_loci(main, peaks)
    assert ranked == ["b", "c", "a", "d"] and loci == ["b", "c"]      # e is not trusted
    # a configured locus without attributions is skipped, and the configured ones set how many are drawn
    loci, _ = figure_loci(main, peaks, ["d", "zz", "e"])
    assert loci == ["d", "e", "b"]
    assert figure_loci(main.assign(trusted=False), peaks) == ([], [])


def test_comparison_locus_prefers_a_motif_only_deepallele_sees():
    jm = pd.DataFrame({"model": ["deepallele"] * 3 + ["ref_only"] * 3, "peak": ["a", "b", "c"] * 2,
                       "in_motif": [True, True, True, True, False, False], "trusted": [True, True, False] * 2})
    # a: in both models' motifs; b: DeepAllele's only; c: not trusted
    assert comparison_locus(jm, "ref_only", ["a"], ["c", "b"]) == "b"
    assert comparison_locus(jm, "ref_only", ["a"], ["c"]) == "a"      # none qualifies: the first locus
    assert comparison_locus(jm, "ref_only", [], ["c"]) is None
