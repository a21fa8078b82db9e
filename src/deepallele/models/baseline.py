"""Single-input baseline: the DeepAllele trunk with one count head, one sequence in, one log count out.

Trained on reference sequences only (``ref_only``), strain sequences only (``alt_only``) or both
(``two_genome``); the allelic ratio is then ``pred(ref) - pred(alt)``.
"""
from __future__ import annotations

import torch
from torch import nn

from .layers import MLPHead, Trunk


class SingleInput(nn.Module):
    """(B, 4, L) -> (B, 1) ln(1 + count); the output passes a final ReLU (non-negative).

    Parameters are those of :class:`deepallele.models.deepallele.DeepAllele` (batch norm in
    conv0 is always on in the reference baseline; ``first_batch_norm`` is accepted and kept
    as given so presets can be shared).
    """

    def __init__(self, sequence_length: int, conv_layers: int = 4, kernel_number: int = 256,
                 kernel_length: int = 15, filter_number: int = 256, kernel_size: int = 5, pooling_size: int = 4,
                 h_layers: int = 2, hidden_size: int = 256, dropout: float = 0.2, first_batch_norm: bool = True):
        super().__init__()
        self.trunk = Trunk(sequence_length, kernel_number, kernel_length, filter_number, kernel_size,
                           conv_layers, pooling_size, hidden_size, first_batch_norm)
        self.head = MLPHead(hidden_size, h_layers, dropout, final_relu=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(x))


def predict_pair(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Pair prediction of a single-input model: ``(B, 2, 4, L) -> (B, 3)`` = [pred(ref), pred(alt), difference].

    Both alleles go through ``model`` in one call of 2B sequences (identical to two calls in
    eval mode).
    """
    b = x.shape[0]
    p = model(torch.cat([x[:, 0], x[:, 1]], dim=0))
    return torch.cat([p[:b], p[b:], p[:b] - p[b:]], dim=1)


class PairedBaseline(nn.Module):
    """A single-input model seen as a pair model (same ``(B, 2, 4, L) -> (B, 3)`` interface as DeepAllele)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return predict_pair(self.model, x)
