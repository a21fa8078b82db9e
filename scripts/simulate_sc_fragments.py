"""Snakemake wrapper: draw a simulated scATAC dataset's cells, fragments, barcodes and truth."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.simulate.scatac import simulate_sc_fragments

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    stats = simulate_sc_fragments(sm.wildcards.dataset, sm.params.sim, Path(sm.input.fasta).parent, sm.params.outdir)
    log.info("%s", stats)
