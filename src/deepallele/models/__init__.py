"""Allele-aware CNNs (DeepAllele, its direct-ratio variant, single-input baselines) and their training.

Model types, as named in the config (``models.types``):

==============  =======================================================  ==================
type            model                                                    trained on
==============  =======================================================  ==================
deepallele      :class:`~.deepallele.DeepAllele` (count + ratio heads)     pairs, 3-term MSE
direct          DeepAllele without ratio head (ratio = count difference)  pairs, 3-term MSE
ref_only        :class:`~.baseline.SingleInput`                           reference alleles
alt_only        :class:`~.baseline.SingleInput`                           strain alleles
two_genome      :class:`~.baseline.SingleInput`                           both alleles (2N)
==============  =======================================================  ==================

Model files: :mod:`~.modelfile` (weights-only ``model.safetensors`` + ``model.json``, written next
to each ``best.ckpt`` and read by ``score-variants``/``predict``/``interpret``) and
:mod:`~.authors` (the authors' published checkpoints imported into that format).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .presets import ARCHITECTURE_KEYS, PRESETS, resolve_architecture

if TYPE_CHECKING:
    from torch import nn

    from .baseline import PairedBaseline, SingleInput, predict_pair
    from .deepallele import DeepAllele, DirectRatio
    from .layers import ConvBlock, MLPHead, Residual, Trunk, pool, pooled_length, reverse_complement

# The model classes need torch (the [models] extra); they are imported on first use, so the names,
# colours and presets below (and the `deepallele` command's parsers) work with the base install.
_LAZY = {"PairedBaseline": ".baseline", "SingleInput": ".baseline", "predict_pair": ".baseline",
         "DeepAllele": ".deepallele", "DirectRatio": ".deepallele",
         **{name: ".layers" for name in ("ConvBlock", "MLPHead", "Residual", "Trunk", "pool", "pooled_length",
                                         "reverse_complement")}}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

PAIRED_TYPES = ("deepallele", "direct")
SINGLE_TYPES = ("ref_only", "alt_only", "two_genome")
MODEL_TYPES = PAIRED_TYPES + SINGLE_TYPES

#: Display names and colours used by every figure.
MODEL_NAMES = {"deepallele": "DeepAllele", "direct": "DeepAllele (direct ratio)", "ref_only": "Reference-only",
               "two_genome": "Two-genome", "alt_only": "Strain-only"}
MODEL_COLORS = {"deepallele": "#c0392b", "direct": "#e67e22", "ref_only": "#2c7fb8", "two_genome": "#41ab5d",
                "alt_only": "#807dba"}


def build_model(model_type: str, sequence_length: int, architecture: dict) -> nn.Module:
    """A fresh model of ``model_type`` for per-allele length ``sequence_length``.

    Paired types take ``(B, 2, 4, L)`` and return ``(B, 3)``; single types take ``(B, 4, L)``
    and return ``(B, 1)``.
    """
    from .baseline import SingleInput
    from .deepallele import DeepAllele, DirectRatio

    arch = {k: architecture[k] for k in ARCHITECTURE_KEYS if k in architecture}
    if model_type == "deepallele":
        return DeepAllele(sequence_length, **arch)
    if model_type == "direct":
        return DirectRatio(sequence_length, **arch)
    if model_type in SINGLE_TYPES:
        return SingleInput(sequence_length, **arch)
    raise ValueError(f"unknown model type {model_type!r} (known: {', '.join(MODEL_TYPES)})")


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


__all__ = ["ARCHITECTURE_KEYS", "ConvBlock", "DeepAllele", "DirectRatio", "MLPHead", "MODEL_COLORS", "MODEL_NAMES",
           "MODEL_TYPES", "PAIRED_TYPES", "PRESETS", "PairedBaseline", "Residual", "SINGLE_TYPES", "SingleInput",
           "Trunk", "build_model", "count_parameters", "pool", "pooled_length", "predict_pair",
           "resolve_architecture", "reverse_complement"]
