"""Our ISM (deepallele.interpret.ism) against an independent oracle: tangermeme's saturation_mutagenesis.

tangermeme mutates a single-input model ``f(X)`` with ``X`` ``(N, 4, L)``. A pair model becomes one
per allele and output column: :class:`OneAllele` takes one allele's one-hot and gets the other allele
through tangermeme's ``args`` (repeated for every mutant, i.e. held fixed), and returns the attributed
column (``ratio``: column 2; ``count``: the mutated allele's own column).

Conventions, aligned explicitly (tangermeme 1.6, ``saturation_mutagenesis``):

* tangermeme's attribution is ``y_hat - y0`` per (base, position), with the observed base's edit
  filled by ``y0`` (difference 0), then the mean over the 4 bases subtracted -- our centred ISM;
  ``hypothetical=True`` returns all 4 bases (our output), ``hypothetical=False`` projects onto the
  observed base (``X * attr``), which our ``x * ism`` must equal too;
* tangermeme mutates every position of ``[start, end)`` -- an all-zero column gets 4 edits -- while
  we leave right-padding alone (0): the padded allele is compared on its unpadded span (``end``);
* ``fast=False``: plain forward passes, so the oracle shares nothing with our windowed trunk.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn

from deepallele.interpret.ism import ism, ism_naive
from deepallele.models import build_model

from interpret_toys import linear_deepallele, random_deepallele, random_pairs

tangermeme_ism = pytest.importorskip("tangermeme.saturation_mutagenesis")


class OneAllele(nn.Module):
    """``x`` ``(B, 4, L)`` as allele ``allele`` of the pair, ``other`` ``(B, 4, L)`` as the other one ->
    ``model(pair)[:, column]`` as ``(B, 1)``."""

    def __init__(self, model: nn.Module, allele: int, column: int):
        super().__init__()
        self.model, self.allele, self.column = model, allele, column

    def forward(self, x: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
        pair = torch.stack([x, other] if self.allele == 0 else [other, x], dim=1)
        return self.model(pair)[:, self.column:self.column + 1]


def tangermeme_pair_ism(model: nn.Module, x: torch.Tensor, target: str, ends: list[list[int]],
                        hypothetical: bool = True) -> list[list[torch.Tensor]]:
    """tangermeme ISM of each allele of each pair: ``out[n][a]`` ``(4, ends[n][a])``."""
    out = []
    for n in range(len(x)):
        row = []
        for a in (0, 1):
            column = 2 if target == "ratio" else a
            attr = tangermeme_ism.saturation_mutagenesis(
                OneAllele(model, a, column), x[n:n + 1, a], args=(x[n:n + 1, 1 - a],), end=ends[n][a],
                hypothetical=hypothetical, fast=False, device="cpu", batch_size=64)
            row.append(attr[0].float())
        out.append(row)
    return out


def _models():
    """(name, model, atol): the linear toy's activations reach ~400 (float32 rounding ~4e-5 on
    attributions ~2); the random models' attributions are ~1e-3 from activations ~1."""
    yield "linear", linear_deepallele(_pwm()), 1e-4
    yield "deepallele", random_deepallele(60, seed=4), 1e-6
    torch.manual_seed(5)
    direct = build_model("direct", 60, {"conv_layers": 2, "kernel_number": 8, "kernel_length": 7, "filter_number": 8,
                                        "kernel_size": 3, "pooling_size": 2, "h_layers": 1, "hidden_size": 8,
                                        "dropout": 0.0})
    with torch.no_grad():
        for mod in direct.modules():
            if isinstance(mod, nn.BatchNorm1d):
                mod.running_mean.normal_()
                mod.running_var.uniform_(0.5, 2.0)
    yield "direct", direct.eval(), 1e-6


def _pwm():
    g = torch.Generator().manual_seed(7)
    w = torch.rand(4, 60, generator=g) * 0.2
    w[[0, 2, 2, 0, 3, 1], torch.arange(20, 26)] += 2.0
    return w.numpy()


@pytest.fixture
def one_thread():
    """Thousands of tiny forward passes: one thread is fastest, and fair to a shared machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.mark.parametrize("name,model,atol", list(_models()), ids=[m[0] for m in _models()])
@pytest.mark.parametrize("target", ["ratio", "count"])
def test_ism_matches_tangermeme(name, model, atol, target, one_thread):
    length = 60
    x = random_pairs(3, length, seed=11)
    x[2, 1, :, -5:] = 0  # right-padding of one allele
    ends = [[length, length], [length, length], [length, length - 5]]
    ours_fast = ism(model, x, target=target, batch_size=53, chunk=2)
    ours_naive = ism_naive(model, x, target=target)
    oracle = tangermeme_pair_ism(model, x, target, ends)
    projected = tangermeme_pair_ism(model, x, target, ends, hypothetical=False)
    scale = max(float(t.abs().max()) for row in oracle for t in row)
    assert scale > 100 * atol, "the toy model's attributions are ~0: the comparison would be empty"
    for n in range(len(x)):
        for a in (0, 1):
            e = ends[n][a]
            for ours in (ours_fast, ours_naive):
                torch.testing.assert_close(ours[n, a, :, :e], oracle[n][a], atol=atol, rtol=1e-4)
                torch.testing.assert_close(x[n, a, :, :e] * ours[n, a, :, :e], projected[n][a], atol=atol,
                                           rtol=1e-4)
            assert (ours_fast[n, a, :, e:] == 0).all()  # padding is not mutated
