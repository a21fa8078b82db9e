"""DeepAllele: one shared trunk for both alleles, a shared count head and a ratio head.

Input ``(B, 2, 4, L)`` one-hot pairs (allele 0 = reference strain, 1 = other strain); output
``(B, 3)`` = ``[count_ref, count_alt, ratio]`` in ln units (ln(1+count), ln ratio).
"""
from __future__ import annotations

import torch
from torch import nn

from .layers import MLPHead, Trunk


class DeepAllele(nn.Module):
    """The multi-head allele-aware CNN (reference class ``SeparateMultiHeadResidualCNN``).

    Parameters
    ----------
    sequence_length : int
        L per allele.
    conv_layers, kernel_number, kernel_length, filter_number, kernel_size, pooling_size, hidden_size,
    first_batch_norm
        Trunk settings, see :class:`deepallele.models.layers.Trunk`.
    h_layers : int
        Hidden layers of each head (count head at width H, ratio head at 2H).
    dropout : float
        Dropout after each hidden layer of the heads.
    direct : bool
        The "direct" variant: no ratio head, ``ratio = count_ref - count_alt``.

    Notes
    -----
    Both alleles go through the trunk in one call (a batch of 2B sequences), so in training
    mode the batch-norm statistics are taken over both alleles of the batch together.
    """

    def __init__(self, sequence_length: int, conv_layers: int = 4, kernel_number: int = 256,
                 kernel_length: int = 15, filter_number: int = 256, kernel_size: int = 5, pooling_size: int = 4,
                 h_layers: int = 2, hidden_size: int = 256, dropout: float = 0.2, first_batch_norm: bool = True,
                 direct: bool = False):
        super().__init__()
        self.direct = bool(direct)
        self.trunk = Trunk(sequence_length, kernel_number, kernel_length, filter_number, kernel_size,
                           conv_layers, pooling_size, hidden_size, first_batch_norm)
        self.count_head = MLPHead(hidden_size, h_layers, dropout)
        self.ratio_head = None if self.direct else MLPHead(2 * hidden_size, h_layers, dropout)

    def embed(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 2, 4, L) -> (e_ref, e_alt), each (B, H)."""
        b = x.shape[0]
        e = self.trunk(torch.cat([x[:, 0], x[:, 1]], dim=0))
        return e[:b], e[b:]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 4, L) -> (B, 3) ``[count_ref, count_alt, ratio]``."""
        b = x.shape[0]
        e_ref, e_alt = self.embed(x)
        counts = self.count_head(torch.cat([e_ref, e_alt], dim=0))
        c_ref, c_alt = counts[:b], counts[b:]
        if self.direct:
            ratio = c_ref - c_alt
        else:
            ratio = self.ratio_head(torch.cat([e_ref, e_alt], dim=1))
        return torch.cat([c_ref, c_alt, ratio], dim=1)


def DirectRatio(sequence_length: int, **architecture) -> DeepAllele:
    """The direct variant (reference class ``ComputeRatioSeparateMultiHeadResidualCNN``).

    Same trunk and count head as :class:`DeepAllele`, no ratio head; the ratio output is
    ``count_ref - count_alt``, so the third MSE term trains the count head contrastively.
    """
    return DeepAllele(sequence_length, direct=True, **architecture)
