"""The interpretation benchmark's pieces on a tiny model (timings are not checked, only that they run)."""
from __future__ import annotations

import torch

from deepallele.interpret.benchmark import agreement_table, pair_loop, random_pairs, seconds_per_pair

from interpret_toys import linear_deepallele, random_deepallele


def test_pair_loop_and_timing():
    m = random_deepallele(40)
    x = random_pairs(2, 40)
    assert seconds_per_pair(lambda v: pair_loop(m, v), x, repeats=1) > 0


def test_agreement_perfect_for_linear_model(pwm):
    m = linear_deepallele(pwm)
    t = agreement_table(m, random_pairs(5, pwm.shape[1])).set_index("metric")
    assert abs(t.loc["ism_tism_median_r", "value"] - 1.0) < 1e-5 and t.loc["ism_tism_n_pairs", "value"] == 5
    assert torch.is_tensor(random_pairs(1, 3))
