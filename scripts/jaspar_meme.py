"""Snakemake wrapper: a JASPAR collection (pyjaspar, offline) as a MEME file."""
from deepallele.logutil import job_logging
from deepallele.motifs.jaspar import build_jaspar_meme, read_meme

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    build_jaspar_meme(sm.output.meme, release=p.release, collection=p.collection, tax_group=p.tax_group)
    log.info("%s: %d motifs (%s %s %s)", sm.output.meme, len(read_meme(sm.output.meme)), p.release,
             p.collection, p.tax_group)
