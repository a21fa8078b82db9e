"""Snakemake wrapper: validation of the read stages against the simulator's truth."""
from deepallele.logutil import job_logging
from deepallele.validation.reads import reads_metrics

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    table = reads_metrics(sm.input.truth_reads, sm.input.vcf,
                          {"ref": list(sm.input.ref_bams), "alt": list(sm.input.alt_bams)},
                          counts=sm.input.counts, truth_regions=sm.input.truth_regions,
                          strain_fasta=sm.input.strain, truth_strain_fasta=sm.input.truth_strain,
                          count_modes=sm.input.count_modes)
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
