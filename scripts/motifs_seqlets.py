"""Snakemake wrapper: seqlets of one model from its seed-averaged attributions."""
import numpy as np

from deepallele.alphabet import one_hot
from deepallele.interpret.data import load_interpret_set, mean_attributions
from deepallele.logutil import job_logging
from deepallele.motifs.seqlets import extract_seqlets, save_cwms

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    attr = mean_attributions(list(sm.input.attr))
    data = load_interpret_set(sm.input.pairs, "all")
    rows = attr["rows"]
    onehot = one_hot(data.codes[rows])
    variants = data.variants[np.isin(data.variants["peak_index"], rows)]
    table, cwms, flanked = extract_seqlets(attr["attr"], onehot, attr["peak"], rows=rows, variants=variants,
                                           flip_alt=bool(sm.params.flip_alt), cut=sm.params.cut,
                                           max_gap=sm.params.max_gap, min_size=sm.params.min_size,
                                           flank=int(sm.params.flank))
    table.to_csv(sm.output.table, sep="\t", index=False, float_format="%.6g")
    save_cwms(sm.output.cwms, table, cwms, flanked, int(sm.params.flank))
    log.info("%d seqlets in %d sequences (%s attributions, %d seeds averaged)", len(table), len(rows), attr["method"],
             len(sm.input.attr))
