"""Snakemake wrapper: TomTom (memelite) of the cluster PFMs against JASPAR; names at q < threshold."""
from deepallele.logutil import job_logging
from deepallele.motifs.jaspar import read_meme
from deepallele.motifs.tomtom import cluster_names_table, read_cluster_pfms, tomtom_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    queries, targets = read_cluster_pfms(sm.input.pfms), read_meme(sm.input.jaspar)
    table = tomtom_table(queries, targets)
    table.to_csv(sm.output.table, sep="\t", index=False, float_format="%.6g")
    names = cluster_names_table(table, sm.params.q)
    names.to_csv(sm.output.names, sep="\t", index=False)
    log.info("%d clusters against %d JASPAR motifs: %d named at q < %g", len(queries), len(targets), len(names),
             sm.params.q)
