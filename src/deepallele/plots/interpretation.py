"""Interpretation figures: Fig 2a-d, 3a/b, S3a-c, S4, S5, S6.

Every function takes tables/arrays, draws one figure and returns ``(figure, table)`` where the
table holds the plotted numbers (written next to the figure as TSV by
:func:`deepallele.plots.save_figure`). Ratios and effects are natural-log units.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import alphabet

ALLELE_NAMES = ("ref", "alt")
BASES = list(alphabet.BASES)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _pearson(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b)
    return float(np.corrcoef(a[ok], b[ok])[0, 1]) if ok.sum() > 2 else float("nan")


def _logo(ax, matrix: np.ndarray, start: int = 0, color_scheme: str = "classic"):
    """A logomaker logo of a ``(4, w)`` matrix on ``ax`` (positions from ``start``)."""
    import logomaker

    df = pd.DataFrame(np.asarray(matrix, float).T, columns=BASES, index=np.arange(start, start + matrix.shape[1]))
    logomaker.Logo(df, ax=ax, color_scheme=color_scheme, show_spines=False)
    ax.axhline(0, color="0.6", lw=0.5)


def _note(ax, text: str):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=10, color="0.4")
    ax.set_axis_off()


def fig_observed_vs_predicted(trusted: pd.DataFrame, min_obs: float = 1.0, min_z: float = 1.65):
    """Fig S4a,b: observed vs predicted ln ratio of the interpreted sequences, trusted set coloured.

    Parameters
    ----------
    trusted : pandas.DataFrame
        ``interpret/trusted.tsv`` (``obs_ratio, pred_ratio, z, trusted``).
    min_obs, min_z : float
        The trusted-set thresholds (|observed| and |z| above them, signs agreeing), drawn as lines.

    Returns
    -------
    fig, table
        One row: ``n``, ``n_trusted``, the Pearson r of observed vs predicted over all sequences
        and over the trusted ones.
    """
    plt = _plt()
    t = trusted.copy()
    is_trusted = t["trusted"].astype(bool).to_numpy()
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2), constrained_layout=True)
    for ax, col, label, cut in ((axes[0], "pred_ratio", "predicted ln ratio (DeepAllele)", None),
                                (axes[1], "z", "z = predicted / RMS(predicted)", min_z)):
        ax.scatter(t.loc[~is_trusted, col], t.loc[~is_trusted, "obs_ratio"], s=8, c="0.7", lw=0, label="other")
        ax.scatter(t.loc[is_trusted, col], t.loc[is_trusted, "obs_ratio"], s=10, c="tab:purple", lw=0,
                   label=f"trusted ({int(is_trusted.sum())})")
        for y in (-min_obs, min_obs):
            ax.axhline(y, color="0.4", lw=0.6, ls="--")
        if cut is not None:
            for x in (-cut, cut):
                ax.axvline(x, color="0.4", lw=0.6, ls="--")
        ax.set_xlabel(label)
        ax.set_ylabel("observed ln ratio")
    r_all = _pearson(t["obs_ratio"], t["pred_ratio"])
    r_trusted = _pearson(t.loc[is_trusted, "obs_ratio"], t.loc[is_trusted, "pred_ratio"]) if is_trusted.sum() > 2 else np.nan
    axes[0].set_title(f"a: all {len(t)} sequences, r = {r_all:.2f}", fontsize=9)
    axes[1].set_title(f"b: trusted = |obs| > {min_obs:g}, |z| > {min_z:g}, same sign", fontsize=9)
    axes[0].legend(fontsize=8, frameon=False)
    table = pd.DataFrame([{"n": len(t), "n_trusted": int(is_trusted.sum()), "pearson_all": r_all,
                           "pearson_trusted": r_trusted, "min_obs": min_obs, "min_z": min_z}])
    return fig, table


def fig_main_variant_additive(main: pd.DataFrame, title: str = ""):
    """Fig S4: main-variant effect and sum of variant effects vs DeepAllele's predicted ratio.

    ``main``: ``pred_ratio, effect, additive, trusted`` (one row per sequence, means over seeds).
    """
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), constrained_layout=True)
    rows = []
    for ax, col, label in zip(axes, ("effect", "additive"), ("main-variant effect", "sum of variant effects")):
        tr = main["trusted"].astype(bool).to_numpy()
        for sel, c, name in ((~tr, "0.65", "other"), (tr, "tab:purple", "trusted")):
            ax.scatter(main.loc[sel, col], main.loc[sel, "pred_ratio"], s=8, c=c, alpha=0.7, lw=0, label=name)
        r = _pearson(main[col], main["pred_ratio"])
        rt = _pearson(main.loc[tr, col], main.loc[tr, "pred_ratio"])
        lim = np.nanmax(np.abs(main[[col, "pred_ratio"]].to_numpy())) * 1.05
        ax.plot([-lim, lim], [-lim, lim], color="0.5", lw=0.6, ls="--")
        ax.set_xlabel(f"{label} (ln ratio)")
        ax.set_ylabel("predicted ln ratio (ref / alt)")
        nt = int(tr.sum())
        # a correlation over a handful of trusted points says nothing: give their number instead
        tr_text = f"trusted R = {rt:.2f} (n = {nt})" if nt >= 10 else f"{nt} trusted"
        ax.set_title(f"all: R = {r:.2f} ({100 * r * r:.0f}% explained); {tr_text}", fontsize=9)
        ax.legend(fontsize=8, frameon=False, loc="upper left")
        rows.append({"panel": col, "pearson_r": r, "variance_explained": r * r, "pearson_r_trusted": rt,
                     "n": int(main[col].notna().sum()), "n_trusted": int(tr.sum())})
    fig.suptitle(title or "Main variant and additive variant effects vs predicted ratio (DeepAllele, mean over seeds)",
                 fontsize=10)
    table = main[["peak", "pred_ratio", "effect", "additive", "trusted"]].copy()
    for k, v in rows[0].items():
        table[f"main_{k}"] = v
    for k, v in rows[1].items():
        table[f"additive_{k}"] = v
    return fig, table


def fig_seed_correlation(corr: pd.DataFrame):
    """Fig S3a: per-sequence Pearson r of attribution maps between seeds (histogram, 40 bins on [-1, 1])."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 3.6), constrained_layout=True)
    r = corr["r"].to_numpy(float)
    r = r[np.isfinite(r)]
    ax.hist(r, bins=np.linspace(-1, 1, 41), color="tab:purple", alpha=0.8)
    med = float(np.median(r)) if len(r) else float("nan")
    ax.axvline(med, color="k", lw=1, ls="--")
    ax.set_xlabel("Pearson r between seeds (attributions per sequence)")
    ax.set_ylabel("sequence pairs")
    ax.set_title(f"median r = {med:.2f} ({corr['seed_pair'].nunique()} seed pairs, {len(r)} values)", fontsize=9)
    return fig, corr


