"""In-silico saturation mutagenesis (ISM) of pair models, exact and fast.

ISM of allele ``a`` at position ``i`` and base ``b``: the prediction of the pair with allele ``a``
mutated to ``b`` (the other allele held fixed) minus the prediction of the reference pair, for
the attributed output column (the ratio, or the mutated allele's own count), then centred over
the four bases at each position (reference-spec §3.3; the difference, not the authors' HEAD
bug of storing the absolute prediction). Padding positions are not mutated and stay 0.

Speed (docs/results.md, "Performance anchors"): the held-fixed allele's embedding is computed once per
sequence; only real alternatives at non-padding positions are run; mutants are batched; and
the trunk is evaluated **windowed** (:class:`WindowedTrunk`): a point mutation changes the
trunk's activations only near the mutated base (and its mirror in the reverse-complement
half), so each convolution stage is recomputed on a short window around those two places and
spliced into the cached reference activations. The result is exact (equal to the full forward
pass up to float rounding), which the tests check against :func:`ism_naive`.
"""
from __future__ import annotations

import logging
import math

import torch
import torch.nn.functional as F
from torch import nn

from ..models.layers import ConvBlock, Residual
from ..logutil import Progress
from .readout import PairReadout, target_columns

log = logging.getLogger("deepallele.interpret.ism")


def present_positions(x: torch.Tensor) -> torch.Tensor:
    """Boolean ``(..., L)``: positions holding a base or N (not right-padding) of one-hot ``(..., 4, L)``."""
    return x.sum(dim=-2) > 0


