"""Snakemake wrapper: seqlets of one model from its seed-averaged attributions."""
from deepallele.interpret.data import attributed_pairs
from deepallele.logutil import job_logging
from deepallele.motifs.seqlets import extract_seqlets, save_cwms

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    attr, onehot, variants = attributed_pairs(sm.input.attr, sm.input.pairs)
    table, cwms, flanked = extract_seqlets(attr["attr"], onehot, attr["peak"], rows=attr["rows"], variants=variants,
                                           flip_alt=bool(p.flip_alt), cut=p.cut, max_gap=p.max_gap,
                                           min_size=p.min_size, flank=int(p.flank))
    table.to_csv(sm.output.table, sep="\t", index=False, float_format="%.6g")
    save_cwms(sm.output.cwms, table, cwms, flanked, int(p.flank))
    log.info("%d seqlets in %d sequences (%s attributions, %d seeds averaged)", len(table), len(attr["rows"]),
             attr["method"], len(sm.input.attr))
