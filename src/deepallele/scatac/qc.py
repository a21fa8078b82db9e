"""Quality control of 10x fragment tables: per-barcode depth and FRiP, barcode ranks, fragment
lengths, and the read funnel of the pseudo-bulk counts.

Inputs are tables (read at the edge): fragments ``chrom, start, end, barcode, count`` (0-based,
end exclusive), peaks ``chrom, start, end, name``, cell types ``barcode, cell_type``. A fragment
is "in peaks" when it overlaps at least one peak by the counting rule of
:mod:`.counting` (``start < peak_end and end > peak_start``), so FRiP here is the fraction of
the records that :func:`.counting.peak_cell_counts` counts somewhere.

Plots are drawn on an Agg canvas without pyplot (no global backend state) and written as PNG
without the ``Software`` tag, so the same table gives the same bytes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .counting import PeakIndex, atomic_write, check_fragments, match_cell_barcodes

#: Columns of :func:`cell_qc`.
CELL_QC_COLUMNS = ["barcode", "n_fragments", "n_reads", "in_peaks", "frip", "cell_type", "rank"]
#: The conventional steps of :func:`pseudobulk_funnel`, in order, with what each counts.
FUNNEL_STEPS = {
    "read_pairs": "read pairs sequenced",
    "barcoded": "read pairs with a valid (or corrected) cell barcode",
    "assigned": "read pairs assigned to an allele class",
    "fragments": "unique fragment records after deduplication",
    "in_cells": "fragment records of the cells of the cell-type table",
    "in_peaks": "fragment records of those cells overlapping a peak (counted)",
}
FUNNEL_CLASSES = ("ref", "alt", "tie")
FUNNEL_COLUMNS = ["step", *FUNNEL_CLASSES, "total"]
#: Nucleosome ladder guides of the fragment-length plot (bp; about 147 bp per nucleosome).
NUCLEOSOME_GUIDES = (147, 294, 441)
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
            "#bcbd22", "#7f7f7f")


def _partial_cell_qc(fragments: pd.DataFrame, index: PeakIndex) -> pd.DataFrame:
    check_fragments(fragments, need_count=True)
    in_peak = index.any_hit(fragments["chrom"].to_numpy(), fragments["start"].to_numpy(),
                            fragments["end"].to_numpy())
    table = pd.DataFrame({"barcode": fragments["barcode"].astype(str).to_numpy(),
                          "n_reads": fragments["count"].to_numpy(np.int64), "in_peaks": in_peak.astype(np.int64)})
    return table.groupby("barcode", sort=False).agg(n_fragments=("n_reads", "size"), n_reads=("n_reads", "sum"),
                                                    in_peaks=("in_peaks", "sum"))


def cell_qc_chunked(chunks: Iterable[pd.DataFrame], peaks: pd.DataFrame,
                    cell_types: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`cell_qc` over an iterable of fragment chunks (the per-barcode sums add up)."""
    index = PeakIndex(peaks)
    parts = [_partial_cell_qc(chunk, index) for chunk in chunks]
    if parts:
        sums = pd.concat(parts).groupby(level=0, sort=True).sum()
    else:
        sums = pd.DataFrame({"n_fragments": [], "n_reads": [], "in_peaks": []}, index=pd.Index([], name="barcode"))
    table = sums.astype(np.int64).reset_index(names="barcode")
    table["frip"] = table["in_peaks"] / table["n_fragments"]
    table["cell_type"] = ""
    if cell_types is not None and len(table):
        # the table may spell barcodes differently (suffix, orientation); an unmatched table is a
        # QC finding here, not an error
        mapping, _ = match_cell_barcodes(cell_types["barcode"].astype(str).tolist(), table["barcode"],
                                         min_fraction=0.0, source="cell-type table")
        types = dict(zip(cell_types["barcode"].astype(str), cell_types["cell_type"].astype(str)))
        by_fragment_barcode = {frag: types[tab] for tab, frag in mapping.items()}
        table["cell_type"] = [by_fragment_barcode.get(b, "") for b in table["barcode"]]
    table["rank"] = table["n_fragments"].rank(ascending=False, method="min").astype(np.int64)
    table = table.sort_values(["rank", "barcode"], kind="stable").reset_index(drop=True)
    return table[CELL_QC_COLUMNS]


