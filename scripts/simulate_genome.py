"""Snakemake wrapper: simulate one genome (reference, strain VCF, planted regions)."""
from deepallele.logutil import job_logging
from deepallele.simulate.run import genome_params, simulate_genome

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    g = sm.params.genome
    simulate_genome(sm.wildcards.genome, genome_params(g["simulate"]), sm.params.datasets, sm.params.outdir,
                    reference_name=g.get("reference_name", "B6"), strain_name=g.get("strain_name", "CAST"))
