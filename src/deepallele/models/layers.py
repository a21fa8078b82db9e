"""Building blocks of the allele-aware CNNs (one operation per class, all ``torch.nn`` modules).

Every nonlinearity and pooling step is a module, not a functional call, so attribution methods
that walk the module graph (DeepLIFT/DeepSHAP) see them.
"""
from __future__ import annotations

import math

import torch
from torch import nn


class ConvBlock(nn.Module):
    """Conv1d with "same" padding, then ReLU, then (optionally) BatchNorm1d.

    The batch norm comes *after* the ReLU, as in the reference implementation.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels in and out.
    kernel_size : int
        Convolution width; stride 1, dilation 1, bias on.
    batch_norm : bool
        Append a ``BatchNorm1d(out_channels)``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, batch_norm: bool = True):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, padding="same")
        self.relu = nn.ReLU()
        self.bn = nn.BatchNorm1d(out_channels) if batch_norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_channels, L) -> (B, out_channels, L)."""
        return self.bn(self.relu(self.conv(x)))


class Residual(nn.Module):
    """``x + block(x)``; the block must keep the shape (no projection)."""

    def __init__(self, block: nn.Module):
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


def pool(size: int) -> nn.AvgPool1d:
    """Average pooling with kernel = stride = ``size``; a partial last window averages its valid positions.

    (``ceil_mode=True`` with no padding: PyTorch divides the last window by the number of
    positions it actually covers.)
    """
    return nn.AvgPool1d(kernel_size=size, stride=size, ceil_mode=True)


def pooled_length(length: int, pooling_size: int, n: int) -> int:
    """Length after ``n`` ceil-mode poolings of ``pooling_size`` (e.g. 660 -> 165 -> 42 -> 11 -> 3)."""
    for _ in range(n):
        length = math.ceil(length / pooling_size)
    return length


def reverse_complement(x: torch.Tensor) -> torch.Tensor:
    """Reverse complement of one-hot ``(..., 4, L)`` (ACGT order): flip the channel and length axes.

    N (0.25 everywhere) and padding (zeros) map to themselves.
    """
    return torch.flip(x, dims=(-2, -1))


class ConcatReverseComplement(nn.Module):
    """``(B, 4, L) -> (B, 4, 2L)``: the forward strand followed by its reverse complement.

    A right-padded sequence becomes ``forward | padding | padding | RC``; convolutions slide
    across the junction (the reference model's strand handling).
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, reverse_complement(x)], dim=-1)


class Trunk(nn.Module):
    """Shared sequence encoder: RC concatenation -> conv0 -> conv1 -> residual blocks -> flatten -> fc0.

    Parameters
    ----------
    sequence_length : int
        L, the per-allele input length (the convolutions see 2L).
    kernel_number, kernel_length : int
        conv0 filters K and width KL.
    filter_number, kernel_size : int
        conv1 / residual filters F and width KS.
    conv_layers : int
        Number of [Residual(ConvBlock F->F) -> AvgPool(P)] blocks.
    pooling_size : int
        P.
    hidden_size : int
        Width H of ``fc0`` (the embedding).
    first_batch_norm : bool
        Batch norm in conv0 (the other conv blocks always have it).

    Notes
    -----
    Output: ``(B, H)`` after ``Linear(F * Lp, H)`` and ReLU, where ``Lp`` is ``2L`` after
    ``conv_layers`` ceil-mode poolings.
    """

    def __init__(self, sequence_length: int, kernel_number: int, kernel_length: int, filter_number: int,
                 kernel_size: int, conv_layers: int, pooling_size: int, hidden_size: int,
                 first_batch_norm: bool = True):
        super().__init__()
        self.sequence_length = int(sequence_length)
        self.rc = ConcatReverseComplement()
        self.conv0 = ConvBlock(4, kernel_number, kernel_length, batch_norm=first_batch_norm)
        self.conv1 = ConvBlock(kernel_number, filter_number, kernel_size)
        blocks = []
        for _ in range(conv_layers):
            blocks += [Residual(ConvBlock(filter_number, filter_number, kernel_size)), pool(pooling_size)]
        self.blocks = nn.Sequential(*blocks)
        self.flatten = nn.Flatten()
        self.flat_size = filter_number * pooled_length(2 * self.sequence_length, pooling_size, conv_layers)
        self.fc0 = nn.Linear(self.flat_size, hidden_size)
        self.fc0_relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 4, L) one-hot -> (B, H) embedding."""
        h = self.conv1(self.conv0(self.rc(x)))
        return self.fc0_relu(self.fc0(self.flatten(self.blocks(h))))


class MLPHead(nn.Module):
    """``n_layers`` x [Linear(width, width) -> ReLU -> Dropout] then Linear(width, 1) (+ ReLU if asked).

    Parameters
    ----------
    width : int
        Input and hidden width.
    n_layers : int
        Hidden layers.
    dropout : float
        Dropout probability after each hidden ReLU.
    final_relu : bool
        End with a ReLU (non-negative output; the single-input baseline).
    """

    def __init__(self, width: int, n_layers: int, dropout: float, final_relu: bool = False):
        super().__init__()
        layers = []
        for _ in range(n_layers):
            layers += [nn.Linear(width, width), nn.ReLU(), nn.Dropout(dropout)]
        layers.append(nn.Linear(width, 1))
        if final_relu:
            layers.append(nn.ReLU())
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, width) -> (B, 1)."""
        return self.layers(x)
