"""Snakemake wrapper: draw one simulated dataset's fragments, truth and sample sheet."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.simulate.run import simulate_fragments

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    simulate_fragments(sm.wildcards.dataset, sm.params.assay, sm.params.sim, Path(sm.input.fasta).parent,
                       sm.params.outdir)
