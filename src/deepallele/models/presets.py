"""Architecture presets: the paper's ATAC and ChIP models, and a narrow demo model for CPUs.

Keys are those of the config's ``models.architecture`` block (see the config schema); a
config's overrides are applied on top of the chosen preset by :func:`resolve_architecture`.
"""
from __future__ import annotations

import copy

ARCHITECTURE_KEYS = ("conv_layers", "kernel_number", "kernel_length", "filter_number", "kernel_size",
                     "pooling_size", "h_layers", "hidden_size", "dropout", "first_batch_norm")

#: The published checkpoints' settings (folder names 4_1_256_15_256_5_4_..._2_256_True and
#: 6_1_256_15_256_5_2_..._2_256_True): 256 conv0 filters of width 15, 256 filters of width 5,
#: hidden 256, two hidden layers per head, dropout 0.2.
PRESETS: dict[str, dict] = {
    "paper_atac": {"conv_layers": 4, "kernel_number": 256, "kernel_length": 15, "filter_number": 256,
                   "kernel_size": 5, "pooling_size": 4, "h_layers": 2, "hidden_size": 256, "dropout": 0.2,
                   "first_batch_norm": True},
    "paper_chip": {"conv_layers": 6, "kernel_number": 256, "kernel_length": 15, "filter_number": 256,
                   "kernel_size": 5, "pooling_size": 2, "h_layers": 2, "hidden_size": 256, "dropout": 0.2,
                   "first_batch_norm": True},
    # Same shape, narrow widths (16 filters, hidden 32) and pooling 4 for both lengths: the 40
    # demo models (4 types x 5 seeds x 2 datasets) train on 2 CPU cores in minutes; the demo's
    # grammars have 2-5 motifs each.
    "demo": {"conv_layers": 3, "kernel_number": 16, "kernel_length": 15, "filter_number": 16,
             "kernel_size": 5, "pooling_size": 4, "h_layers": 1, "hidden_size": 32, "dropout": 0.2,
             "first_batch_norm": True},
}


def resolve_architecture(preset: str, overrides: dict | None = None, assay: str | None = None) -> dict:
    """The architecture of ``preset`` with ``overrides`` applied.

    Parameters
    ----------
    preset : str
        ``demo``, ``paper_atac`` or ``paper_chip``; ``paper`` picks ``paper_chip`` for a
        ChIP ``assay`` and ``paper_atac`` otherwise.
    overrides : dict, optional
        Keys of :data:`ARCHITECTURE_KEYS`.
    assay : str, optional
        The dataset's assay (only used by ``paper``).

    Returns
    -------
    dict
        All of :data:`ARCHITECTURE_KEYS`.
    """
    if preset == "paper":
        preset = "paper_chip" if assay == "chip" else "paper_atac"
    if preset not in PRESETS:
        raise ValueError(f"unknown architecture preset {preset!r} (known: {', '.join(PRESETS)}, paper)")
    arch = copy.deepcopy(PRESETS[preset])
    unknown = set(overrides or {}) - set(ARCHITECTURE_KEYS)
    if unknown:
        raise ValueError(f"unknown architecture keys: {', '.join(sorted(unknown))}")
    arch.update(overrides or {})
    return arch
