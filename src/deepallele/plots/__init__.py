"""Figures of the workflow, one module per figure family; each figure is written as PDF and PNG
with a TSV of the plotted numbers next to it."""
from __future__ import annotations

from pathlib import Path


def save_figure(fig, prefix: str | Path, data=None) -> list[Path]:
    """Write ``prefix.pdf``, ``prefix.png`` and (if ``data`` is a table) ``prefix.tsv``; returns the paths.

    ``prefix`` may end in ``.pdf``/``.png``/``.tsv``; that suffix is dropped.
    """
    import matplotlib.pyplot as plt

    prefix = Path(prefix)
    if prefix.suffix in (".pdf", ".png", ".tsv"):
        prefix = prefix.with_suffix("")
    prefix.parent.mkdir(parents=True, exist_ok=True)
    paths = [prefix.with_suffix(".pdf"), prefix.with_suffix(".png")]
    # no creation date in the PDF: the same data give byte-identical files
    fig.savefig(paths[0], bbox_inches="tight", metadata={"CreationDate": None})
    fig.savefig(paths[1], dpi=150, bbox_inches="tight")
    plt.close(fig)
    if data is not None:
        paths.append(prefix.with_suffix(".tsv"))
        data.to_csv(paths[-1], sep="\t", index=False, float_format="%.6g")
    return paths
