"""The interpretation figures of a dataset (Fig 2a-d, 3a/b, S3a-c, S4, S5, S6; rule interpret_figures).

:func:`write_interpretation_figures` reads the stage's tables and attributions and draws every
figure with :mod:`deepallele.plots.interpretation`; the choices it makes on the way are
functions of their own: the seed-agreement table of Fig S3a (:func:`seed_correlations`), the
loci drawn in Fig 2a/b (:func:`figure_loci`) and the one drawn in Fig 3a
(:func:`comparison_locus`).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from ..alphabet import one_hot
from .correlation import per_sequence_correlation
from .data import load_attributions, load_interpret_set, mean_attributions

#: figures of a dataset without a single-input baseline, drawn as a note
BASELINE_FIGURES = ("fig3a_tism_comparison", "fig3b_joint_groups", "figS6_joint_clusters", "figS6b_joint_effects")


def read_table(path: str | Path) -> pd.DataFrame:
    """A TSV of the interpretation or motif stage; peak, motif and cluster names stay text, empty cells NaN."""
    return pd.read_csv(path, sep="\t", dtype={"peak": str, "motif_name": str, "name": str}, keep_default_na=False,
                       na_values=[""])


def seed_correlations(attrs: Sequence[dict], x: np.ndarray, seeds: Sequence) -> pd.DataFrame:
    """Per-sequence Pearson r between the attributions of every two seeds (Fig S3a).

    Parameters
    ----------
    attrs : sequence of dict
        One model's attributions of each seed (:func:`~.data.load_attributions`: ``attr``
        ``(N, 2, 4, L)`` of the same rows, ``peak`` ``(N,)``).
    x : numpy.ndarray
        ``(N, 2, 4, L)`` one-hot of those rows (only positions holding a base are compared).
    seeds : sequence
        The seed of each entry of ``attrs`` (for the ``seed_pair`` labels).

    Returns
    -------
    pandas.DataFrame
        ``seed_pair`` (``"<i>-<j>"``), ``peak``, ``r``: ``N`` rows per pair of seeds; empty with
        one seed.
    """
    corr = [pd.DataFrame({"seed_pair": f"{seeds[i]}-{seeds[j]}", "peak": attrs[0]["peak"],
                          "r": per_sequence_correlation(attrs[i]["attr"], attrs[j]["attr"], x)})
            for i, j in combinations(range(len(attrs)), 2)]
    return pd.concat(corr, ignore_index=True) if corr else pd.DataFrame(columns=["seed_pair", "peak", "r"])


def figure_loci(main: pd.DataFrame, peaks, configured: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """The sequences drawn as loci (Fig 2a/b): configured ones first, then the strongest trusted ones.

    Parameters
    ----------
    main : pandas.DataFrame
        DeepAllele's main variants (``peak``, ``effect``, ``trusted``).
    peaks : array-like of str
        Peaks with attributions (a configured locus elsewhere is skipped).
    configured : sequence of str
        ``interpretation.loci``.

    Returns
    -------
    loci : list of str
        The configured loci with attributions, then the trusted sequences by decreasing
        |main-variant effect|; ``max(2, len(configured))`` at most.
    ranked : list of str
        Every trusted sequence by decreasing |main-variant effect| (the candidates of
        :func:`comparison_locus`).
    """
    trusted = main[main["trusted"].astype(bool)]
    ranked = trusted.reindex(trusted["effect"].abs().sort_values(ascending=False).index)["peak"].tolist()
    have = set(peaks)
    loci = [p for p in configured if p in have] + [p for p in ranked if p not in configured]
    return loci[:max(2, len(configured))], ranked


def comparison_locus(joint_main: pd.DataFrame, baseline: str, loci: Sequence[str],
                     ranked: Sequence[str]) -> str | None:
    """The locus of Fig 3a: the first of ``loci`` then ``ranked`` whose trusted main variant lies
    in a DeepAllele motif and in no motif of the baseline, else the first of ``loci``.

    Parameters
    ----------
    joint_main : pandas.DataFrame
        DeepAllele's main variants located in each model's motifs of the joint clustering
        (``model, peak, in_motif, trusted``).
    baseline : str
        The baseline model.
    loci, ranked : sequence of str
        :func:`figure_loci` output.

    Returns
    -------
    str or None
        None when no sequence qualifies and ``loci`` is empty.
    """
    def in_motif(model):
        rows = (joint_main["model"] == model) & joint_main["in_motif"] & joint_main["trusted"]
        return set(joint_main.loc[rows, "peak"])

    only_deepallele = in_motif("deepallele") - in_motif(baseline)
    return next((p for p in [*loci, *ranked] if p in only_deepallele), loci[0] if len(loci) else None)


def _note(text: str, columns: list[str]):
    """A small figure that only says ``text`` (a panel without data), with an empty table."""
    from ..plots import interpretation as P

    fig, ax = P._plt().subplots(figsize=(5, 2))
    P._note(ax, text)
    return fig, pd.DataFrame(columns=columns)


def write_interpretation_figures(inputs: Mapping, targets: Sequence[str | Path], seeds: Sequence,
                                 loci: Sequence[str] = (), baseline: str = "", min_obs: float = 1.0,
                                 min_z: float = 1.65, log: logging.Logger | None = None) -> None:
    """Draw every interpretation figure of a dataset.

    Parameters
    ----------
    inputs : mapping
        The rule's inputs by name: ``trusted``, ``main``, ``names``, ``cluster_groups``,
        ``groups``, ``effects``, ``summary``, ``clusters`` (TSVs), ``cwms`` (cluster CWMs,
        ``.npz``), ``pairs`` (``pairs.h5``), ``attr`` (DeepAllele's attributions of the
        analysed seeds) and ``seed_attr`` (of every seed); with a baseline also ``joint_main``,
        ``joint_groups``, ``joint_clusters``, ``joint_names``, ``joint_summary`` and
        ``base_attr``.
    targets : sequence of path
        The figure files; each figure ``<stem>`` is written next to the target ending in
        ``/<stem>.png`` (PDF, PNG and the plotted numbers as TSV, :func:`deepallele.plots.save_figure`).
    seeds : sequence
        The seeds of ``seed_attr``.
    loci : sequence of str
        Configured loci for Fig 2a/b (:func:`figure_loci`).
    baseline : str
        The single-input baseline model; empty: its figures say that none was trained.
    min_obs, min_z : float
        The trusted cut-offs, drawn in Fig S4.
    log : logging.Logger, optional
        Gets the loci drawn.
    """
    from ..plots import save_figure
    from ..plots import interpretation as P

    log = log or logging.getLogger("deepallele.interpret.figures")

    def save(stem, fig_and_table):
        path = next(str(p) for p in targets if str(p).endswith(f"/{stem}.png"))
        save_figure(fig_and_table[0], path, fig_and_table[1])

    trusted = read_table(inputs["trusted"])
    main = read_table(inputs["main"])
    main["motif_name"] = main["motif_name"].fillna("")
    da_main = main[main["model"] == "deepallele"].copy()
    names_table = read_table(inputs["names"])
    names = dict(zip(names_table["cluster"], names_table["name"])) if len(names_table) else {}
    cg = read_table(inputs["cluster_groups"])
    labels = {c: g for m, c, g in cg[["model", "cluster", "group"]].itertuples(index=False) if m == "deepallele"}
    n_trusted = int(trusted["trusted"].sum())

    # Fig S4
    save("figS4ab_observed_predicted", P.fig_observed_vs_predicted(trusted, min_obs, min_z))
    save("figS4_main_variant_additive", P.fig_main_variant_additive(da_main))

    # Fig S3a: attribution correlation between seeds
    data = load_interpret_set(inputs["pairs"], "all")
    attrs = [load_attributions(p) for p in inputs["seed_attr"]]   # every seed, whichever seeds are analysed
    rows = attrs[0]["rows"]
    x = one_hot(data.codes[rows])
    save("figS3a_seed_correlation", P.fig_seed_correlation(seed_correlations(attrs, x, seeds)))

    # Fig S3b/c
    summary = read_table(inputs["summary"])
    with np.load(inputs["cwms"]) as f:
        cwms = {int(k.removeprefix("cluster")): f[k] for k in f.files}
    clusters = read_table(inputs["clusters"])
    save("figS3b_cluster_logos", P.fig_cluster_logos(summary, cwms, names))
    save("figS3c_named_motifs", P.fig_named_motifs(clusters, summary, names, len(rows)))

    # Fig 2c/d, S5
    groups = read_table(inputs["groups"])
    save("fig2c_main_variant_groups", P.fig_group_pie(groups[groups["model"] == "deepallele"], n_trusted))
    save("extra_group_effects", P.fig_group_effects(da_main))
    save("figS5_cluster_effects", P.fig_cluster_effects(da_main, labels, seqlets=clusters, split="seqlet"))

    # Fig 2a/b: configured loci first, then the trusted sequences with the largest main-variant effect
    mean = mean_attributions(list(inputs["attr"]))
    effects = read_table(inputs["effects"])
    drawn, ranked = figure_loci(da_main, mean["peak"], loci)
    peak_pos = {p: i for i, p in enumerate(mean["peak"])}
    for stem, peak in zip(("fig2a_locus", "fig2b_locus"), drawn + [None, None]):
        if peak is None:
            save(stem, _note("no trusted sequence to draw", ["peak"]))
            continue
        k = peak_pos[peak]
        row = int(rows[k])
        mv = da_main[da_main["peak"] == peak].iloc[0]
        sq = clusters[(clusters["model"] == "deepallele") & (clusters["row"] == row)]
        v = effects[effects["peak_index"] == row]
        save(stem, P.fig_locus(peak, mean["attr"][k], x[k], v, sq, labels, mv["main_variant"],
                               float(trusted.set_index("peak").loc[peak, "obs_ratio"]), float(mv["pred_ratio"])))
        log.info("%s: %s", stem, peak)

    # Fig 3a/b, S6 (joint clustering with the baseline)
    if not baseline:
        for stem in BASELINE_FIGURES:
            save(stem, _note("no single-input baseline trained (config interpretation.baseline)", ["note"]))
        return
    jm = read_table(inputs["joint_main"])
    jc = read_table(inputs["joint_clusters"])
    jn = read_table(inputs["joint_names"])
    jnames = dict(zip(jn["cluster"], jn["name"])) if len(jn) else {}
    save("fig3b_joint_groups", P.fig_joint_pies(read_table(inputs["joint_groups"]), n_trusted, baseline))
    save("figS6_joint_clusters", P.fig_joint_clusters(read_table(inputs["joint_summary"]), jnames, baseline))
    save("figS6b_joint_effects", P.fig_joint_effects(jm, jc, baseline, baseline))
    peak = comparison_locus(jm, baseline, drawn, ranked)
    battr = mean_attributions(list(inputs["base_attr"]))
    if peak is None:
        save("fig3a_tism_comparison", _note("no trusted sequence to draw", ["peak"]))
        return
    k = peak_pos[peak]
    row = int(rows[k])
    save("fig3a_tism_comparison",
         P.fig_model_comparison(peak, mean["attr"][k], battr["attr"][k], x[k],
                                jc[(jc["model"] == "deepallele") & (jc["row"] == row)],
                                jc[(jc["model"] == baseline) & (jc["row"] == row)], baseline))
