"""Interpretation against the simulator's truth (``results/<dataset>/validation/interpretation.tsv``).

Peaks are matched to planted regions by the region summit lying inside the peak. Metrics (one
row each of a :mod:`deepallele.validation.table` table; the goals are the ``interpretation``
table's in ``goals.yaml``):

* ``main_variant_is_causal``: trusted sequences whose main variant is the region's planted main
  causal variant (largest true |effect|), among trusted sequences of regions with a causal
  variant (goal >= 0.8, decided from 20 such sequences);
* ``main_variant_is_any_causal``: ... is any causal variant (context);
* ``main_variant_in_motif``: trusted sequences whose main variant lies in a seqlet (goal >= 0.9,
  decided from 20 trusted sequences);
* ``main_variant_in_planted_site``: ... whose main variant lies in a planted motif site (context);
* ``top_tf_group``: the largest TF-like group (decided here, ``judge: module``). It passes when
  it is "<primary driver>-like", or the name of a JASPAR motif that TomTom ranks above the
  primary driver for the truth's own contributions of its planted sites
  (:mod:`deepallele.simulate.truth_motifs`: such factors cannot be told apart from the primary
  by any model of these data, e.g. ERG for the ATAC grammar's ETS1), or when the group's
  clusters carry the primary among their names (TomTom q < 0.05, best four, reference-spec
  §3.6: the name a cluster gets in the paper's figures).
  The label is one factor of a motif family (the best-scoring TF, §3.7), so for a primary whose
  JASPAR relatives match within a few-fold in p (ETS1: FEV, ERG, ELK3, FLI1) which of them
  labels the group is not evidence either way; a cluster whose names lack the primary is.
  ``top_tf_group_names`` lists those names and ``top_tf_group_is_primary`` says whether the
  label itself is the primary (context);
* ``main_variant_effect_r``: Pearson r of the main variants' predicted and true effects (context);
* ``main_variant_is_causal_all``, ``main_variant_in_motif_all``: the first and third metric over
  every interpreted sequence whose region has a causal variant (context: a demo test split has
  few trusted sequences).

:func:`truth_attribution_metrics` adds two context rows from the motifs chain run on the
simulator's own attributions (:mod:`deepallele.simulate.truth_attributions`):
``truth_attr_top_match`` (the best TomTom match of the largest named cluster; its goal lists
the primary and its equivalents) and ``truth_attr_primary_rank``. They say whether seqlets,
clustering and TomTom can name the primary from perfect attributions, so that a failing
``top_tf_group`` points at the model, not at the chain.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .table import share_row, validation_table


def match_regions(chrom, peak_start, peak_end, regions: pd.DataFrame) -> np.ndarray:
    """Row of ``regions`` whose summit lies in each peak (-1 when none; the first when several)."""
    chrom = np.asarray(chrom, dtype=object)
    out = np.full(len(chrom), -1, dtype=np.int64)
    for c, grp in regions.groupby("chrom"):
        order = np.argsort(grp["summit"].to_numpy(), kind="stable")
        summits = grp["summit"].to_numpy()[order]
        idx = grp.index.to_numpy()[order]
        sel = np.flatnonzero(chrom == c)
        i = np.searchsorted(summits, np.asarray(peak_start)[sel])
        ok = i < len(summits)
        hit = np.zeros(len(sel), dtype=bool)
        hit[ok] = summits[i[ok]] < np.asarray(peak_end)[sel][ok]
        out[sel[hit]] = idx[i[hit]]
    return out


def interpretation_metrics(main: pd.DataFrame, regions: pd.DataFrame, variants: pd.DataFrame, top_group: str,
                           primary: str, region_of_peak: dict, primary_equivalents: tuple = (),
                           top_group_names: tuple = ()) -> pd.DataFrame:
    """The ``interpretation`` validation table (module docstring), without the ``truth_attr`` rows.

    Parameters
    ----------
    main : pandas.DataFrame
        ``main_variants.tsv`` (``peak, main_variant, effect, in_motif, trusted``).
    regions, variants : pandas.DataFrame
        The simulator's ``truth/regions.tsv`` and ``truth/variants.tsv``.
    top_group : str
        Name of the largest TF-like group.
    primary : str
        The grammar's primary driver (e.g. ``SPI1``), by its truth name when it is planted from a
        matrix outside the database (:func:`deepallele.simulate.planted_motifs.truth_names`).
    region_of_peak : dict
        Peak -> ``region_id`` (peaks without a region absent).
    primary_equivalents : tuple of str
        Factors TomTom ranks above the primary for the truth's contributions
        (:func:`deepallele.simulate.truth_motifs.truth_tomtom`); their groups also pass.
    top_group_names : tuple of str
        TomTom names (q < 0.05, best four per cluster) of the clusters labelled ``top_group``
        (:func:`group_cluster_names`); the group passes when the primary is among them.
    """
    t = main[main["trusted"].astype(bool)].copy()
    t["region_id"] = t["peak"].map(region_of_peak)
    reg = regions.set_index("region_id")
    t = t[t["region_id"].notna()]
    truth_main = t["region_id"].map(reg["main_causal_variant"]).fillna("").astype(str)
    causal_ids = set(variants.loc[variants["causal"].astype(bool), "variant_id"])
    site_ids = set(variants.loc[variants["planted_site"].fillna("").astype(str) != "", "variant_id"])
    has_causal = truth_main != ""
    rows = []

    def add(metric, value, n=None, **extra):
        rows.append({"metric": metric, "value": value, "n": n, **extra})

    def add_share(metric, mask, **extra):
        rows.append(share_row(metric, mask, 4, **extra))

    trusted = main["trusted"].astype(bool)
    add("n_trusted", int(trusted.sum()))
    add("n_trusted_with_causal", int(has_causal.sum()))
    add_share("main_variant_is_causal", t.loc[has_causal, "main_variant"] == truth_main[has_causal])
    add_share("main_variant_is_any_causal", t.loc[has_causal, "main_variant"].isin(causal_ids))
    add_share("main_variant_in_motif", t["in_motif"].astype(bool))
    add_share("main_variant_in_planted_site", t["main_variant"].isin(site_ids))
    accepted = [f"{name}-like" for name in (primary, *primary_equivalents)]
    names = tuple(top_group_names)
    add("top_tf_group", top_group or "(none)", met=bool(top_group) and (top_group in accepted or primary in names),
        goal_key="top_tf_group (with equivalents)" if primary_equivalents else "top_tf_group",
        fields={"equivalents": ", ".join(accepted[1:])})
    add("top_tf_group_names", "/".join(names) or "(none)")
    add("top_tf_group_is_primary", top_group == f"{primary}-like")
    # the same on every interpreted sequence (context: the trusted set of a small test split is tiny)
    a = main.copy()
    a["region_id"] = a["peak"].map(region_of_peak)
    a = a[a["region_id"].notna()]
    a_truth = a["region_id"].map(reg["main_causal_variant"]).fillna("").astype(str)
    a_c = a_truth != ""
    a_fields = {"n": int(a_c.sum())}
    add_share("main_variant_is_causal_all", a.loc[a_c, "main_variant"] == a_truth[a_c], fields=a_fields)
    add_share("main_variant_in_motif_all", a.loc[a_c, "in_motif"].astype(bool), fields=a_fields)
    eff = variants.set_index("variant_id")["effect"]
    both = t[t["main_variant"].isin(eff.index)]
    r = float(np.corrcoef(both["effect"], eff[both["main_variant"]].to_numpy())[0, 1]) if len(both) > 2 else float("nan")
    add("main_variant_effect_r", round(r, 4), len(both),
        goal_key="main_variant_effect_r" if len(both) > 2 else "main_variant_effect_r (undefined)",
        fields={"n": len(both)})
    return validation_table("interpretation", rows, {"primary": primary})


def group_cluster_names(cluster_groups: pd.DataFrame, cluster_names: pd.DataFrame, group: str) -> tuple[str, ...]:
    """TomTom names of the clusters labelled ``group``, in cluster order, each once.

    Parameters
    ----------
    cluster_groups : pandas.DataFrame
        ``interpret/<set>/cluster_groups.tsv`` (``cluster, group``).
    cluster_names : pandas.DataFrame
        ``motifs/<set>/cluster_names.tsv`` (``cluster, name``; names joined by ``/``).
    group : str
        A TF-like group, e.g. ``FEV-like``.
    """
    clusters = cluster_groups.loc[cluster_groups["group"] == group, "cluster"].astype(int)
    by_cluster = dict(zip(cluster_names["cluster"].astype(int), cluster_names["name"].astype(str)))
    names = [n for c in sorted(clusters) for n in by_cluster.get(c, "").split("/") if n]
    return tuple(dict.fromkeys(names))


def truth_attribution_metrics(summary: pd.DataFrame, matches: pd.DataFrame, primary: str,
                              primary_equivalents: tuple = (), q_threshold: float = 0.05) -> pd.DataFrame:
    """Context rows from the motifs chain on the true attributions (module docstring).

    Parameters
    ----------
    summary : pandas.DataFrame
        Cluster summary (``cluster, n_seqlets``) of the true attributions' seqlets.
    matches : pandas.DataFrame
        Their TomTom matches (``cluster`` = ``cluster<k>``, ``rank``, ``target``, ``q``).
    primary : str
        The grammar's primary driver.
    primary_equivalents : tuple of str
        Factors the truth's sites rank above the primary (as for ``top_tf_group``).
    q_threshold : float
        A cluster is named by matches below this q-value.
    """
    named = matches[matches["q"] < q_threshold]
    order = summary.sort_values(["n_seqlets", "cluster"], ascending=[False, True])
    top, rank, size = "(none)", None, 0
    for c, n in zip(order["cluster"], order["n_seqlets"]):
        hits = named[named["cluster"] == f"cluster{c}"].sort_values("rank")
        if len(hits):
            top, size = str(hits["target"].iloc[0]), int(n)
            mine = matches[matches["cluster"] == f"cluster{c}"].sort_values("rank")
            hit = np.flatnonzero(mine["target"].to_numpy() == primary)
            rank = int(hit[0]) + 1 if len(hit) else None
            break
    accepted = (primary, *primary_equivalents)
    return validation_table("interpretation", [
        {"metric": "truth_attr_top_match", "value": top, "fields": {"accepted": " or ".join(accepted), "size": size}},
        {"metric": "truth_attr_primary_rank", "value": rank if rank is not None else "(not matched)"},
    ], {"primary": primary})