def centre(attr: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Subtract the mean over the 4 bases at each position; padding positions set to 0."""
    return (attr - attr.mean(dim=-2, keepdim=True)) * present_positions(x).unsqueeze(-2)


def alternatives(x: torch.Tensor) -> torch.Tensor:
    """Boolean ``(..., 4, L)``: the bases to mutate to (not the reference base; all 4 at an N; none at padding)."""
    return (x < 1) & present_positions(x).unsqueeze(-2)


def mutate(x: torch.Tensor, pos: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
    """Copies of one-hot sequences ``x`` ``(M, 4, L)`` with ``x[m, :, pos[m]]`` set to base ``base[m]``."""
    out = x.clone()
    m = torch.arange(len(x), device=x.device)
    out[m, :, pos] = 0
    out[m, base, pos] = 1
    return out


def _halo(module: nn.Module) -> tuple[int, int]:
    """(left, right) reach of a "same"-padded conv block: output t reads input [t - left, t + right]."""
    conv = module.block.conv if isinstance(module, Residual) else module.conv
    k = (conv.kernel_size[0] - 1) * conv.dilation[0]
    return k // 2, k - k // 2


class WindowedTrunk:
    """The trunk of a pair model evaluated for point mutants, layer by layer, only where they differ.

    Parameters
    ----------
    trunk : deepallele.models.layers.Trunk
        In eval mode (batch norm uses running statistics, so every position is computed
        independently of the others and windows are exact).

    Notes
    -----
    A point mutation at position ``p`` changes the trunk input at ``p`` and at its mirror
    ``2L - 1 - p`` in the reverse-complement half; each is followed as a *track* (``lo``, width,
    values) through the layers. A convolution with reach ``(left, right)`` is evaluated
    ("valid") only on the ``w + left + right`` output positions its track can change, from a
    window of the cached reference activation with the track's (and, when they meet, the mirror
    track's) changed values spliced in; positions outside the sequence are zero, as the full
    model's "same" padding sees them. Average pooling recomputes the pooling windows the track
    touches, dividing partial last windows by their valid positions (``ceil_mode``). At the end
    the tracks are spliced into the reference's last activation, which goes through fc0.
    """

    #: zero margin of the cached reference activations (more than any window's reach beyond an end)
    MARGIN = 64

    def __init__(self, trunk: nn.Module):
        self.ops: list[tuple[str, nn.Module]] = []
        for module in [trunk.conv0, trunk.conv1, *trunk.blocks]:
            if isinstance(module, nn.AvgPool1d):
                self.ops.append(("pool", module))
            elif isinstance(module, Residual):
                self.ops.append(("res", module))
            elif isinstance(module, ConvBlock):
                self.ops.append(("conv", module))
            else:
                raise TypeError(f"windowed ISM cannot handle trunk layer {type(module).__name__}")
        self.trunk = trunk

    def levels(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Reference activations at the input of every layer and after the last, zero-padded by :attr:`MARGIN`."""
        h = self.trunk.rc(x)
        out = [h]
        for _, module in self.ops:
            h = module(h)
            out.append(h)
        return [F.pad(a, (self.MARGIN, self.MARGIN)) for a in out]

    def head(self, h: torch.Tensor) -> torch.Tensor:
        """Last activation (unpadded) -> trunk output (flatten, fc0, ReLU)."""
        t = self.trunk
        return t.fc0_relu(t.fc0(t.flatten(h)))

    def reference_output(self, levels: list[torch.Tensor]) -> torch.Tensor:
        """Trunk output of the reference sequences from their :meth:`levels`."""
        m = self.MARGIN
        return self.head(levels[-1][:, :, m:levels[-1].shape[-1] - m])

    def _window(self, ref: torch.Tensor, seq: torch.Tensor, start: torch.Tensor, width: int) -> torch.Tensor:
        """``ref[seq[t], :, start[t]:start[t] + width]`` for every track (``start`` in sequence coordinates)."""
        m = self.MARGIN
        if int(start.min()) < -m or int(start.max()) + width > ref.shape[-1] - m:
            raise RuntimeError("windowed ISM: a window reaches beyond the cached margin")
        win = ref.unfold(2, width, 1)  # (S, C, positions, width), a view
        return win[seq, :, start + m]

    @staticmethod
    def _splice_other(window: torch.Tensor, start: torch.Tensor, lo: torch.Tensor, vals: torch.Tensor) -> None:
        """Write the mirror track's values into the windows they overlap (near the RC junction)."""
        n2, w = len(lo), vals.shape[-1]
        half = n2 // 2
        other = torch.cat([torch.arange(half, n2), torch.arange(half)])
        off = lo[other] - start
        hit = torch.nonzero((off < window.shape[-1]) & (off + w > 0)).flatten()
        if len(hit) == 0:
            return
        buf = F.pad(window[hit], (w, w))
        idx = (off[hit] + w).unsqueeze(-1) + torch.arange(w)
        idx = idx.clamp(0, buf.shape[-1] - 1).unsqueeze(1).expand(-1, buf.shape[1], -1)
        # positions beyond the window land in the padding (clamped there) and are cut off below
        buf.scatter_(2, idx, vals[other[hit]])
        window[hit] = buf[:, :, w:w + window.shape[-1]]

    @staticmethod
    def _zero_outside(vals: torch.Tensor, lo: torch.Tensor, length: int) -> torch.Tensor:
        """Zero the values of positions outside the sequence (only tracks near an end are touched)."""
        edge = torch.nonzero((lo < 0) | (lo + vals.shape[-1] > length)).flatten()
        if len(edge):
            pos = lo[edge].unsqueeze(-1) + torch.arange(vals.shape[-1])
            vals[edge] = vals[edge] * ((pos >= 0) & (pos < length)).unsqueeze(1).to(vals.dtype)
        return vals

    def encode_mutants(self, levels: list[torch.Tensor], seq: torch.Tensor, pos: torch.Tensor,
                       base: torch.Tensor) -> torch.Tensor:
        """Trunk outputs of point mutants.

        Parameters
        ----------
        levels : list of torch.Tensor
            :meth:`levels` of the reference sequences of one allele.
        seq, pos, base : torch.Tensor
            ``(M,)`` row in ``levels``, mutated position (allele coordinates) and new base.

        Returns
        -------
        torch.Tensor
            ``(M, H)``, equal to ``trunk(mutate(x[seq], pos, base))``.
        """
        m = self.MARGIN
        n = len(seq)
        length = levels[0].shape[-1] - 2 * m
        seq2 = torch.cat([seq, seq])
        lo = torch.cat([pos, length - 1 - pos])
        vals = torch.zeros(2 * n, 4, 1, dtype=levels[0].dtype, device=levels[0].device)
        vals[torch.arange(n), base, 0] = 1
        vals[torch.arange(n, 2 * n), 3 - base, 0] = 1
        for k, (kind, module) in enumerate(self.ops):
            ref = levels[k]
            length = ref.shape[-1] - 2 * m
            w = vals.shape[-1]
            if kind == "pool":
                size = module.kernel_size[0] if isinstance(module.kernel_size, tuple) else module.kernel_size
                j0 = torch.div(lo, size, rounding_mode="floor")
                w_out = int((torch.div(lo + w - 1, size, rounding_mode="floor") - j0).max()) + 1
                start = j0 * size
                window = self._window(ref, seq2, start, w_out * size)  # advanced indexing: a copy
                off = lo - start
                for o in torch.unique(off).tolist():
                    sel = off == o
                    window[sel, :, o:o + w] = vals[sel]
                self._splice_other(window, start, lo, vals)
                gpos = start.unsqueeze(-1) + torch.arange(w_out * size)
                valid = ((gpos >= 0) & (gpos < length)).to(window.dtype).view(2 * n, 1, w_out, size)
                pooled = (window.view(2 * n, window.shape[1], w_out, size) * valid).sum(-1)
                vals = pooled / valid.sum(-1).clamp(min=1)
                lo = j0
                length = levels[k + 1].shape[-1] - 2 * m
            else:
                block = module.block if kind == "res" else module
                left, right = _halo(module)
                start = lo - right - left
                window = self._window(ref, seq2, start, w + 2 * (left + right))
                window[:, :, left + right:left + right + w] = vals
                self._splice_other(window, start, lo, vals)
                conv = block.conv
                y = block.bn(block.relu(F.conv1d(window, conv.weight, conv.bias, dilation=conv.dilation)))
                if kind == "res":
                    y = y + window[:, :, left:left + y.shape[-1]]
                lo = lo - right
                vals = y
            vals = self._zero_outside(vals, lo, length)
        last = levels[-1][:, :, m:levels[-1].shape[-1] - m]
        full = last[seq].clone()
        lf = full.shape[-1]
        w = vals.shape[-1]
        for half in (slice(0, n), slice(n, 2 * n)):
            buf = F.pad(full, (w, w))
            idx = ((lo[half] + w).unsqueeze(-1) + torch.arange(w)).clamp(0, buf.shape[-1] - 1)
            # values outside the sequence are zero and land in the padding, which is cut off
            buf.scatter_(2, idx.unsqueeze(1).expand(-1, buf.shape[1], -1), vals[half])
            full = buf[:, :, w:w + lf]
        return self.head(full)


def _mutant_batches(alt: torch.Tensor, batch_size: int):
    """(seq, pos, base) index tensors of the alternatives ``alt`` ``(n, 4, L)``, in batches."""
    s, b, p = torch.nonzero(alt, as_tuple=True)
    for i in range(0, len(s), batch_size):
        yield s[i:i + batch_size], p[i:i + batch_size], b[i:i + batch_size]


@torch.inference_mode()
def ism(model: nn.Module, x: torch.Tensor, target: str = "ratio", batch_size: int = 512, chunk: int = 32,
        fast: bool = True, device: str | torch.device | None = None) -> torch.Tensor:
    """Centred ISM attributions of both alleles of every pair.

    Parameters
    ----------
    model : torch.nn.Module
        A pair model or single-input baseline (see :class:`~deepallele.interpret.readout.PairReadout`).
    x : torch.Tensor
        ``(N, 2, 4, L)`` one-hot pairs (allele 0 = reference strain).
    target : str
        ``ratio`` (column 2 of the pair output) or ``count`` (each allele's own count).
    batch_size : int
        Mutants per forward pass.
    chunk : int
        Sequences whose reference activations are cached together.
    fast : bool
        Use the windowed trunk (:class:`WindowedTrunk`); ``False`` runs the full trunk per mutant.
    device : str or torch.device, optional
        Where to compute (default: the model's device).

    Returns
    -------
    torch.Tensor
        ``(N, 2, 4, L)`` float32 on the CPU: centred ISM (0 at padding).
    """
    rd = PairReadout(model)
    dev = torch.device(device) if device is not None else next(rd.parameters()).device
    rd = rd.to(dev)
    wt = WindowedTrunk(rd.trunk) if fast else None
    out = torch.zeros(x.shape, dtype=torch.float32)
    progress = Progress(log, f"ISM ({target})", total=len(x), unit="pairs")
    for c0 in range(0, len(x), chunk):
        progress.update(c0)
        xc = x[c0:c0 + chunk].to(dev, torch.float32)
        lv = [wt.levels(xc[:, a]) for a in (0, 1)] if fast else None
        emb = [rd.post(wt.reference_output(lv[a])) if fast else rd.encode(xc[:, a]) for a in (0, 1)]
        ref = rd.readout(emb[0], emb[1])
        alt = alternatives(xc)
        for a in (0, 1):
            for s, p, b in _mutant_batches(alt[:, a], batch_size):
                if fast:
                    e = rd.post(wt.encode_mutants(lv[a], s, p, b))
                else:
                    e = rd.encode(mutate(xc[s, a], p, b))
                pred = rd.readout(e, emb[1][s]) if a == 0 else rd.readout(emb[0][s], e)
                col = target_columns(target, torch.full_like(s, a))
                delta = pred.gather(1, col[:, None])[:, 0] - ref[s, col]
                out[(c0 + s).cpu(), a, b.cpu(), p.cpu()] = delta.float().cpu()
    progress.update(len(x))
    progress.finish()
    return centre(out, x.float())


@torch.inference_mode()
def ism_naive(model: nn.Module, x: torch.Tensor, target: str = "ratio") -> torch.Tensor:
    """Reference ISM: one full pair forward pass per mutant (slow; for tests and benchmarks).

    Same definition and output as :func:`ism`.
    """
    rd = PairReadout(model)
    out = torch.zeros(x.shape, dtype=torch.float32)
    x = x.float()
    ref = rd(x)
    alt = alternatives(x)
    for n, a, b, p in zip(*[t.tolist() for t in torch.nonzero(alt, as_tuple=True)]):
        xm = x[n:n + 1].clone()
        xm[0, a, :, p] = 0
        xm[0, a, b, p] = 1
        col = 2 if target == "ratio" else a
        out[n, a, b, p] = rd(xm)[0, col] - ref[n, col]
    return centre(out, x)
