"""Snakemake wrapper: sequence one unit (lane) of a simulated dataset."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.simulate.run import write_unit_fastqs

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    n = write_unit_fastqs(sm.wildcards.dataset, sm.wildcards.unit, sm.params.sim, Path(sm.input.fasta).parent,
                          sm.input.reads, sm.output.fastq_1, sm.output.fastq_2)
    log.info("wrote %d read pairs", n)
