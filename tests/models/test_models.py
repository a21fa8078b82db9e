"""Model shapes, parameter counts of the paper settings, variant and baseline identities."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from deepallele.models import (MODEL_TYPES, PAIRED_TYPES, PairedBaseline, build_model, count_parameters,
                               predict_pair, resolve_architecture)


def _pairs(b, length, seed=0):
    g = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, 4, (b, 2, length), generator=g)
    return nn.functional.one_hot(codes, 4).transpose(-1, -2).float()


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_output_shapes(model_type, tiny_arch):
    m = build_model(model_type, 40, tiny_arch).eval()
    x = _pairs(5, 40)
    if model_type in PAIRED_TYPES:
        assert m(x).shape == (5, 3)
    else:
        assert m(x[:, 0]).shape == (5, 1)
        assert predict_pair(m, x).shape == (5, 3)
        assert PairedBaseline(m)(x).shape == (5, 3)


def _conv_block(cin, cout, k):        # conv weights + bias + BN scale and shift
    return cin * cout * k + cout + 2 * cout


def _linear(i, o):
    return i * o + o


def _expected(arch, length, paired=True, direct=False):
    k, f, h = arch["kernel_number"], arch["filter_number"], arch["hidden_size"]
    lp = 2 * length
    for _ in range(arch["conv_layers"]):
        lp = -(-lp // arch["pooling_size"])
    n = _conv_block(4, k, arch["kernel_length"]) + _conv_block(k, f, arch["kernel_size"])
    n += arch["conv_layers"] * _conv_block(f, f, arch["kernel_size"])
    n += _linear(f * lp, h)
    n += arch["h_layers"] * _linear(h, h) + _linear(h, 1)                        # count head
    if paired and not direct:
        n += arch["h_layers"] * _linear(2 * h, 2 * h) + _linear(2 * h, 1)        # ratio head
    return n


def test_parameter_counts_of_the_paper_models():
    atac, chip = resolve_architecture("paper_atac"), resolve_architecture("paper_chip")
    # from the layer list: 16,128 + 328,448 + 4 x 328,448 + 196,864 + 131,841 + 525,825
    assert _expected(atac, 330) == 2_512_898
    # 6 residual blocks, flatten 256 x 18 = 4,608 -> fc0 1,179,904
    assert _expected(chip, 551) == 4_152_834
    assert count_parameters(build_model("deepallele", 330, atac)) == 2_512_898
    assert count_parameters(build_model("deepallele", 551, chip)) == 4_152_834
    assert build_model("deepallele", 330, atac).trunk.flat_size == 768
    assert build_model("deepallele", 551, chip).trunk.flat_size == 4608
    baseline = count_parameters(build_model("ref_only", 330, atac))
    assert baseline == _expected(atac, 330, paired=False) == 1_987_073      # ~1.99 M
    assert count_parameters(build_model("direct", 330, atac)) == 1_987_073  # no ratio head


def test_parameter_count_formula_on_demo_and_tiny(tiny_arch):
    demo = resolve_architecture("demo")
    for arch, length in ((demo, 330), (demo, 551), (tiny_arch, 40)):
        assert count_parameters(build_model("deepallele", length, arch)) == _expected(arch, length)


def test_direct_ratio_is_count_difference(tiny_arch):
    m = build_model("direct", 40, tiny_arch).eval()
    out = m(_pairs(6, 40))
    assert m.ratio_head is None
    assert torch.equal(out[:, 2], out[:, 0] - out[:, 1])


def test_count_head_shared_between_alleles(tiny_arch):
    """Swapping the alleles swaps the two count outputs (shared trunk and count head)."""
    m = build_model("deepallele", 40, tiny_arch).eval()
    x = _pairs(4, 40)
    a, b = m(x), m(x[:, [1, 0]])
    assert torch.allclose(a[:, :2], b[:, [1, 0]], atol=1e-6)


def test_baseline_pair_ratio_from_two_single_predictions(tiny_arch):
    m = build_model("ref_only", 40, tiny_arch).eval()
    x = _pairs(7, 40)
    with torch.no_grad():
        ref, alt = m(x[:, 0]), m(x[:, 1])
        pair = predict_pair(m, x)
    assert torch.allclose(pair[:, 0:1], ref, atol=1e-6) and torch.allclose(pair[:, 1:2], alt, atol=1e-6)
    assert torch.allclose(pair[:, 2:3], ref - alt, atol=1e-6)
    assert (pair[:, :2] >= 0).all()  # final ReLU


def test_nonlinearities_are_modules(tiny_arch):
    m = build_model("deepallele", 40, tiny_arch)
    n_relu = sum(isinstance(mod, nn.ReLU) for mod in m.modules())
    # conv0, conv1, 2 residual convs, fc0, 1 count-head and 1 ratio-head hidden layer
    assert n_relu == 7
    assert sum(isinstance(mod, nn.AvgPool1d) for mod in m.modules()) == 2


def test_presets_and_overrides():
    assert resolve_architecture("paper", assay="chip") == resolve_architecture("paper_chip")
    assert resolve_architecture("paper", assay="atac")["conv_layers"] == 4
    assert resolve_architecture("demo", {"hidden_size": 8})["hidden_size"] == 8
    with pytest.raises(ValueError):
        resolve_architecture("demo", {"bogus": 1})
    with pytest.raises(ValueError):
        resolve_architecture("huge")
    with pytest.raises(ValueError):
        build_model("cnn", 10, resolve_architecture("demo"))
