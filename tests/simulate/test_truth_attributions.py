"""True attributions: the fast mutant occupancies against whole-sequence rescoring."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.simulate.motifs import Motif, occupancy, site_scores
from deepallele.simulate.regions import Grammar, GrammarMotif
from deepallele.simulate.truth_attributions import mutant_occupancies, true_ratio_ism


def _motif(name, consensus):
    pfm = np.full((4, len(consensus)), 0.05)
    pfm[["ACGT".index(c) for c in consensus], np.arange(len(consensus))] = 0.85
    return Motif(name=name, matrix_id="X", pfm=pfm)


def _grammar():
    a, b = _motif("A1", "GGAAGT"), _motif("B1", "TGACTCA")
    motifs = {m.name: GrammarMotif(motif=m, prob=1.0, copies=(1, 1), weight=w, cap=c, threshold=0.7 * m.max_score)
              for m, w, c in ((a, 1.5, 2.0), (b, 0.8, 1.0))}
    return Grammar(primary="A1", motifs=motifs, cooperativity=[("A1", "B1", 0.5)], temperature=1.0)


def _naive(grammar, seq):
    f0 = grammar.log_activity(seq)[0]
    out = np.zeros((4, seq.size))
    for i in range(seq.size):
        for b in range(4):
            m = seq.copy()
            m[i] = b
            out[b, i] = grammar.log_activity(m)[0] - f0
    return out


def test_mutant_occupancies_match_rescoring():
    rng = np.random.default_rng(0)
    motif = _motif("A1", "GGAAGT")
    seq = rng.integers(0, 4, 40).astype(np.uint8)
    seq[10:16] = [2, 2, 0, 0, 2, 3]
    total, mutants = mutant_occupancies(seq, motif, 5.0, 0.8)
    assert total == pytest.approx(occupancy(site_scores(seq, motif), 5.0, 0.8).sum())
    for i in (0, 12, 39):
        for b in range(4):
            m = seq.copy()
            m[i] = b
            assert mutants[b, i] == pytest.approx(occupancy(site_scores(m, motif), 5.0, 0.8).sum())


def test_true_ratio_ism_is_centred_naive_ism_with_alt_negated():
    rng = np.random.default_rng(1)
    grammar = _grammar()
    ref = rng.integers(0, 4, 30).astype(np.uint8)
    ref[5:11] = [2, 2, 0, 0, 2, 3]
    ref[18:25] = [3, 2, 0, 1, 3, 1, 0]
    alt = ref.copy()
    alt[7] = 1                                   # the variant breaks the GGAA core
    codes = np.full((1, 2, 34), 5, dtype=np.uint8)
    codes[0, 0, :30], codes[0, 1, :30] = ref, alt
    attr = true_ratio_ism(grammar, codes)
    for allele, seq, sign in ((0, ref, 1), (1, alt, -1)):
        naive = _naive(grammar, seq)
        assert np.allclose(attr[0, allele, :, :30], sign * (naive - naive.mean(0)), atol=1e-5)
    assert (attr[0, :, :, 30:] == 0).all()
    # the reference's GGAA bases raise the ratio (positive at the reference base)
    assert (attr[0, 0][ref[5:11], np.arange(5, 11)] > 0).all()
    codes[0, 1, 3] = 4
    with pytest.raises(ValueError, match="N in the sequence"):
        true_ratio_ism(grammar, codes)
