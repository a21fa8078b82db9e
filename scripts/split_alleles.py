"""Snakemake wrapper: filter, assign and lift one sample's read pairs into allele BAMs."""
from deepallele.logutil import job_logging
from deepallele.reads.alleles import split_alleles

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    out = sm.output
    summary = split_alleles(sm.input.ref, sm.input.strain, sm.input.chain,
                            {"ref": out.ref, "alt": out.alt, "ref_only": out.ref_only, "alt_only": out.alt_only},
                            min_mapq=sm.params.min_mapq, exclude=sm.params.exclude, seed=sm.params.seed,
                            threads=sm.threads, summary_json=out.summary, tie_key=sm.params.tie_key, sort=False)
    log.info("%s", summary)
