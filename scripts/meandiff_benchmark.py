"""Snakemake wrapper: time the MeanDiff scan on random pairs of the paper's size (8 380 x 551 bp)."""
from deepallele.logutil import job_logging
from deepallele.motifs.jaspar import read_meme
from deepallele.motifs.meandiff.benchmark import benchmark_scan

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    table = benchmark_scan(read_meme(sm.input.meme), n_pairs=p.n_pairs, length=p.length, threads=sm.threads)
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
