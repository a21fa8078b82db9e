"""Snakemake wrapper: sequence one lane of a simulated scATAC dataset (10x I1, R1, R2, R3)."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.simulate.scatac import write_sc_unit_fastqs

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    n = write_sc_unit_fastqs(sm.wildcards.dataset, sm.wildcards.unit, sm.params.sim, Path(sm.input.fasta).parent,
                             sm.params.outdir)
    log.info("wrote %d read pairs", n)
