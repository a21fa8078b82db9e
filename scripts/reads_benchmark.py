"""Snakemake wrapper: throughput of the allele split vs bowtie2 on the same reads."""
from deepallele.logutil import job_logging
from deepallele.reads.benchmark import split_vs_bowtie2

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    n = len(sm.params.samples)
    table = split_vs_bowtie2(sm.wildcards.dataset, sm.params.samples,
                             [sm.input.bowtie2[2 * i:2 * i + 2] for i in range(n)], list(sm.input.split),
                             list(sm.input.summaries))
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
