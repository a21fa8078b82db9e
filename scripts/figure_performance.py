"""Snakemake wrapper: Fig 1c,d, Fig S2 (Spearman; direct vs DeepAllele) and training curves of a dataset."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.models.evaluate import parse_runs
from deepallele.plots import performance as pf

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    ds = sm.wildcards.dataset
    table = pd.read_csv(sm.input.table, sep="\t")
    pf.fig1c_counts(table, sm.output.fig1c[0], dataset=ds)
    pf.fig1d_ratio(table, sm.output.fig1d[0], dataset=ds)
    pf.figS2_spearman(table, sm.output.spearman[0], dataset=ds)
    pf.figS2_direct(table, sm.output.direct[0], dataset=ds)
    runs = parse_runs(sm.params.runs)
    pf.training_curves(pf.read_training_logs(dict(zip(runs, sm.input.histories))), sm.output.curves[0], dataset=ds)
    log.info("figures of %s written", ds)
