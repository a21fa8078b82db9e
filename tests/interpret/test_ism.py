"""ISM and TISM on toy models with attributions known by hand, and the windowed fast path vs the full one."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from deepallele.interpret import ism as ism_mod
from deepallele.interpret.ism import alternatives, centre, ism, ism_naive, mutate
from deepallele.interpret.readout import PairReadout
from deepallele.interpret.tism import tism
from deepallele.models.baseline import PairedBaseline

from interpret_toys import linear_deepallele, linear_single, random_deepallele, random_pairs


def _expected_linear(pwm, x, sign):
    """Centred ISM of a linear readout ``sign * sum(pwm * x)``: pwm minus its mean over bases."""
    w = torch.as_tensor(pwm, dtype=torch.float32)
    exp = sign * (w - w.mean(0, keepdim=True))
    return exp * (x.sum(0, keepdim=True) > 0)


def test_readout_matches_model():
    m = random_deepallele(40)
    x = random_pairs(5, 40)
    assert torch.allclose(PairReadout(m)(x), m(x), atol=1e-6)


def test_ism_linear_ratio_known_by_hand(pwm):
    m = linear_deepallele(pwm)
    x = random_pairs(3, pwm.shape[1])
    x[2, 1, :, -3:] = 0  # padding: never mutated, stays 0
    a = ism(m, x, target="ratio")
    for n in range(3):
        assert torch.allclose(a[n, 0], _expected_linear(pwm, x[n, 0], +1), atol=1e-4)
        assert torch.allclose(a[n, 1], _expected_linear(pwm, x[n, 1], -1), atol=1e-4)
    assert (a[2, 1, :, -3:] == 0).all()
    # the reference base of the motif carries the largest attribution at each motif position
    assert (a[0, 0, :, 8:14].argmax(0) == torch.tensor([0, 2, 2, 0, 3, 1])).all()


def test_ism_count_target_and_baseline(pwm):
    x = random_pairs(2, pwm.shape[1], seed=1)
    for model in (linear_deepallele(pwm), linear_single(pwm), PairedBaseline(linear_single(pwm))):
        a = ism(model, x, target="count")
        for n in range(2):
            for al in (0, 1):  # each allele's own count: +pwm for both alleles
                assert torch.allclose(a[n, al], _expected_linear(pwm, x[n, al], +1), atol=1e-4)


def test_tism_equals_ism_for_linear_model(pwm):
    m = linear_deepallele(pwm)
    x = random_pairs(4, pwm.shape[1], seed=2)
    assert torch.allclose(tism(m, x, target="ratio"), ism(m, x, target="ratio"), atol=1e-4)
    assert torch.allclose(tism(m, x, target="count"), ism(m, x, target="count"), atol=1e-4)


@pytest.mark.parametrize("length,arch", [
    (200, {}),                                                   # ATAC-like: pool 4, odd kernels
    (151, {"pooling_size": 2, "kernel_length": 8, "kernel_size": 4, "conv_layers": 4}),  # even kernels, partial pools
])
def test_windowed_ism_equals_naive(length, arch, monkeypatch):
    m = random_deepallele(length, **arch)
    x = random_pairs(2, length, seed=3)
    x[1, 1, :, -7:] = 0
    x[0, 0, :, 5] = 0.25  # an N: all four bases are alternatives
    widths = []
    orig = ism_mod.WindowedTrunk._window

    def spy(self, ref, seq, start, width):
        widths.append((width, ref.shape[-1] - 2 * self.MARGIN))
        return orig(self, ref, seq, start, width)

    monkeypatch.setattr(ism_mod.WindowedTrunk, "_window", spy)
    fast = ism(m, x, batch_size=97, chunk=1)
    # the first layers are evaluated on short windows, not on the whole sequence
    assert widths and widths[0][0] < widths[0][1] / 4
    slow = ism_naive(m, x)
    assert torch.allclose(fast, slow, atol=1e-5, rtol=1e-4)
    assert slow.abs().max() > 1e-4


def test_ism_mutates_only_real_alternatives():
    x = random_pairs(1, 10)
    x[0, 1, :, 8:] = 0
    alt = alternatives(x)
    assert alt[0, 0].sum() == 30 and alt[0, 1].sum() == 24
    m = mutate(x[:, 0], torch.tensor([2]), torch.tensor([1]))
    assert m[0, :, 2].tolist() == [0, 1, 0, 0]


def test_centre_zero_mean_and_padding():
    x = random_pairs(2, 12)
    x[:, :, :, -2:] = 0
    c = centre(torch.randn(2, 2, 4, 12), x)
    assert torch.allclose(c.sum(2), torch.zeros(2, 2, 12), atol=1e-6)
    assert (c[..., -2:] == 0).all()


def test_unknown_target_rejected(pwm):
    with pytest.raises(ValueError, match="target"):
        tism(linear_deepallele(pwm), random_pairs(1, pwm.shape[1]), target="foo")
