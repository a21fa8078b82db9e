"""Building blocks on toy inputs with hand-derived outputs."""
from __future__ import annotations

import torch
from torch import nn

from deepallele.alphabet import encode, one_hot
from deepallele.models.layers import (ConcatReverseComplement, ConvBlock, MLPHead, Residual, Trunk, pool,
                                      pooled_length, reverse_complement)


def _codes(seq: str, length: int) -> torch.Tensor:
    return torch.from_numpy(encode(seq, length))


def test_one_hot_encoding_n_and_padding():
    x = one_hot(_codes("ACGTN", 7))
    assert x.shape == (4, 7)
    expected = torch.tensor([[1, 0, 0, 0, 0.25, 0, 0], [0, 1, 0, 0, 0.25, 0, 0], [0, 0, 1, 0, 0.25, 0, 0],
                             [0, 0, 0, 1, 0.25, 0, 0]])
    assert torch.equal(x, expected)
    assert x[:, 5:].abs().sum() == 0  # padding is all zeros


def test_reverse_complement_by_hand():
    x = one_hot(_codes("AACGN", 7))  # A A C G N pad pad
    rc = reverse_complement(x)
    # reverse complement of "AACGN" + 2 pads is: pad pad N C G T T
    expected = one_hot(_codes("", 7))
    expected[:, 2] = 0.25
    expected[1, 3] = expected[2, 4] = expected[3, 5] = expected[3, 6] = 1
    assert torch.equal(rc, expected)
    assert torch.equal(reverse_complement(rc), x)


def test_concat_reverse_complement_doubles_length():
    x = one_hot(_codes("ACGGT", 6)).unsqueeze(0)
    out = ConcatReverseComplement()(x)
    assert out.shape == (1, 4, 12)
    assert torch.equal(out[..., :6], x) and torch.equal(out[..., 6:], reverse_complement(x))


def test_convblock_order_conv_relu_bn():
    blk = ConvBlock(1, 1, 3)
    with torch.no_grad():
        blk.conv.weight.copy_(torch.tensor([[[1.0, -1.0, 0.0]]]))
        blk.conv.bias.fill_(0.5)
        blk.bn.running_mean.fill_(1.0)
        blk.bn.running_var.fill_(4.0 - blk.bn.eps)
        blk.bn.weight.fill_(1.0)
        blk.bn.bias.fill_(0.0)
    blk.eval()
    x = torch.tensor([[[1.0, 3.0, 2.0, 0.0]]])
    # same padding (zeros each side): conv[i] = x[i-1] - x[i] + 0.5 -> [-0.5, -1.5, 1.5, 2.5]
    # ReLU -> [0, 0, 1.5, 2.5]; BN (mean 1, sd 2) -> [-0.5, -0.5, 0.25, 0.75]
    assert torch.allclose(blk(x), torch.tensor([[[-0.5, -0.5, 0.25, 0.75]]]))
    assert isinstance(ConvBlock(1, 1, 3, batch_norm=False).bn, nn.Identity)


def test_residual_adds_input():
    class Twice(nn.Module):
        def forward(self, x):
            return 2 * x

    assert torch.equal(Residual(Twice())(torch.tensor([1.0, -2.0])), torch.tensor([3.0, -6.0]))


def test_pool_partial_window_averages_valid_positions():
    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]])
    assert torch.equal(pool(2)(x), torch.tensor([[[1.5, 3.5, 5.0]]]))
    assert torch.equal(pool(4)(x), torch.tensor([[[2.5, 5.0]]]))


def test_pooled_lengths_of_the_paper_models():
    assert pooled_length(660, 4, 4) == 3        # 660 -> 165 -> 42 -> 11 -> 3
    assert pooled_length(1102, 2, 6) == 18      # 1102 -> 551 -> 276 -> 138 -> 69 -> 35 -> 18


def test_trunk_input_is_forward_then_reverse_complement():
    """conv0 set by hand to an 'A' detector (width 1, no BN) sees [x | rc(x)] along length."""
    trunk = Trunk(sequence_length=5, kernel_number=1, kernel_length=1, filter_number=1, kernel_size=1,
                  conv_layers=0, pooling_size=1, hidden_size=1, first_batch_norm=False)
    seen = {}
    trunk.conv0.register_forward_hook(lambda mod, inp, out: seen.update(inp=inp[0], out=out))
    with torch.no_grad():
        trunk.conv0.conv.weight.copy_(torch.tensor([[[1.0], [0.0], [0.0], [0.0]]]))
        trunk.conv0.conv.bias.zero_()
    x = torch.stack([one_hot(_codes("AAC", 5)), one_hot(_codes("TTG", 5))])
    trunk.eval()(x)
    assert torch.equal(seen["inp"], torch.cat([x, reverse_complement(x)], dim=-1))
    # AAC|pad pad -> A at 0, 1; its RC (pad pad G T T) has none.  TTG|pad pad -> RC pad pad C A A: A at 8, 9
    assert torch.equal(seen["out"][:, 0], torch.tensor([[1.0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
                                                        [0.0, 0, 0, 0, 0, 0, 0, 0, 1, 1]]))


def test_padding_contributes_nothing_to_conv0_without_bias():
    trunk = Trunk(8, 4, 3, 4, 3, 1, 2, 4, first_batch_norm=False)
    with torch.no_grad():
        trunk.conv0.conv.bias.zero_()
    seen = {}
    trunk.conv0.conv.register_forward_hook(lambda mod, inp, out: seen.update(out=out))
    x = one_hot(_codes("ACG", 8)).unsqueeze(0)  # 5 padding positions, then 5 in the RC half
    trunk.eval()(x)
    # positions whose 3-wide window lies in padding only: 4..11 of the 16 (forward 3 + pad 5 | pad 5 + RC 3)
    assert torch.equal(seen["out"][0, :, 4:12], torch.zeros(4, 8))


def test_mlp_head_layers_and_final_relu():
    head = MLPHead(6, 2, 0.2, final_relu=True)
    kinds = [type(m).__name__ for m in head.layers]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear", "ReLU"]
    assert (head.eval()(torch.randn(10, 6)) >= 0).all()
