"""Snakemake wrapper: build the strain pseudogenome and its coordinate map (chain)."""
import json

import pysam

from deepallele.genome.pseudogenome import build_pseudogenome
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    # VCF contigs the FASTA lacks mean the two files belong to different assemblies: stop
    # before writing anything, naming both files.
    with pysam.FastaFile(sm.input.reference) as fa, pysam.VariantFile(sm.input.vcf) as vf:
        fasta_contigs = set(fa.references)
        # contigs that carry records: from the tabix index when there is one (cheap)
        used = set(vf.index) if vf.index is not None else {rec.chrom for rec in vf}
        missing = sorted(c for c in used if c not in fasta_contigs)
    if missing:
        raise ValueError(f"{sm.input.vcf}: contigs {missing[:10]}{' ...' if len(missing) > 10 else ''} "
                         f"are not in {sm.input.reference} (different assembly or naming, e.g. '1' vs 'chr1')")
    summary = build_pseudogenome(sm.input.reference, sm.input.vcf, sm.output.fasta, sm.output.chain,
                                 sample=sm.params.sample, report=sm.output.report, summary=sm.output.summary)
    log.info("%s", json.dumps(summary))
