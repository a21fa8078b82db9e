"""Fig S7: the classical MeanDiff baseline.

- ``figS7_motifs``  (S7a,b): the significant motifs on a TomTom similarity tree, -log10 q and
  the effect (Welch t).
- ``figS7_effects`` (S7c,d): per sequence, the predicted motif effect vs the observed ln ratio.
- ``figS7_pie``     (S7e,f): direction agreement of the affected sequences (|ln ratio| >= 1).

Each figure is written as PDF and PNG with a TSV of the plotted numbers next to it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..motifs.meandiff.effects import DIRECTIONS, direction_summary
from ..motifs.meandiff.significance import effect_column
from ..motifs.meandiff.similarity import motif_distances
from . import save_figure

METHOD_LABEL = {"meandiff": "MeanDiff (Welch t)", "correlation": "Pearson r", "maggie": "MAGGIE-style (mean)"}
DIRECTION_COLORS = {"Same direction": "#2b8cbe", "Opposite direction": "#e34a33", "No motif change": "#bdbdbd",
                    "No motif hit": "#f0f0f0"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def motif_panel_data(tests: pd.DataFrame, method: str = "meandiff", max_motifs: int = 30) -> pd.DataFrame:
    """The motifs drawn in Fig S7a,b: the significant ones (at most ``max_motifs``, best q first).

    Returns
    -------
    pandas.DataFrame
        ``motif, q, neg_log10_q, effect, significant``; when no motif is significant, the 10 best
        motifs (``significant`` False) so the panel still shows how close they came.
    """
    qcol = {"meandiff": "meandiff_q", "correlation": "pearson_q", "maggie": "maggie_q"}[method]
    ecol = effect_column(method)
    sig = tests[tests[f"significant_{method}"]]
    rows = sig if len(sig) else tests
    rows = rows.sort_values([qcol, "rank"], kind="mergesort").head(max_motifs if len(sig) else 10)
    q = rows[qcol].to_numpy(dtype=float)
    return pd.DataFrame({"motif": rows["motif"].to_numpy(), "q": q,
                         "neg_log10_q": -np.log10(np.clip(q, 1e-300, 1.0)),
                         "effect": rows[ecol].to_numpy(dtype=float),
                         "significant": rows[f"significant_{method}"].to_numpy(dtype=bool)})


def motif_tree(names: list[str], motifs: dict[str, np.ndarray]):
    """Average-linkage tree of motifs from their TomTom distances (:func:`motif_distances`).

    Returns
    -------
    numpy.ndarray
        The scipy linkage matrix (k - 1, 4).
    """
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    d = motif_distances(names, motifs)
    return linkage(squareform(d, checks=False), method="average")


def plot_motifs(tests: pd.DataFrame, prefix: str | Path, title: str = "", method: str = "meandiff",
                alpha: float = 0.05, max_motifs: int = 30, motifs: dict[str, np.ndarray] | None = None) -> list[Path]:
    """Fig S7a,b: -log10 q and effect of the significant motifs.

    With ``motifs`` (the scanned database) and at least 3 rows, the rows are ordered by a TomTom
    similarity tree drawn on the left (as the paper's motif trees); otherwise by q.
    """
    plt = _plt()
    data = motif_panel_data(tests, method, max_motifs)
    n_sig = int(tests[f"significant_{method}"].sum())
    tree = motifs is not None and len(data) >= 3
    height = 1.2 + 0.24 * max(len(data), 4)
    widths = [0.6, 1, 1] if tree else [1, 1]
    # with a tree, the motif names sit between the tree and the bars: leave them room
    fig, axes = plt.subplots(1, len(widths), figsize=(9.0 if tree else 7.5, height), sharey=True,
                             gridspec_kw={"width_ratios": widths, "wspace": 0.55 if tree else 0.08})
    if tree:
        from scipy.cluster.hierarchy import dendrogram

        ax_t, ax_q, ax_e = axes
        z = motif_tree(data["motif"].tolist(), motifs)
        # leaves sit at y = 5, 15, 25, ... from the bottom; the bars use the same positions
        leaves = dendrogram(z, orientation="left", ax=ax_t, no_labels=True, color_threshold=0,
                            above_threshold_color="#636363", link_color_func=lambda k: "#636363")["leaves"]
        data = data.iloc[leaves].reset_index(drop=True)
        y = 5.0 + 10.0 * np.arange(len(data))
        ax_t.set_xlabel("TomTom distance")
        ax_t.spines[["top", "right", "left"]].set_visible(False)
        ax_t.tick_params(axis="y", left=False, labelleft=False)
        data.insert(0, "tree_order", np.arange(len(data))[::-1] + 1)
        bar_height = 8.0
    else:
        ax_q, ax_e = axes
        y = -np.arange(len(data), dtype=float)
        bar_height = 0.8
    colors = np.where(data["significant"], "#3182bd", "#bdbdbd")
    ax_q.barh(y, data["neg_log10_q"], color=colors, height=bar_height)
    ax_q.axvline(-np.log10(alpha), color="k", lw=0.8, ls="--")
    ax_q.set_yticks(y, data["motif"], fontsize=8)
    ax_q.tick_params(axis="y", labelleft=True, left=False, pad=2)
    # the cutoff is named in the axis label, not a legend, so no bar is hidden
    ax_q.set_xlabel(f"−log10 q (BH over all motifs)\ndashed: q = {alpha:g}")
    eff_colors = np.where(data["effect"].fillna(0.0) >= 0, "#31a354", "#de2d26")
    ax_e.barh(y, data["effect"].fillna(0.0), color=eff_colors, height=bar_height)
    ax_e.axvline(0, color="k", lw=0.8)
    ax_e.set_xlabel(f"effect: {METHOD_LABEL[method]}")
    for ax in (ax_q, ax_e):
        ax.spines[["top", "right"]].set_visible(False)
    shown = f"{len(data)} shown" if n_sig > len(data) else ""
    head = f"{n_sig} of {len(tests)} motifs significant (q < {alpha:g})" + (f", {shown}" if shown else "")
    if n_sig == 0:
        head = f"no motif significant (q < {alpha:g}); the 10 best shown"
    fig.suptitle(f"{title}\n{head}" if title else head, fontsize=10)
    return save_figure(fig, prefix, data)


def plot_effects(effects: pd.DataFrame, prefix: str | Path, title: str = "", method: str = "meandiff") -> list[Path]:
    """Fig S7c,d: predicted motif effect (delta x sign of the motif's effect, strongest significant
    motif) vs observed ln ratio, for the sequences with a significant-motif hit."""
    plt = _plt()
    data = effects[np.isfinite(effects["predicted_effect"])][
        ["peak", "top_motif", "predicted_effect", "ratio", "affected"]].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    for aff, color, label in ((False, "#9e9e9e", "|ln ratio| < 1"), (True, "#3182bd", "affected, |ln ratio| ≥ 1")):
        sub = data[data["affected"] == aff]
        ax.scatter(sub["predicted_effect"], sub["ratio"], s=9, alpha=0.6, color=color, lw=0,
                   label=f"{label} (n = {len(sub)})")
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlabel("predicted motif effect: Δ FIMO score (log2 odds) × sign of effect")
    ax.set_ylabel("observed ln ratio (ref / alt)")
    note = ""
    if len(data) >= 3 and data["predicted_effect"].std() > 0:
        r = float(np.corrcoef(data["predicted_effect"], data["ratio"])[0, 1])
        note = f"Pearson r = {r:.2f}, n = {len(data)} of {len(effects)}"
    elif len(data) == 0:
        note = "no sequence has a significant motif hit"
        ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center", fontsize=9)
    ax.set_title(f"{title}\n{note}" if title else note, fontsize=10)
    ax.legend(loc="best", fontsize=7, frameon=True, framealpha=0.85, edgecolor="none")
    ax.spines[["top", "right"]].set_visible(False)
    return save_figure(fig, prefix, data)


def plot_pie(effects: pd.DataFrame, prefix: str | Path, title: str = "") -> list[Path]:
    """Fig S7e,f: how the significant motifs change in the affected sequences."""
    plt = _plt()
    data = direction_summary(effects)
    total = int(data["n"].sum())
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    shown = data[data["n"] > 0]
    if total:
        ax.pie(shown["n"], colors=[DIRECTION_COLORS[d] for d in shown["direction"]], startangle=90,
               counterclock=False, wedgeprops={"edgecolor": "white", "linewidth": 1})
    else:
        ax.text(0.5, 0.5, "no affected sequence", ha="center", va="center", transform=ax.transAxes)
    handles = [plt.matplotlib.patches.Patch(facecolor=DIRECTION_COLORS[d], edgecolor="#636363", lw=0.5)
               for d in DIRECTIONS]
    labels = [f"{d}: {n} ({p:.1f}%)" for d, n, p in zip(data["direction"], data["n"], data["percent"])]
    ax.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    ax.set_aspect("equal")
    head = f"affected sequences (|ln ratio| ≥ 1), n = {total}"
    ax.set_title(f"{title}\n{head}" if title else head, fontsize=10)
    return save_figure(fig, prefix, data)
