"""TISM: the input gradient of the attributed output, centred over bases (reference-spec §3.3).

TISM(i, b) = g(i, b) - g(i, ref) is the first-order estimate of ISM; centred over the four
bases it equals the centred gradient, so one backward pass per batch gives attributions in the
same units as :func:`deepallele.interpret.ism.ism`.
"""
from __future__ import annotations

import logging

import torch
from torch import nn

from ..logutil import Progress

from .ism import centre
from .readout import RATIO_COLUMN, PairReadout

log = logging.getLogger("deepallele.interpret.tism")


def tism(model: nn.Module, x: torch.Tensor, target: str = "ratio", batch_size: int = 64,
         device: str | torch.device | None = None) -> torch.Tensor:
    """Centred input gradients of both alleles of every pair.

    Parameters
    ----------
    model : torch.nn.Module
        A pair model or single-input baseline (see :class:`~deepallele.interpret.readout.PairReadout`).
    x : torch.Tensor
        ``(N, 2, 4, L)`` one-hot pairs.
    target : str
        ``ratio``: gradient of the ratio output w.r.t. both alleles; ``count``: gradient of each
        allele's own count output w.r.t. that allele.
    batch_size : int
        Pairs per backward pass.
    device : str or torch.device, optional
        Where to compute (default: the model's device).

    Returns
    -------
    torch.Tensor
        ``(N, 2, 4, L)`` float32 on the CPU (0 at padding).
    """
    if target not in ("ratio", "count"):
        raise ValueError(f"unknown attribution target {target!r} (ratio or count)")
    rd = PairReadout(model)
    dev = torch.device(device) if device is not None else next(rd.parameters()).device
    rd = rd.to(dev)
    for p in rd.parameters():
        p.requires_grad_(False)
    out = torch.zeros(x.shape, dtype=torch.float32)
    progress = Progress(log, f"TISM ({target})", total=len(x), unit="pairs")
    for i in range(0, len(x), batch_size):
        progress.update(i)
        xb = x[i:i + batch_size].to(dev, torch.float32).requires_grad_(True)
        pred = rd(xb)
        # count_ref depends only on allele 0 and count_alt only on allele 1, so one backward
        # pass of their sum gives each allele the gradient of its own count
        y = pred[:, RATIO_COLUMN].sum() if target == "ratio" else pred[:, :2].sum()
        (g,) = torch.autograd.grad(y, xb)
        out[i:i + batch_size] = g.detach().float().cpu()
    progress.update(len(x))
    progress.finish()
    return centre(out, x.float())
