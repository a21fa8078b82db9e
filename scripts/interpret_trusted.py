"""Snakemake wrapper: the trusted set from DeepAllele's predictions (mean over seeds) on the interpreted split."""
import pandas as pd

from deepallele.interpret.data import load_interpret_set
from deepallele.interpret.trusted import trusted_set
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    data = load_interpret_set(sm.input.pairs, sm.params.split)
    table = trusted_set([pd.read_csv(p, sep="\t") for p in sm.input.predictions], data.peak, data.rows,
                        sm.params.min_obs, sm.params.min_z)
    table.to_csv(sm.output.table, sep="\t", index=False, float_format="%.6g")
    log.info("%d of %d sequences trusted (|obs| > %g and |z| > %g, same sign)", table["trusted"].sum(), len(table),
             sm.params.min_obs, sm.params.min_z)