def fig_cluster_logos(summary: pd.DataFrame, cwms: dict, names: dict, n_max: int = 12):
    """Fig S3b: CWM logos of the largest clusters with their TomTom names."""
    plt = _plt()
    top = summary[summary["informative"]].sort_values("n_seqlets", ascending=False, kind="stable").head(n_max)
    n = max(len(top), 1)
    ncol = 3 if n > 4 else 1 if n == 1 else 2
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 1.7 * nrow), constrained_layout=True, squeeze=False)
    for ax in axes.flat[len(top):]:
        ax.set_axis_off()
    if top.empty:
        _note(axes.flat[0], "no informative cluster")
    for ax, row in zip(axes.flat, top.itertuples(index=False)):
        _logo(ax, cwms[row.cluster])
        nm = names.get(row.cluster, "")
        ax.set_title(f"cluster {row.cluster} ({row.n_seqlets} seqlets){': ' + nm if nm else ''}", fontsize=8)
        ax.set_xticks([])
    table = top[["cluster", "n_seqlets", "width"]].copy()
    table["name"] = [names.get(c, "") for c in table["cluster"]]
    return fig, table


def fig_named_motifs(clusters: pd.DataFrame, summary: pd.DataFrame, names: dict, n_sequences: int):
    """Fig S3c: % of interpreted sequences with at least one seqlet of each named cluster."""
    plt = _plt()
    named = [c for c in summary["cluster"] if c in names]
    pct = [100 * clusters.loc[clusters["cluster"] == c, "peak"].nunique() / max(n_sequences, 1) for c in named]
    table = pd.DataFrame({"cluster": named, "name": [names[c] for c in named], "percent_sequences": pct})
    table = table.sort_values("percent_sequences", ascending=True, kind="stable")
    fig, ax = plt.subplots(figsize=(6, 0.35 * max(len(table), 2) + 1.2), constrained_layout=True)
    if table.empty:
        _note(ax, "no cluster named by TomTom (q < 0.05)")
    else:
        ax.barh([f"{n} (cl. {c})" for c, n in zip(table["cluster"], table["name"])], table["percent_sequences"],
                color="tab:purple")
        ax.set_xlabel("% of interpreted sequences with the motif")
    ax.set_title("Clusters named by TomTom against JASPAR 2020", fontsize=9)
    return fig, table


