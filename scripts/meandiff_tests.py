"""Snakemake wrapper: MeanDiff / correlation / MAGGIE-style tests per motif, and per-sequence effects."""
from deepallele.logutil import job_logging
from deepallele.motifs.meandiff.effects import sequence_effects
from deepallele.motifs.meandiff.scan_io import read_scan
from deepallele.motifs.meandiff.significance import motif_tests

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    scan = read_scan(sm.input.scan)
    tests = motif_tests(scan, alpha=p.alpha, affected_cutoff=p.affected, halve_p=p.halve_p)
    tests.to_csv(sm.output.tests, sep="\t", index=False, float_format="%.6g")
    sequence_effects(scan, tests, p.method, p.affected).to_csv(sm.output.sequences, sep="\t", index=False,
                                                               float_format="%.6g")
    for method in ("meandiff", "correlation", "maggie"):
        log.info("%s: %d significant motifs", method, int(tests[f"significant_{method}"].sum()))
    log.info("top motifs (MeanDiff): %s", ", ".join(tests["motif"].head(10)))