def cell_qc(fragments: pd.DataFrame, peaks: pd.DataFrame, cell_types: pd.DataFrame | None = None) -> pd.DataFrame:
    """Depth and FRiP of every barcode in a fragment table.

    Parameters
    ----------
    fragments : pandas.DataFrame, shape (n_records, 5)
        ``chrom, start, end, barcode, count``.
    peaks : pandas.DataFrame, shape (n_peaks, >= 4)
        ``chrom, start, end, name``; any order, may overlap.
    cell_types : pandas.DataFrame, optional
        ``barcode, cell_type``; its barcodes are matched to the fragment spelling with
        :func:`.counting.match_cell_barcodes` (any fraction found is accepted).

    Returns
    -------
    pandas.DataFrame, shape (n_barcodes, 7)
        :data:`CELL_QC_COLUMNS`: ``barcode``; ``n_fragments`` (records); ``n_reads`` (sum of
        ``count``); ``in_peaks`` (records overlapping any peak); ``frip = in_peaks /
        n_fragments``; ``cell_type`` (``""`` when not in the table); ``rank`` by
        ``n_fragments``, 1 = most, ties share the smallest rank. Sorted by rank, then barcode.
    """
    return cell_qc_chunked([fragments], peaks, cell_types)


def fragment_length_histogram(fragments: pd.DataFrame, max_length: int = 1000) -> pd.DataFrame:
    """Number of fragment records of each length ``end - start``.

    Parameters
    ----------
    fragments : pandas.DataFrame
        ``start, end`` (other columns ignored).
    max_length : int
        Longest length tabulated; longer records are left out.

    Returns
    -------
    pandas.DataFrame, shape (max_length, 2)
        ``length`` (1 .. max_length) and ``n`` (records, int64). Tables of chunks add up.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be >= 1, got {max_length}")
    length = fragments["end"].to_numpy(np.int64) - fragments["start"].to_numpy(np.int64)
    length = length[(length >= 1) & (length <= max_length)]
    n = np.bincount(length, minlength=max_length + 1)[1:].astype(np.int64)
    return pd.DataFrame({"length": np.arange(1, max_length + 1, dtype=np.int64), "n": n})


def _figure(width: float, height: float, ncols: int = 1):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, ncols, squeeze=False)[0]


def _save_png(fig, path: str | Path, dpi: int = 150) -> Path:
    # no Software tag (it carries the matplotlib version): same data, same bytes
    return atomic_write(path, lambda fh: fig.savefig(fh, format="png", dpi=dpi, metadata={"Software": None}))


def plot_barcode_rank(cell_qc_table: pd.DataFrame, path: str | Path) -> Path:
    """Knee plot: fragments per barcode against barcode rank, log-log; cells of the cell-type
    table are drawn as points coloured by type over the line of all barcodes.

    Parameters
    ----------
    cell_qc_table : pandas.DataFrame
        :func:`cell_qc`'s table (``barcode, n_fragments, cell_type, rank``).
    path : str or pathlib.Path
        The PNG to write.
    """
    fig, (ax,) = _figure(5.5, 4.2)
    table = cell_qc_table.sort_values(["rank", "barcode"], kind="stable")
    if table.empty:
        ax.text(0.5, 0.5, "no barcodes", ha="center", va="center", transform=ax.transAxes)
    else:
        # ordinal position on x, so tied barcodes do not stack on one x
        x = np.arange(1, len(table) + 1)
        y = table["n_fragments"].to_numpy()
        ax.plot(x, y, color="#9e9e9e", lw=1.2, drawstyle="steps-post", label=f"all barcodes ({len(table):,})")
        types = table["cell_type"].astype(str).to_numpy()
        for i, t in enumerate(sorted(set(types) - {""})):
            sel = types == t
            ax.scatter(x[sel], y[sel], s=8, color=_PALETTE[i % len(_PALETTE)], linewidths=0, zorder=3,
                       label=f"{t} ({int(sel.sum()):,})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.set_xlabel("barcode rank")
    ax.set_ylabel("fragments (records)")
    ax.set_title("Barcode rank")
    fig.tight_layout()
    return _save_png(fig, path)


def plot_fragment_lengths(hist: pd.DataFrame, path: str | Path) -> Path:
    """Fragment-length distribution (linear and log scale) with the nucleosome ladder marked.

    Parameters
    ----------
    hist : pandas.DataFrame
        :func:`fragment_length_histogram`'s ``length, n``.
    path : str or pathlib.Path
        The PNG to write.
    """
    fig, axes = _figure(9.0, 3.6, ncols=2)
    length, n = hist["length"].to_numpy(), hist["n"].to_numpy()
    for ax, log_scale in zip(axes, (False, True)):
        if n.sum() == 0:
            ax.text(0.5, 0.5, "no fragments", ha="center", va="center", transform=ax.transAxes)
        else:
            ax.plot(length, n, color="#1f77b4", lw=1)
            for guide in NUCLEOSOME_GUIDES:
                if guide <= length.max():
                    ax.axvline(guide, color="#bdbdbd", ls=":", lw=1)
            if log_scale:
                ax.set_yscale("log")
        ax.set_xlabel("fragment length (bp)")
        ax.set_ylabel("fragments" + (" (log)" if log_scale else ""))
    axes[0].set_title("Fragment lengths (dotted: 1, 2, 3 nucleosomes)", fontsize=9)
    fig.tight_layout()
    return _save_png(fig, path)


def pseudobulk_funnel(stats: Mapping[str, int | Mapping[str, int]]) -> pd.DataFrame:
    """Lay out the read funnel of the pseudo-bulk counts as a table, one row per step.

    Parameters
    ----------
    stats : mapping
        ``{step: n}`` for a step before the allele split, or ``{step: {"ref": n, "alt": n,
        "tie": n}}`` per allele class (any subset of the classes, e.g. no ``tie`` once the tie
        split has merged it into ref and alt). Rows follow the mapping's order, so the caller
        decides the steps; the conventional keys, in order, are :data:`FUNNEL_STEPS`:
        ``read_pairs``, ``barcoded``, ``assigned``, ``fragments``, ``in_cells``, ``in_peaks``.

    Returns
    -------
    pandas.DataFrame, shape (len(stats), 5)
        Columns ``step, ref, alt, tie, total`` (nullable Int64): a class not given is
        ``<NA>``; ``total`` is the step's single count, or the sum of the classes given.

    Raises
    ------
    ValueError
        An unknown class, or a count that is not a non-negative integer.
    """
    rows = []
    for step, value in stats.items():
        values = dict(value) if isinstance(value, Mapping) else {"total": value}
        bad = [c for c in values if c not in FUNNEL_CLASSES + ("total",)]
        if bad:
            raise ValueError(f"funnel step {step!r}: unknown class(es) {bad}; expected some of {list(FUNNEL_CLASSES)}")
        for c, v in values.items():
            if v is None or isinstance(v, bool) or v != int(v) or v < 0:
                raise ValueError(f"funnel step {step!r}, {c}: counts must be non-negative integers, got {v!r}")
        values = {c: int(v) for c, v in values.items()}
        if "total" not in values:
            values["total"] = sum(values.values())
        rows.append({"step": str(step), **{c: values.get(c) for c in FUNNEL_COLUMNS[1:]}})
    table = pd.DataFrame(rows, columns=FUNNEL_COLUMNS)
    for c in FUNNEL_COLUMNS[1:]:
        table[c] = pd.array(table[c].tolist(), dtype="Int64")
    return table