def _pie(ax, shares: pd.DataFrame, title: str):
    from ..motifs.groups import OUTSIDE

    if shares.empty:
        _note(ax, "no trusted sequence")
        return pd.DataFrame()
    sl = shares.groupby("slice", sort=False)["percent"].sum()
    order = [s for s in sl.index if s != OUTSIDE] + ([OUTSIDE] if OUTSIDE in sl.index else [])
    sl = sl[order]
    plt = _plt()
    colors = list(plt.get_cmap("BuPu")(np.linspace(0.85, 0.3, max(len(sl), 1))))
    if OUTSIDE in sl.index:
        colors[-1] = (0.85, 0.85, 0.85, 1)
    explode = [0.12 if s == OUTSIDE else 0 for s in sl.index]
    ax.pie(sl.to_numpy(), labels=[f"{s}\n{v:.0f}%" for s, v in sl.items()], colors=colors, explode=explode,
           startangle=90, counterclock=False, textprops={"fontsize": 8}, wedgeprops={"lw": 0.5, "ec": "w"})
    ax.set_title(title, fontsize=9)
    return sl.rename("percent").reset_index()


def fig_group_pie(groups: pd.DataFrame, n_trusted: int, title: str = "DeepAllele"):
    """Fig 2c: where the main variants of trusted sequences fall (TF-like groups, other, outside)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 4.4), constrained_layout=True)
    n_in_pie = int(groups["n"].sum()) if len(groups) else 0
    t = _pie(ax, groups, f"{title}: main variants of {n_in_pie} trusted sequences"
                         + (f" (of {n_trusted}; {n_trusted - n_in_pie} without a main variant)" if n_in_pie < n_trusted else ""))
    return fig, groups.assign(n_trusted=n_trusted) if len(t) else groups


def fig_group_effects(main: pd.DataFrame):
    """An extra panel (not the paper's Fig 2d, which is the ATAC pie): |main-variant effect| per TF-like group
    (trusted sequences)."""
    plt = _plt()
    t = main[main["trusted"].astype(bool)].copy()
    named = [n if n else f"cluster {c}" for n, c in zip(t["motif_name"].fillna(""), t["cluster"])]
    t["group"] = np.where(t["in_motif"].astype(bool), named, "Outside")
    t["abs_effect"] = t["effect"].abs()
    order = t.groupby("group")["abs_effect"].size().sort_values(ascending=False).index.tolist()
    fig, ax = plt.subplots(figsize=(max(4, 0.8 * len(order) + 2), 3.8), constrained_layout=True)
    if t.empty:
        _note(ax, "no trusted sequence")
    else:
        data = [t.loc[t["group"] == g, "abs_effect"].to_numpy() for g in order]
        ax.boxplot(data, showfliers=False)
        for i, d in enumerate(data):
            ax.scatter(np.full(len(d), i + 1) + np.linspace(-0.15, 0.15, len(d)), d, s=6, c="tab:purple", alpha=0.6)
        ax.set_xticks(np.arange(1, len(order) + 1), [f"{g}\n(n={len(d)})" for g, d in zip(order, data)], fontsize=8)
        ax.set_ylabel("|main-variant effect| (ln ratio)")
    ax.set_title("Main-variant effect size by TF-like group (trusted)", fontsize=9)
    return fig, t[["peak", "main_variant", "group", "effect", "abs_effect"]]


def fig_locus(peak: str, attr: np.ndarray, x: np.ndarray, variants: pd.DataFrame, seqlets: pd.DataFrame,
              labels: dict, main_variant: str = "", obs: float = float("nan"), pred: float = float("nan")):
    """Fig 2a/b: attribution logos of both alleles with framed, named motifs and the variant-effect track.

    Parameters
    ----------
    attr, x : numpy.ndarray
        ``(2, 4, L)`` attributions and one-hot of the pair.
    variants : pandas.DataFrame
        The pair's variants with ``effect`` (``ref_pos, alt_pos, ref_edit, alt_edit, id``).
    seqlets : pandas.DataFrame
        The pair's seqlets with ``allele, start, end, cluster``.
    labels : dict
        Cluster -> name drawn on the frames.
    """
    plt = _plt()
    from matplotlib.patches import Rectangle

    length = int((x.sum(1) > 0).sum(1).max())
    fig, axes = plt.subplots(3, 1, figsize=(min(16, 2 + length / 22), 5.6), sharex=True, constrained_layout=True,
                             gridspec_kw={"height_ratios": [2, 2, 1.2]})
    lim = np.abs(attr * x).max() * 1.15 or 1.0
    for a in (0, 1):
        ax = axes[a]
        _logo(ax, (attr[a] * x[a])[:, :length])
        ax.set_ylim(-lim, lim)
        ax.set_ylabel(f"{ALLELE_NAMES[a]} allele\nattribution", fontsize=8)
        for s in seqlets[seqlets["allele"] == a].itertuples(index=False):
            ax.add_patch(Rectangle((s.start - 0.5, -lim * 0.95), s.end - s.start + 1, 1.9 * lim, fill=False,
                                   ec="tab:orange", lw=1))
            ax.text(s.start - 0.5, lim * 0.97, labels.get(s.cluster, f"cl. {s.cluster}"), fontsize=7, va="top",
                    color="tab:orange")
        pos_col = "ref_pos" if a == 0 else "alt_pos"
        for v in variants.itertuples(index=False):
            ax.axvline(getattr(v, pos_col), color="tab:red" if v.id == main_variant else "0.7", lw=0.6, ls=":")
    ax = axes[2]
    eff = variants["effect"].to_numpy(float)
    colors = ["tab:red" if i == main_variant else "0.5" for i in variants["id"]]
    ax.bar(variants["ref_pos"], eff, width=1.5, color=colors)
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set_ylabel("variant effect\n(ln ratio)", fontsize=8)
    ax.set_xlabel("position in the reference allele (variant track; logos in each allele's own coordinates)",
                  fontsize=8)
    fig.suptitle(f"{peak}: observed ln ratio {obs:.2f}, predicted {pred:.2f}; main variant {main_variant}", fontsize=9)
    table = variants[["id", "kind", "ref_pos", "alt_pos", "effect"]].assign(peak=peak, main=variants["id"] == main_variant)
    return fig, table


def fig_model_comparison(peak: str, attr_da: np.ndarray, attr_base: np.ndarray, x: np.ndarray,
                         seqlets_da: pd.DataFrame, seqlets_base: pd.DataFrame, base_name: str):
    """Fig 3a: attributions of DeepAllele (ratio) and a single-input baseline (count) of one pair, with cluster ids."""
    plt = _plt()
    from matplotlib.patches import Rectangle

    length = int((x.sum(1) > 0).sum(1).max())
    fig, axes = plt.subplots(4, 1, figsize=(min(16, 2 + length / 22), 7), sharex=True, constrained_layout=True)
    rows = []
    for k, (name, attr, sq) in enumerate((("DeepAllele", attr_da, seqlets_da), (base_name, attr_base, seqlets_base))):
        for a in (0, 1):
            ax = axes[2 * k + a]
            m = (attr[a] * x[a])[:, :length]
            _logo(ax, m)
            lim = np.abs(m).max() * 1.15 or 1.0
            ax.set_ylim(-lim, lim)
            ax.set_ylabel(f"{name}\n{ALLELE_NAMES[a]}", fontsize=8)
            for s in sq[sq["allele"] == a].itertuples(index=False):
                ax.add_patch(Rectangle((s.start - 0.5, -lim * 0.95), s.end - s.start + 1, 1.9 * lim, fill=False,
                                       ec="tab:orange", lw=1))
                ax.text(s.start - 0.5, lim * 0.97, f"cl. {s.cluster}", fontsize=7, va="top", color="tab:orange")
                rows.append({"peak": peak, "model": name, "allele": ALLELE_NAMES[a], "start": s.start, "end": s.end,
                             "cluster": s.cluster})
    axes[-1].set_xlabel("position in each allele")
    fig.suptitle(f"{peak}: DeepAllele (ratio TISM) vs {base_name} (count TISM), joint cluster ids", fontsize=9)
    return fig, pd.DataFrame(rows, columns=["peak", "model", "allele", "start", "end", "cluster"])


def fig_joint_pies(groups: pd.DataFrame, n_trusted: int, base_name: str):
    """Fig 3b: main variants of DeepAllele in motifs of each model (joint clustering)."""
    plt = _plt()
    models = list(dict.fromkeys(groups["model"]))
    fig, axes = plt.subplots(1, max(len(models), 1), figsize=(5.2 * max(len(models), 1), 4.4), constrained_layout=True,
                             squeeze=False)
    for ax, m in zip(axes.flat, models):
        _pie(ax, groups[groups["model"] == m], f"{'DeepAllele' if m == 'deepallele' else base_name} seqlets "
                                               f"({n_trusted} trusted)")
    if not models:
        _note(axes.flat[0], "no baseline trained")
    return fig, groups


def fig_cluster_effects(main: pd.DataFrame, labels: dict, seqlets: pd.DataFrame | None = None,
                        split: str = "seqlet"):
    """Fig S5: per affected cluster, % of trusted main variants, split by the direction of effect.

    Parameters
    ----------
    main : pandas.DataFrame
        ``interpret/main_variants.tsv`` (``trusted, in_motif, cluster, seqlet, effect``).
    labels : dict
        Cluster id -> TF-like group name.
    seqlets : pandas.DataFrame, optional
        The seqlet table of the clustering (``seqlet, mean_attr``); needed for ``split="seqlet"``.
    split : {"seqlet", "variant"}
        ``seqlet`` (the authors' ``affected_cluster_percentages``): by the sign of the affected
        seqlet's mean attribution, i.e. an activating or a repressive motif; ``variant``: by
        the sign of the main variant's effect on the ln ratio.

    Returns
    -------
    fig, table
        The table has both splits (``percent_positive/negative`` = the plotted one, plus
        ``percent_seqlet_*`` and ``percent_variant_*``) and ``n`` per cluster; percentages are
        of all trusted sequences.
    """
    if split not in ("seqlet", "variant"):
        raise ValueError(f"split must be 'seqlet' or 'variant', not {split!r}")
    if split == "seqlet" and seqlets is None:
        raise ValueError("split='seqlet' needs the seqlet table (seqlet, mean_attr)")
    plt = _plt()
    t = main[main["trusted"].astype(bool) & main["in_motif"].astype(bool)].copy()
    n = max(int(main["trusted"].astype(bool).sum()), 1)
    if seqlets is not None:
        t["seqlet_effect"] = t["seqlet"].map(dict(zip(seqlets["seqlet"].astype(str), seqlets["mean_attr"])))
    else:
        t["seqlet_effect"] = np.nan
    rows = []
    for c, g in t.groupby("cluster"):
        rows.append({"cluster": c, "name": labels.get(c, ""),
                     "percent_seqlet_positive": 100 * (g["seqlet_effect"] > 0).sum() / n,
                     "percent_seqlet_negative": 100 * (g["seqlet_effect"] < 0).sum() / n,
                     "percent_variant_positive": 100 * (g["effect"] > 0).sum() / n,
                     "percent_variant_negative": 100 * (g["effect"] < 0).sum() / n, "n": len(g)})
    table = pd.DataFrame(rows, columns=["cluster", "name", "percent_seqlet_positive", "percent_seqlet_negative",
                                        "percent_variant_positive", "percent_variant_negative", "n"])
    table.insert(2, "percent_positive", table[f"percent_{split}_positive"])
    table.insert(3, "percent_negative", table[f"percent_{split}_negative"])
    table = table.sort_values("n", ascending=True, kind="stable")
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * max(len(table), 2) + 1.3), constrained_layout=True)
    if table.empty:
        _note(ax, "no trusted main variant in a motif")
    else:
        y = [f"{nm or 'unnamed'} (cl. {c})" for c, nm in zip(table["cluster"], table["name"])]
        if split == "seqlet":
            pos, neg = "activating motif (seqlet mean attribution > 0)", "repressive motif (< 0)"
        else:
            pos, neg = "effect > 0 (ref allele up)", "effect < 0 (alt allele up)"
        ax.barh(y, table["percent_positive"], color="tab:red", label=pos)
        ax.barh(y, -table["percent_negative"], color="tab:blue", label=neg)
        ax.axvline(0, color="0.4", lw=0.6)
        ax.set_xlabel("% of trusted sequences (negative side: " + neg.split(" (")[0] + ")")
        ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title("Affected clusters, split by the sign of the " +
                 ("affected seqlet's mean attribution" if split == "seqlet" else "main variant's effect"), fontsize=9)
    return fig, table


def fig_joint_effects(joint_main: pd.DataFrame, joint_seqlets: pd.DataFrame, base_name: str, base_model: str):
    """Fig S6b: seqlet effect sizes of the two models at the same main variants.

    For every sequence whose DeepAllele main variant lies in a seqlet of DeepAllele and in a
    seqlet of the single-input model (joint clustering), the two seqlets' mean attributions.

    Parameters
    ----------
    joint_main : pandas.DataFrame
        ``interpret/joint/main_variants.tsv`` (``model, peak, main_variant, in_motif, seqlet,
        cluster, trusted``).
    joint_seqlets : pandas.DataFrame
        ``motifs/joint/clusters.tsv`` (``model, seqlet, mean_attr``).
    base_name, base_model : str
        Display name and model key of the single-input model.

    Returns
    -------
    fig, table
        One row per such sequence: ``peak, main_variant, trusted, cluster_deepallele,
        cluster_<base>, mean_attr_deepallele, mean_attr_<base>``.
    """
    plt = _plt()
    effect = {(m, str(q)): a for m, q, a in joint_seqlets[["model", "seqlet", "mean_attr"]].itertuples(index=False)}
    sides = {}
    for model in ("deepallele", base_model):
        t = joint_main[(joint_main["model"] == model) & joint_main["in_motif"].astype(bool)]
        sides[model] = t.set_index("peak")[["main_variant", "trusted", "cluster", "seqlet"]]
    both = sides["deepallele"].merge(sides[base_model], how="inner", left_index=True, right_index=True,
                                      suffixes=("_da", "_base"))
    table = pd.DataFrame({
        "peak": both.index.astype(str), "main_variant": both["main_variant_da"].to_numpy(),
        "trusted": both["trusted_da"].astype(bool).to_numpy(),
        "cluster_deepallele": both["cluster_da"].to_numpy(), f"cluster_{base_model}": both["cluster_base"].to_numpy(),
        "mean_attr_deepallele": [effect.get(("deepallele", str(q)), np.nan) for q in both["seqlet_da"]],
        f"mean_attr_{base_model}": [effect.get((base_model, str(q)), np.nan) for q in both["seqlet_base"]],
    })
    fig, ax = plt.subplots(figsize=(4.8, 4.4), constrained_layout=True)
    if table.empty:
        _note(ax, f"no main variant in a seqlet of both DeepAllele and {base_name}")
    else:
        tr = table["trusted"].to_numpy()
        x, y = table[f"mean_attr_{base_model}"], table["mean_attr_deepallele"]
        ax.scatter(x[~tr], y[~tr], s=10, c="0.65", lw=0, label="other")
        ax.scatter(x[tr], y[tr], s=14, c="tab:purple", lw=0, label=f"trusted ({int(tr.sum())})")
        lim = float(np.nanmax(np.abs(np.r_[x, y]))) * 1.05 or 1.0
        ax.plot([-lim, lim], [-lim, lim], color="0.5", lw=0.6, ls="--")
        ax.set_xlabel(f"{base_name} seqlet mean attribution")
        ax.set_ylabel("DeepAllele seqlet mean attribution")
        ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"Seqlets of both models at the same main variant ({len(table)} sequences)", fontsize=9)
    return fig, table


def fig_joint_clusters(summary: pd.DataFrame, names: dict, base_name: str, n_max: int = 20):
    """Fig S6: seqlets of DeepAllele and the baseline in each of the largest joint clusters."""
    plt = _plt()
    cols = [c for c in summary.columns if c.startswith("n_") and c != "n_seqlets"]
    top = summary.sort_values("n_seqlets", ascending=False, kind="stable").head(n_max)
    table = top[["cluster", "n_seqlets", *cols]].copy()
    table["name"] = [names.get(c, "") for c in table["cluster"]]
    fig, ax = plt.subplots(figsize=(7, 0.32 * max(len(top), 2) + 1.3), constrained_layout=True)
    if top.empty or len(cols) < 2:
        _note(ax, "no joint clustering (no baseline trained)")
        return fig, table
    y = [f"{nm or 'unnamed'} (cl. {c})" for c, nm in zip(table["cluster"], table["name"])][::-1]
    left = np.zeros(len(top))
    for col, color in zip(cols, ("tab:purple", "tab:green", "tab:gray")):
        v = table[col].to_numpy()[::-1]
        ax.barh(y, v, left=left, color=color, label="DeepAllele" if col == "n_deepallele" else base_name)
        left += v
    ax.set_xlabel("seqlets in the joint cluster")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("Joint clustering of DeepAllele and baseline seqlets", fontsize=9)
    return fig, table
