"""Snakemake wrapper: cluster the seqlets of one or more models jointly; cluster CWMs and PFMs."""
from deepallele.logutil import job_logging
from deepallele.motifs.cluster import cluster_model_seqlets, write_clusters

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p, out = sm.params, sm.output
    table, summary, cwms = cluster_model_seqlets(list(p.models), list(sm.input.seqlets), list(sm.input.cwms),
                                                 threshold=p.threshold, min_overlap=p.min_overlap,
                                                 memory_mb=p.memory_mb, min_seqlets=p.min_seqlets, log=log)
    named = write_clusters(table, summary, cwms, out.clusters, out.summary, out.cwms, out.pfms)
    log.info("%d clusters; %d with >= %d seqlets go to TomTom", len(summary), len(named), p.min_seqlets)
