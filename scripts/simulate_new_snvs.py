"""Snakemake wrapper: new SNVs inside one simulated dataset's planted motif sites, with their true effects."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.simulate.new_snvs import simulate_new_snvs

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    simulate_new_snvs(sm.wildcards.dataset, sm.params.sim, Path(sm.input.fasta).parent, sm.output.vcf,
                      sm.output.truth, n=sm.params.n, seed=sm.params.seed, split=sm.params.split)
