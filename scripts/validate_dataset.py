"""Snakemake wrapper: validation of a paired-allele dataset against the simulator's truth."""
from deepallele.logutil import job_logging
from deepallele.validation.datasets import dataset_metrics

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    table = dataset_metrics(sm.input.h5, sm.input.reference, sm.input.vcf,
                            truth_strain_fasta=sm.input.truth_strain, truth_regions=sm.input.truth_regions,
                            truth_variants=sm.input.truth_variants, counts=sm.input.counts)
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
