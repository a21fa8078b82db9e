"""Toy models whose attributions are known by hand (imported by the interpretation tests)."""
from __future__ import annotations

import numpy as np
import torch

from deepallele.models.baseline import SingleInput
from deepallele.models.deepallele import DeepAllele

LINEAR_ARCH = {"conv_layers": 0, "kernel_number": 4, "kernel_length": 1, "filter_number": 4, "kernel_size": 1,
               "pooling_size": 2, "h_layers": 0, "hidden_size": 1, "dropout": 0.0}


def _identity_block(block, offset: float) -> None:
    with torch.no_grad():
        block.conv.weight.zero_()
        block.conv.weight[:, :, 0] = torch.eye(4)
        block.conv.bias.fill_(offset)
        block.bn.running_mean.zero_()
        block.bn.running_var.fill_(1 - block.bn.eps)  # BN(x) == x
        block.bn.weight.fill_(1.0)
        block.bn.bias.zero_()


def _linear_trunk(trunk, pwm: np.ndarray) -> None:
    """conv0/conv1 pass the one-hot (+10, so every ReLU stays linear); fc0 reads ``pwm`` on the forward strand."""
    length = trunk.sequence_length
    _identity_block(trunk.conv0, 10.0)
    _identity_block(trunk.conv1, 0.0)
    w = torch.zeros(4, 2 * length)
    w[:, :length] = torch.as_tensor(pwm, dtype=torch.float32)
    with torch.no_grad():
        trunk.fc0.weight.copy_(w.reshape(1, -1))  # flatten order: channel-major
        trunk.fc0.bias.zero_()


def linear_deepallele(pwm: np.ndarray) -> DeepAllele:
    """A DeepAllele whose ratio is exactly ``sum(pwm * x_ref) - sum(pwm * x_alt)`` (+ constants cancelling).

    ``pwm`` ``(4, L)`` must be >= 0 so the embedding's ReLU stays linear; counts are
    ``sum(pwm * x) + 10 sum(pwm)``.
    """
    m = DeepAllele(pwm.shape[1], **LINEAR_ARCH)
    _linear_trunk(m.trunk, pwm)
    with torch.no_grad():
        m.count_head.layers[0].weight.fill_(1.0)
        m.count_head.layers[0].bias.zero_()
        m.ratio_head.layers[0].weight.copy_(torch.tensor([[1.0, -1.0]]))
        m.ratio_head.layers[0].bias.zero_()
    return m.eval()


def linear_single(pwm: np.ndarray) -> SingleInput:
    """A single-input baseline whose count is ``sum(pwm * x) + 10 sum(pwm)``."""
    m = SingleInput(pwm.shape[1], **LINEAR_ARCH)
    _linear_trunk(m.trunk, pwm)
    with torch.no_grad():
        m.head.layers[0].weight.fill_(1.0)
        m.head.layers[0].bias.zero_()
    return m.eval()


def random_pairs(n: int, length: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, 4, (n, 2, length), generator=g)
    x = torch.zeros(n, 2, 4, length)
    x.scatter_(2, codes[:, :, None, :], 1.0)
    return x


def random_deepallele(length: int, seed: int = 0, **arch) -> DeepAllele:
    """A random DeepAllele in eval mode with non-trivial batch-norm statistics."""
    torch.manual_seed(seed)
    spec = {"conv_layers": 3, "kernel_number": 8, "kernel_length": 9, "filter_number": 8, "kernel_size": 5,
            "pooling_size": 4, "h_layers": 1, "hidden_size": 16, "dropout": 0.0, **arch}
    m = DeepAllele(length, **spec)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm1d):
                mod.running_mean.normal_()
                mod.running_var.uniform_(0.5, 2.0)
    return m.eval()
