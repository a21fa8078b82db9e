"""Snakemake wrapper: main variants of the trusted sequences in motifs, TF-like groups and their shares."""
import numpy as np
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.motifs.groups import tf_like_groups, trusted_group_shares, variants_in_seqlets

sm = snakemake  # noqa: F821 (injected by Snakemake)


def read(path):
    return pd.read_csv(path, sep="\t", dtype={"peak": str}, keep_default_na=False, na_values=[""])


with job_logging(sm.log[0]) as log:
    trusted = read(sm.input.trusted)
    clusters = read(sm.input.clusters)
    summary = read(sm.input.summary)
    matches = read(sm.input.tomtom)
    main_da = read(sm.input.main[0])
    for col in ("ref_edit", "alt_edit"):
        main_da[col] = main_da[col].fillna("").astype(str)
    trusted_peaks = set(trusted.loc[trusted["trusted"].astype(bool), "peak"])
    n_trusted = len(trusted_peaks)
    out, share_tables, all_labels = [], [], {}
    # the paper's Fig 3b/S6: DeepAllele's main variants, located in each model's seqlets
    for model in sm.params.models:
        s = clusters[clusters["model"] == model]
        located = variants_in_seqlets(main_da, s)
        located["trusted"] = located["peak"].isin(trusted_peaks)
        tr = located[located["trusted"]]
        if sm.params.mode == "paper":
            weights = dict(zip(summary["cluster"], summary["n_seqlets"]))
        else:
            pct = tr.loc[tr["in_motif"], "cluster"].value_counts() / max(len(tr), 1) * 100
            weights = pct.to_dict()
        affected = set(tr.loc[tr["in_motif"], "cluster"])
        labels = tf_like_groups(matches, {c: w for c, w in weights.items() if c in affected}, mode=sm.params.mode,
                                q_threshold=sm.params.q)
        all_labels.update({(model, c): g for c, g in labels.items()})
        # sequences that are not trusted may fall in clusters no trusted main variant hits: those
        # clusters get their TF-like label from the same grouping over every cluster
        others = tf_like_groups(matches, weights if sm.params.mode == "paper" else
                                {c: 1.0 for c in summary["cluster"]}, mode=sm.params.mode, q_threshold=sm.params.q)
        # motif_name: the TF-like group, empty outside motifs and for clusters without a JASPAR match
        located["motif_name"] = [labels.get(c, others.get(c, "")) if inm else ""
                                 for inm, c in zip(located["in_motif"], located["cluster"])]
        located["in_named_motif"] = located["motif_name"] != ""
        located.insert(0, "model", model)
        out.append(located)
        # the pie's denominator: trusted sequences that can enter a slice (with a main variant)
        shares, n_excluded = trusted_group_shares(located, trusted_peaks, labels, min_share=sm.params.min_share)
        if n_excluded:
            log.info("%s: %d of %d trusted sequences have no main variant (every variant cut by the window) "
                     "and are left out of the pie", model, n_excluded, n_trusted)
        shares.insert(0, "model", model)
        share_tables.append(shares)
        log.info("%s: %d/%d trusted main variants in a motif; groups: %s", model, int(tr["in_motif"].sum()), len(tr),
                 ", ".join(f"{g} {p:.1f}%" for g, p in zip(shares["group"], shares["percent"])))
    pd.concat(out, ignore_index=True).to_csv(sm.output.main, sep="\t", index=False, float_format="%.6g")
    pd.concat(share_tables, ignore_index=True).to_csv(sm.output.groups, sep="\t", index=False, float_format="%.6g")
    pd.DataFrame([(m, c, g) for (m, c), g in all_labels.items()], columns=["model", "cluster", "group"]).to_csv(
        sm.output.labels, sep="\t", index=False)
