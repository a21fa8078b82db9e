"""Any pair model as a per-allele encoder plus a pair readout.

DeepAllele's two alleles only meet after the shared trunk, and the single-input baselines never
meet at all, so every model type can be written as

``out(x_ref, x_alt) = readout(post(trunk(x_ref)), post(trunk(x_alt)))``

where ``out`` is the ``(B, 3)`` pair output ``[count_ref, count_alt, ratio]``. Mutating one allele
then needs only that allele's trunk; the other allele's embedding is computed once per sequence.
"""
from __future__ import annotations

import torch
from torch import nn

from ..models.baseline import PairedBaseline, SingleInput
from ..models.deepallele import DeepAllele

#: output column attributed for each target: ratio -> column 2; count -> the mutated allele's column
RATIO_COLUMN = 2


class PairReadout(nn.Module):
    """A DeepAllele, direct, single-input or paired-baseline model split at the trunk.

    Parameters
    ----------
    model : torch.nn.Module
        :class:`~deepallele.models.deepallele.DeepAllele` (either variant),
        :class:`~deepallele.models.baseline.SingleInput`,
        :class:`~deepallele.models.baseline.PairedBaseline`, or an ``AlleleModule`` wrapping one.

    Raises
    ------
    TypeError
        For any other model class.
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        inner = getattr(model, "model", model)
        if isinstance(inner, PairedBaseline):
            inner = inner.model
        if isinstance(inner, DeepAllele):
            self.paired = True
        elif isinstance(inner, SingleInput):
            self.paired = False
        else:
            raise TypeError(f"cannot split {type(inner).__name__} into trunk and readout "
                            "(expected DeepAllele, SingleInput or PairedBaseline)")
        self.model = inner.eval()
        self.trunk = inner.trunk

    def post(self, e: torch.Tensor) -> torch.Tensor:
        """Trunk output -> allele embedding (identity for DeepAllele, the count head for a baseline)."""
        return e if self.paired else self.model.head(e)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """One allele ``(B, 4, L)`` -> its embedding."""
        return self.post(self.trunk(x))

    def readout(self, e_ref: torch.Tensor, e_alt: torch.Tensor) -> torch.Tensor:
        """Embeddings of both alleles -> ``(B, 3)`` ``[count_ref, count_alt, ratio]``."""
        if not self.paired:
            return torch.cat([e_ref, e_alt, e_ref - e_alt], dim=1)
        m = self.model
        c_ref, c_alt = m.count_head(e_ref), m.count_head(e_alt)
        ratio = c_ref - c_alt if m.direct else m.ratio_head(torch.cat([e_ref, e_alt], dim=1))
        return torch.cat([c_ref, c_alt, ratio], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 2, 4, L)`` -> ``(B, 3)``; equal to the wrapped model's pair prediction."""
        return self.readout(self.encode(x[:, 0]), self.encode(x[:, 1]))


def target_columns(target: str, allele: torch.Tensor) -> torch.Tensor:
    """Output column attributed for mutants of ``allele`` (``ratio``: 2; ``count``: the allele's own)."""
    if target == "ratio":
        return torch.full_like(allele, RATIO_COLUMN)
    if target == "count":
        return allele.clone()
    raise ValueError(f"unknown attribution target {target!r} (ratio or count)")


def default_target(model_type: str) -> str:
    """The paper's choice: DeepAllele and direct attribute the ratio, baselines their count output."""
    return "ratio" if model_type in ("deepallele", "direct") else "count"
