"""In-silico saturation mutagenesis (ISM) of pair models, exact and fast.

ISM of allele ``a`` at position ``i`` and base ``b``: the prediction of the pair with allele ``a``
mutated to ``b`` (the other allele held fixed) minus the prediction of the reference pair, for
the attributed output column (the ratio, or the mutated allele's own count), then centred over
the four bases at each position (reference-spec §3.3; the difference, not the authors' HEAD
bug of storing the absolute prediction). Padding positions are not mutated and stay 0.

Speed (performance-anchors.md): the held-fixed allele's embedding is computed once per
sequence; only real alternatives at non-padding positions are run; mutants are batched; and
the trunk is evaluated **windowed** (:class:`WindowedTrunk`): a point mutation changes the
trunk's activations only near the mutated base (and its mirror in the reverse-complement
half), so each convolution stage is recomputed on a short window around those two places and
spliced into the cached reference activations. The result is exact (equal to the full forward
pass up to float rounding), which the tests check against :func:`ism_naive`.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..models.layers import ConvBlock, Residual
from .readout import PairReadout, target_columns


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
    """The trunk of a pair model evaluated for point mutants on windows around the changed bases.

    Parameters
    ----------
    trunk : deepallele.models.layers.Trunk
        In eval mode (batch norm uses running statistics, so windows are exact).

    Notes
    -----
    The trunk is split into stages ``[conv blocks] -> AvgPool``. For each stage the changed
    interval of every mutant (two per mutant: the base and its reverse-complement mirror) is
    grown by the convolutions' reach; a window aligned to the pooling grid that contains the
    changed interval plus the reach is computed (positions outside the sequence are zeroed
    after every block, as the full model's "same" padding sees them, and partial pooling
    windows divide by their valid positions, as ``ceil_mode`` does), and its exact pooled
    values are written into a copy of the reference activation. Once a window would be as long
    as the stage input, the remaining stages run on the full activation.
    """

    def __init__(self, trunk: nn.Module):
        blocks = list(trunk.blocks)
        convs: list[nn.Module] = [trunk.conv0, trunk.conv1]
        self.stages: list[tuple[list[nn.Module], nn.Module | None]] = []
        for module in blocks:
            if isinstance(module, nn.AvgPool1d):
                self.stages.append((convs, module))
                convs = []
            else:
                convs.append(module)
        if convs:
            self.stages.append((convs, None))
        for convs, _ in self.stages:
            for c in convs:
                if not isinstance(c, (ConvBlock, Residual)):
                    raise TypeError(f"windowed ISM cannot handle trunk layer {type(c).__name__}")
        self.trunk = trunk

    def levels(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Reference activations at every stage input and the last stage output, ``(B, C_k, L_k)`` each."""
        h = self.trunk.rc(x)
        out = [h]
        for convs, pool in self.stages:
            for c in convs:
                h = c(h)
            h = pool(h) if pool is not None else h
            out.append(h)
        return out

    def head(self, h: torch.Tensor) -> torch.Tensor:
        """Last activation -> trunk output (flatten, fc0, ReLU)."""
        t = self.trunk
        return t.fc0_relu(t.fc0(t.flatten(h)))

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
        h = levels[0][seq].clone()
        two_l = h.shape[-1]
        m = torch.arange(len(seq), device=h.device)
        mirror = two_l - 1 - pos
        h[m, :, pos] = 0
        h[m, base, pos] = 1
        h[m, :, mirror] = 0
        h[m, 3 - base, mirror] = 1
        lo = torch.stack([pos, mirror], dim=1)
        hi = lo.clone()
        windowed = True
        for k, (convs, pool) in enumerate(self.stages):
            if windowed and pool is not None:
                step = self._window_stage(h, levels[k + 1][seq], lo, hi, convs, pool)
                if step is not None:
                    h, lo, hi = step
                    continue
            windowed = False
            for c in convs:
                h = c(h)
            h = pool(h) if pool is not None else h
        return self.head(h)

    @staticmethod
    def _window_stage(h, ref_next, lo, hi, convs, pool):
        length = h.shape[-1]
        size = pool.kernel_size[0] if isinstance(pool.kernel_size, tuple) else pool.kernel_size
        reach = [_halo(c) for c in convs]
        left, right = sum(r[0] for r in reach), sum(r[1] for r in reach)
        c_lo = (lo - right).clamp(min=0)
        c_hi = (hi + left).clamp(max=length - 1)
        j0, j1 = torch.div(c_lo, size, rounding_mode="floor"), torch.div(c_hi, size, rounding_mode="floor")
        start = torch.div(j0 * size - left, size, rounding_mode="floor") * size
        width = int(((j1 + 1) * size + right - start).max())
        width = size * math.ceil(width / size)
        if 2 * width >= length:
            return None
        n, ch = h.shape[0], h.shape[1]
        pad_l = max(0, -int(start.min()))
        pad_r = max(0, int((start + width).max()) - length)
        hp = F.pad(h, (pad_l, pad_r))
        offs = torch.arange(width, device=h.device)
        idx = (start + pad_l).unsqueeze(-1) + offs  # (n, 2, width)
        win = torch.cat([hp.gather(2, idx[:, c].unsqueeze(1).expand(n, ch, width)) for c in range(2)])
        gpos = torch.cat([start[:, 0], start[:, 1]]).unsqueeze(-1) + offs
        mask = ((gpos >= 0) & (gpos < length)).unsqueeze(1).to(h.dtype)
        w = win * mask
        for c in convs:
            w = c(w) * mask
        nw = width // size
        pooled = w.view(2 * n, w.shape[1], nw, size).sum(-1)
        pooled = pooled / mask.view(2 * n, 1, nw, size).sum(-1).clamp(min=1)
        a, b = math.ceil(left / size), (width - right) // size
        out_len = ref_next.shape[-1]
        jstart = torch.cat([start[:, 0], start[:, 1]]) // size + a  # first exact pooled position
        pl = max(0, -int(jstart.min()))
        pr = max(0, int(jstart.max()) + (b - a) - out_len)
        nxt = F.pad(ref_next, (pl, pr)).clone()
        cout = pooled.shape[1]
        vals = pooled[:, :, a:b]
        jidx = (jstart + pl).unsqueeze(-1) + torch.arange(b - a, device=h.device)
        for c in range(2):
            sl = slice(c * n, (c + 1) * n)
            nxt.scatter_(2, jidx[sl].unsqueeze(1).expand(n, cout, b - a), vals[sl])
        nxt = nxt[:, :, pl:pl + out_len]
        return nxt, j0.clamp(max=out_len - 1), j1.clamp(max=out_len - 1)


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
    for c0 in range(0, len(x), chunk):
        xc = x[c0:c0 + chunk].to(dev, torch.float32)
        lv = [wt.levels(xc[:, a]) for a in (0, 1)] if fast else None
        emb = [rd.post(wt.head(lv[a][-1])) if fast else rd.encode(xc[:, a]) for a in (0, 1)]
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
