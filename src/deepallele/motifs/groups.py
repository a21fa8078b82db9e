"""Main variants in motifs and TF-like groups (reference-spec §3.7; Fig 2c,d, Fig 3b, Fig S6).

A trusted sequence's main variant is *in a motif* when its edit overlaps a seqlet of either
allele (positions in each allele's own coordinates, straight from the variant map); when it
overlaps seqlets of several clusters, the cluster with the most overlapping positions wins.

TF-like groups: every TF matched by the clusters gets a score, the sum over its matching
clusters of ``weight x -log10 p``; TFs are taken by decreasing score and each still unlabelled
cluster matching the TF becomes "<TF>-like".

* ``paper`` (default): matches with TomTom ``q < 0.05``, weight = seqlets in the cluster;
* ``code``: matches with ``p < 0.05``, weight = % of main variants in the cluster (the
  authors' script).
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

OUTSIDE = "Outside"
OTHER = "Other<2%"


def variant_span(pos: int, edit: str) -> tuple[int, int]:
    """Inclusive span of an edit in one allele; an empty edit (pure indel) spans the two flanking bases."""
    n = len(edit or "")
    return (pos, pos + n - 1) if n else (pos - 1, pos)


def variants_in_seqlets(main: pd.DataFrame, seqlets: pd.DataFrame) -> pd.DataFrame:
    """Which seqlet (and cluster) each main variant falls in.

    Parameters
    ----------
    main : pandas.DataFrame
        ``peak_index, main_variant, ref_pos, alt_pos, ref_edit, alt_edit``.
    seqlets : pandas.DataFrame
        ``row, allele, start, end`` (inclusive) and ``cluster``.

    Returns
    -------
    pandas.DataFrame
        ``main`` with ``in_motif`` (bool), ``cluster`` (-1 outside), ``seqlet`` ('' outside) and
        ``overlap`` (positions shared with the chosen seqlet).
    """
    by_row = dict(tuple(seqlets.groupby("row"))) if len(seqlets) else {}
    clusters, names, overlaps = [], [], []
    for v in main.itertuples(index=False):
        best = (0, -1, "")
        s = by_row.get(v.peak_index)
        if s is not None:
            for allele, pos, edit in ((0, v.ref_pos, v.ref_edit), (1, v.alt_pos, v.alt_edit)):
                lo, hi = variant_span(int(pos), str(edit) if isinstance(edit, str) else "")
                sa = s[s["allele"] == allele]
                ov = np.minimum(sa["end"].to_numpy(), hi) - np.maximum(sa["start"].to_numpy(), lo) + 1
                for k in np.flatnonzero(ov > 0):
                    if ov[k] > best[0]:
                        best = (int(ov[k]), int(sa["cluster"].iloc[k]), str(sa["seqlet"].iloc[k]))
        overlaps.append(best[0])
        clusters.append(best[1])
        names.append(best[2])
    out = main.copy()
    out["in_motif"] = np.array(overlaps) > 0
    out["cluster"] = clusters
    out["seqlet"] = names
    out["overlap"] = overlaps
    return out


def tf_like_groups(matches: pd.DataFrame, weights: dict, mode: str = "paper", q_threshold: float = 0.05,
                   p_threshold: float = 0.05) -> dict:
    """Cluster id -> "<TF>-like" by greedy TF scores (see the module docstring).

    Parameters
    ----------
    matches : pandas.DataFrame
        TomTom matches (``cluster, target, p, q``).
    weights : dict
        Cluster id -> weight (seqlets in the cluster for ``paper``, % of main variants for ``code``);
        only these clusters are grouped.
    mode : str
        ``paper`` or ``code``.

    Returns
    -------
    dict
        Labels of the clusters that match at least one TF.
    """
    if mode == "paper":
        m = matches[matches["q"] < q_threshold]
    elif mode == "code":
        m = matches[matches["p"] < p_threshold]
    else:
        raise ValueError(f"unknown TF-like grouping mode {mode!r} (paper or code)")
    m = m[m["cluster"].isin(list(weights))].copy()
    if m.empty:
        return {}
    m["score"] = m["cluster"].map(weights).astype(float) * -np.log10(m["p"].clip(lower=1e-300))
    score = m.groupby("target")["score"].sum()
    # ties: by name, so labels do not depend on row order
    order = sorted(score.index, key=lambda t: (-score[t], t))
    labels: dict = {}
    for tf in order:
        for c in sorted(m.loc[m["target"] == tf, "cluster"].unique()):
            labels.setdefault(c, f"{tf}-like")
    return labels


def group_shares(assigned: pd.DataFrame, labels: dict, n_total: int | None = None, min_share: float = 2.0,
                 cluster_names: dict | None = None) -> pd.DataFrame:
    """% of main variants per TF-like group (clusters without a TF keep ``cluster <id>``), with small ones pooled.

    Parameters
    ----------
    assigned : pandas.DataFrame
        :func:`variants_in_seqlets` output (one row per sequence).
    labels : dict
        Cluster id -> group name.
    n_total : int, optional
        Denominator (default: rows of ``assigned``).
    min_share : float
        Groups with a smaller % go to "Other<2%".
    cluster_names : dict, optional
        Names for clusters without a group (default ``cluster <id>``).

    Returns
    -------
    pandas.DataFrame
        ``group, n, percent, slice`` (the pie slice: the group, "Other<2%" or "Outside"),
        sorted by decreasing n with "Outside" last.
    """
    n_total = len(assigned) if n_total is None else n_total
    cluster_names = cluster_names or {}
    names = [OUTSIDE if not inm else labels.get(c, cluster_names.get(c, f"cluster {c}"))
             for inm, c in zip(assigned["in_motif"], assigned["cluster"])]
    counts = pd.Series(names, dtype=object).value_counts()
    rows = [(g, int(n), 100.0 * n / max(n_total, 1)) for g, n in counts.items()]
    out = pd.DataFrame(rows, columns=["group", "n", "percent"])
    out["slice"] = np.where(out["group"] == OUTSIDE, OUTSIDE, np.where(out["percent"] > min_share, out["group"], OTHER))
    out["_outside"] = out["group"] == OUTSIDE
    out = out.sort_values(["_outside", "n", "group"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_outside").reset_index(drop=True)


def trusted_group_shares(located: pd.DataFrame, trusted_peaks, labels: dict, min_share: float = 2.0,
                         cluster_names: dict | None = None) -> tuple[pd.DataFrame, int]:
    """The pie of the trusted sequences: :func:`group_shares` over those that can enter a slice.

    A trusted sequence enters a slice (a group, "Other<2%" or "Outside") only when it has a main
    variant, i.e. at least one complete variant in its window. Those without one (all variants
    cut by the window edge or trimming) are left out of the denominator, so the slices sum to
    100 %, and counted.

    Parameters
    ----------
    located : pandas.DataFrame
        :func:`variants_in_seqlets` output (one row per sequence with a main variant; ``peak``).
    trusted_peaks : iterable of str
        Peaks of the trusted set.
    labels, min_share, cluster_names
        As :func:`group_shares`.

    Returns
    -------
    shares : pandas.DataFrame
        :func:`group_shares` of the trusted sequences with a main variant.
    n_excluded : int
        Trusted sequences without a main variant (in no slice).
    """
    trusted_peaks = set(trusted_peaks)
    tr = located[located["peak"].isin(trusted_peaks)]
    shares = group_shares(tr, labels, min_share=min_share, cluster_names=cluster_names)
    return shares, len(trusted_peaks - set(tr["peak"]))


def top_group(shares: pd.DataFrame) -> str:
    """The largest TF-like group ("<TF>-like"), '' when no main variant lies in a named group."""
    named = shares[shares["group"].str.endswith("-like")]
    return str(named["group"].iloc[0]) if len(named) else ""


#: columns of ``results/<dataset>/interpret/main_variants.tsv`` (:func:`main_variant_table`), the first five
#: read by the MeanDiff comparison
MAIN_VARIANT_TABLE_COLUMNS = ["peak", "main_variant", "effect", "in_motif", "motif_name", "in_named_motif", "trusted",
                              "cluster", "seqlet", "additive", "pred_ratio", "n_variants", "kind", "ref_pos",
                              "alt_pos"]


def locate_in_model(main: pd.DataFrame, seqlets: pd.DataFrame, summary: pd.DataFrame, matches: pd.DataFrame,
                    trusted_peaks, mode: str = "paper", q_threshold: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """DeepAllele's main variants located in one model's seqlets, with TF-like names.

    The groups of the pie (``labels``) are made over the clusters that hold a trusted main
    variant; a main variant in any other cluster (of a sequence that is not trusted) gets its
    TF-like name from the same grouping over every cluster.

    Parameters
    ----------
    main : pandas.DataFrame
        One row per sequence with a main variant (:func:`deepallele.interpret.variant_effects.main_variants`).
    seqlets : pandas.DataFrame
        The model's clustered seqlets (``row, allele, start, end, seqlet, cluster``).
    summary : pandas.DataFrame
        The clusters (``cluster, n_seqlets``).
    matches : pandas.DataFrame
        TomTom matches of the clusters (``cluster, target, p, q``).
    trusted_peaks : set of str
        Peaks of the trusted set.
    mode, q_threshold
        As :func:`tf_like_groups`.

    Returns
    -------
    located : pandas.DataFrame
        :func:`variants_in_seqlets` of ``main`` plus ``trusted``, ``motif_name`` (the TF-like
        group; empty outside motifs and for clusters without a JASPAR match) and ``in_named_motif``.
    labels : dict
        Cluster id -> group, over the clusters holding a trusted main variant (the pie's).
    """
    located = variants_in_seqlets(main, seqlets)
    located["trusted"] = located["peak"].isin(set(trusted_peaks))
    tr = located[located["trusted"]]
    if mode == "paper":
        weights = dict(zip(summary["cluster"], summary["n_seqlets"]))
    else:
        weights = (tr.loc[tr["in_motif"], "cluster"].value_counts() / max(len(tr), 1) * 100).to_dict()
    affected = set(tr.loc[tr["in_motif"], "cluster"])
    labels = tf_like_groups(matches, {c: w for c, w in weights.items() if c in affected}, mode=mode,
                            q_threshold=q_threshold)
    others = tf_like_groups(matches, weights if mode == "paper" else {c: 1.0 for c in summary["cluster"]}, mode=mode,
                            q_threshold=q_threshold)
    located["motif_name"] = [labels.get(c, others.get(c, "")) if inm else ""
                             for inm, c in zip(located["in_motif"], located["cluster"])]
    located["in_named_motif"] = located["motif_name"] != ""
    return located, labels


def locate_main_variants(main: pd.DataFrame, seqlets: pd.DataFrame, summary: pd.DataFrame, matches: pd.DataFrame,
                         trusted: pd.DataFrame, models: list[str], mode: str = "paper", q_threshold: float = 0.05,
                         min_share: float = 2.0, log=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """DeepAllele's main variants in each model's motifs and the TF-like pies (Fig 2c, 3b, S6; rule
    interpret_motif_variants).

    Parameters
    ----------
    main : pandas.DataFrame
        DeepAllele's main variants (one row per sequence).
    seqlets : pandas.DataFrame
        The clustered seqlets of every model (``model`` column; a joint clustering or one model's).
    summary, matches : pandas.DataFrame
        The clusters and their TomTom matches (:func:`locate_in_model`).
    trusted : pandas.DataFrame
        The trusted table (``peak, trusted``).
    models : list of str
        The models whose seqlets locate the variants (the paper's Fig 3b: DeepAllele's main
        variants in each model's motifs).
    mode, q_threshold, min_share
        As :func:`tf_like_groups` and :func:`group_shares`.
    log : logging.Logger, optional
        Gets each model's share of trusted main variants in a motif and its groups.

    Returns
    -------
    located : pandas.DataFrame
        ``model`` + :func:`locate_in_model` output, the models one after the other.
    shares : pandas.DataFrame
        ``model`` + :func:`trusted_group_shares` of each model.
    labels : pandas.DataFrame
        ``model, cluster, group``: the pie's groups.
    """
    log = log or logging.getLogger("deepallele.motifs.groups")
    trusted_peaks = set(trusted.loc[trusted["trusted"].astype(bool), "peak"])
    located_all, share_tables, label_rows = [], [], []
    for model in models:
        located, labels = locate_in_model(main, seqlets[seqlets["model"] == model], summary, matches, trusted_peaks,
                                          mode, q_threshold)
        label_rows += [(model, c, g) for c, g in labels.items()]
        located.insert(0, "model", model)
        located_all.append(located)
        # the pie's denominator: trusted sequences that can enter a slice (with a main variant)
        shares, n_excluded = trusted_group_shares(located, trusted_peaks, labels, min_share=min_share)
        if n_excluded:
            log.info("%s: %d of %d trusted sequences have no main variant (every variant cut by the window) "
                     "and are left out of the pie", model, n_excluded, len(trusted_peaks))
        shares.insert(0, "model", model)
        share_tables.append(shares)
        tr = located[located["trusted"]]
        log.info("%s: %d/%d trusted main variants in a motif; groups: %s", model, int(tr["in_motif"].sum()), len(tr),
                 ", ".join(f"{g} {p:.1f}%" for g, p in zip(shares["group"], shares["percent"])))
    return (pd.concat(located_all, ignore_index=True), pd.concat(share_tables, ignore_index=True),
            pd.DataFrame(label_rows, columns=["model", "cluster", "group"]))


def main_variant_table(located: pd.DataFrame) -> pd.DataFrame:
    """DeepAllele's main variant per sequence located in its own motifs (``interpret/main_variants.tsv``).

    Parameters
    ----------
    located : pandas.DataFrame
        :func:`locate_main_variants` output of DeepAllele's own clustering.

    Returns
    -------
    pandas.DataFrame
        The ``deepallele`` rows, columns :data:`MAIN_VARIANT_TABLE_COLUMNS`.
    """
    return located.loc[located["model"] == "deepallele", MAIN_VARIANT_TABLE_COLUMNS]
