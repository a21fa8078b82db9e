"""Snakemake wrapper: FIMO over both alleles of the held-out sequences -> per-motif score sums."""
import numba

from deepallele.logutil import job_logging
from deepallele.motifs.jaspar import read_meme
from deepallele.motifs.meandiff.pairs import load_pair_set
from deepallele.motifs.meandiff.scan import scan_pairs, scan_threshold
from deepallele.motifs.meandiff.scan_io import write_scan

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    numba.set_num_threads(max(1, min(sm.threads, numba.config.NUMBA_NUM_THREADS)))
    pairs = load_pair_set(sm.input.h5, p.split)
    threshold = scan_threshold(pairs.length, p.fimo_alpha)
    log.info("%s: %d sequence pairs of split %r, L = %d, FIMO p < %.3g", sm.input.h5, len(pairs.ratio),
             pairs.split, pairs.length, threshold)
    scan = scan_pairs(read_meme(sm.input.meme), pairs, threshold, p.bin_size, p.eps)
    write_scan(scan, sm.output.scan)
