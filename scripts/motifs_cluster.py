"""Snakemake wrapper: cluster the seqlets of one or more models jointly; cluster CWMs and PFMs."""
import numpy as np
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.motifs.cluster import cluster_seqlets, cwm_to_pfm
from deepallele.motifs.jaspar import write_meme
from deepallele.motifs.seqlets import pool_seqlet_sets

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    table, cwms, flanked, flank = pool_seqlet_sets(zip(sm.params.models, sm.input.seqlets, sm.input.cwms))
    log.info("clustering %d seqlets of %s; cluster CWMs from %s", len(table), ", ".join(sm.params.models),
             "the significant spans" if flank is None else f"the spans +- {flank} bp")
    labels, cluster_cwms, summary = cluster_seqlets(cwms, threshold=sm.params.threshold,
                                                    min_overlap=sm.params.min_overlap,
                                                    memory_mb=sm.params.memory_mb, log=log,
                                                    flanked=flanked, flank=flank or 0)
    table["cluster"] = labels
    table.to_csv(sm.output.clusters, sep="\t", index=False, float_format="%.6g")
    for model in sm.params.models:
        summary[f"n_{model}"] = [int(((labels == c) & (table["model"] == model)).sum()) for c in summary["cluster"]]
    summary["informative"] = [bool(np.ptp(cluster_cwms[c]) > 0) for c in summary["cluster"]]
    summary["named"] = (summary["n_seqlets"] >= sm.params.min_seqlets) & summary["informative"]
    summary.to_csv(sm.output.summary, sep="\t", index=False)
    np.savez_compressed(sm.output.cwms, **{f"cluster{c}": m for c, m in cluster_cwms.items()})
    big = summary.loc[summary["named"], "cluster"].tolist()
    write_meme({f"cluster{c}": cwm_to_pfm(cluster_cwms[c]) for c in big}, sm.output.pfms,
               nsites={f"cluster{c}": int(n) for c, n in zip(summary["cluster"], summary["n_seqlets"])})
    log.info("%d clusters; %d with >= %d seqlets go to TomTom", len(summary), len(big), sm.params.min_seqlets)
