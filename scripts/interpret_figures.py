"""Snakemake wrapper: the interpretation figures of a dataset (Fig 2a-d, 3a/b, S3a-c, S4, S5, S6)."""
from itertools import combinations

import numpy as np
import pandas as pd

from deepallele.alphabet import one_hot
from deepallele.interpret.correlation import per_sequence_correlation
from deepallele.interpret.data import load_attributions, load_interpret_set, mean_attributions
from deepallele.logutil import job_logging
from deepallele.plots import save_figure
from deepallele.plots import interpretation as P

sm = snakemake  # noqa: F821 (injected by Snakemake)
inp, out = sm.input, sm.output


def read(path):
    return pd.read_csv(path, sep="\t", dtype={"peak": str, "motif_name": str, "name": str}, keep_default_na=False,
                       na_values=[""])


def target(stem):
    return next(str(p) for p in out if str(p).endswith(f"/{stem}.png"))


with job_logging(sm.log[0]) as log:
    trusted = read(inp.trusted)
    main = read(inp.main)
    main["motif_name"] = main["motif_name"].fillna("")
    da_main = main[main["model"] == "deepallele"].copy()
    names = dict(zip(*[read(inp.names)[c] for c in ("cluster", "name")])) if len(read(inp.names)) else {}
    cg = read(inp.cluster_groups)
    labels = {c: g for m, c, g in cg[["model", "cluster", "group"]].itertuples(index=False) if m == "deepallele"}
    n_trusted = int(trusted["trusted"].sum())

    # Fig S4
    thresholds = sm.config.get("interpretation", {}).get("trusted", {})
    fig, t = P.fig_observed_vs_predicted(trusted, thresholds.get("min_obs", 1.0), thresholds.get("min_z", 1.65))
    save_figure(fig, target("figS4ab_observed_predicted"), t)
    fig, t = P.fig_main_variant_additive(da_main)
    save_figure(fig, target("figS4_main_variant_additive"), t)

    # Fig S3a: attribution correlation between seeds
    data = load_interpret_set(inp.pairs, "all")
    attrs = [load_attributions(p) for p in inp.seed_attr]   # every seed (S3a), whichever seeds are analysed
    rows = attrs[0]["rows"]
    x = one_hot(data.codes[rows])
    corr = []
    for i, j in combinations(range(len(attrs)), 2):
        r = per_sequence_correlation(attrs[i]["attr"], attrs[j]["attr"], x)
        corr.append(pd.DataFrame({"seed_pair": f"{sm.params.seeds[i]}-{sm.params.seeds[j]}", "peak": attrs[0]["peak"],
                                  "r": r}))
    corr = pd.concat(corr, ignore_index=True) if corr else pd.DataFrame(columns=["seed_pair", "peak", "r"])
    fig, t = P.fig_seed_correlation(corr)
    save_figure(fig, target("figS3a_seed_correlation"), t)

    # Fig S3b/c
    summary = read(inp.summary)
    with np.load(inp.cwms) as f:
        cwms = {int(k.removeprefix("cluster")): f[k] for k in f.files}
    clusters = read(inp.clusters)
    fig, t = P.fig_cluster_logos(summary, cwms, names)
    save_figure(fig, target("figS3b_cluster_logos"), t)
    fig, t = P.fig_named_motifs(clusters, summary, names, len(rows))
    save_figure(fig, target("figS3c_named_motifs"), t)

    # Fig 2c/d, S5
    groups = read(inp.groups)
    fig, t = P.fig_group_pie(groups[groups["model"] == "deepallele"], n_trusted)
    save_figure(fig, target("fig2c_main_variant_groups"), t)
    fig, t = P.fig_group_effects(da_main)
    save_figure(fig, target("extra_group_effects"), t)
    fig, t = P.fig_cluster_effects(da_main, labels, seqlets=clusters, split="seqlet")
    save_figure(fig, target("figS5_cluster_effects"), t)

    # Fig 2a/b: configured loci first, then the trusted sequences with the largest main-variant effect
    mean = mean_attributions(list(inp.attr))
    effects = read(inp.effects)
    tr = da_main[da_main["trusted"].astype(bool)].copy()
    auto = tr.reindex(tr["effect"].abs().sort_values(ascending=False).index)["peak"].tolist()
    loci = [p for p in sm.params.loci if p in set(mean["peak"])] + [p for p in auto if p not in sm.params.loci]
    loci = loci[:max(2, len(sm.params.loci))]
    peak_pos = {p: i for i, p in enumerate(mean["peak"])}
    for stem, peak in zip(("fig2a_locus", "fig2b_locus"), loci + [None, None]):
        if peak is None:
            plt = P._plt()
            fig, ax = plt.subplots(figsize=(5, 2))
            P._note(ax, "no trusted sequence to draw")
            save_figure(fig, target(stem), pd.DataFrame(columns=["peak"]))
            continue
        k = peak_pos[peak]
        row = int(rows[k])
        mv = da_main[da_main["peak"] == peak].iloc[0]
        sq = clusters[(clusters["model"] == "deepallele") & (clusters["row"] == row)]
        v = effects[effects["peak_index"] == row]
        fig, t = P.fig_locus(peak, mean["attr"][k], x[k], v, sq, labels, mv["main_variant"],
                             float(trusted.set_index("peak").loc[peak, "obs_ratio"]), float(mv["pred_ratio"]))
        save_figure(fig, target(stem), t)
        log.info("%s: %s", stem, peak)

    # Fig 3a/b, S6 (joint clustering with the baseline)
    base = sm.params.baseline
    if base:
        jm = read(inp.joint_main)
        jg = read(inp.joint_groups)
        jc = read(inp.joint_clusters)
        jn = read(inp.joint_names)
        jnames = dict(zip(jn["cluster"], jn["name"])) if len(jn) else {}
        fig, t = P.fig_joint_pies(jg, n_trusted, base)
        save_figure(fig, target("fig3b_joint_groups"), t)
        fig, t = P.fig_joint_clusters(read(inp.joint_summary), jnames, base)
        save_figure(fig, target("figS6_joint_clusters"), t)
        fig, t = P.fig_joint_effects(jm, jc, base, base)
        save_figure(fig, target("figS6b_joint_effects"), t)
        # the trusted locus whose main variant is in a DeepAllele motif but in no baseline motif, else the first
        da_in = set(jm.loc[(jm["model"] == "deepallele") & jm["in_motif"] & jm["trusted"], "peak"])
        b_in = set(jm.loc[(jm["model"] == base) & jm["in_motif"] & jm["trusted"], "peak"])
        cand = [p for p in loci + auto if p in da_in - b_in] or loci
        battr = mean_attributions(list(inp.base_attr))
        if cand:
            k = peak_pos[cand[0]]
            row = int(rows[k])
            fig, t = P.fig_model_comparison(cand[0], mean["attr"][k], battr["attr"][k], x[k],
                                            jc[(jc["model"] == "deepallele") & (jc["row"] == row)],
                                            jc[(jc["model"] == base) & (jc["row"] == row)], base)
        else:
            plt = P._plt()
            fig, ax = plt.subplots(figsize=(5, 2))
            P._note(ax, "no trusted sequence to draw")
            t = pd.DataFrame(columns=["peak"])
        save_figure(fig, target("fig3a_tism_comparison"), t)
    else:
        for stem in ("fig3a_tism_comparison", "fig3b_joint_groups", "figS6_joint_clusters", "figS6b_joint_effects"):
            plt = P._plt()
            fig, ax = plt.subplots(figsize=(5, 2))
            P._note(ax, "no single-input baseline trained (config interpretation.baseline)")
            save_figure(fig, target(stem), pd.DataFrame(columns=["note"]))
