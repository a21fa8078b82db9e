"""Snakemake wrapper: validation table of the model stage (ratio gain over reference-only, count spread)."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.validation.models import model_validation

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    table = model_validation(pd.read_csv(sm.input.summary, sep="\t"))
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
