"""Snakemake wrapper: the simulation stage's validation table (deepallele.validation.simulation)."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.simulate.run import genome_params
from deepallele.simulate.truth_motifs import primary_truth_matches
from deepallele.validation.simulation import simulation_metrics

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    log.info("true contributions of the primary factor's sites, TomTom against %s", sm.input.jaspar)
    primary_truth = primary_truth_matches(sm.params.sim, sm.input.jaspar)
    summary = pd.read_csv(sm.input.summary, sep="\t").set_index("metric")["value"].to_dict()
    table = simulation_metrics(pd.read_csv(sm.input.regions, sep="\t"), pd.read_csv(sm.input.variants, sep="\t"),
                               pd.read_csv(sm.input.reads, sep="\t"), summary, sm.params.sim,
                               genome_params(sm.params.genome), primary_truth)
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
