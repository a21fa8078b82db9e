"""Snakemake wrapper: MeanDiff results against the simulator's planted motif grammar."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.motifs.jaspar import read_meme
from deepallele.motifs.meandiff import similar_to
from deepallele.validation.motifs import planted_database_motifs, validate_meandiff

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    motifs = read_meme(sm.input.meme)
    planted, not_in_database = planted_database_motifs(p.sim, motifs, sm.input.meme)
    if not_in_database:
        log.info("planted from matrices no database motif fits: %s", ", ".join(not_in_database))
    similar = similar_to(motifs, planted, p.similar_max_p)
    log.info("%d motifs TomTom-similar (p <= %g) to the planted %s", len(similar), p.similar_max_p, planted)
    tables = []
    # the configured split (what Fig S7 shows), then every peak (power check)
    for tests_file, seqs_file, suffix in ((sm.input.tests, sm.input.sequences, ""),
                                          (sm.input.tests_all, sm.input.sequences_all, "_all_peaks")):
        tests = pd.read_csv(tests_file, sep="\t", keep_default_na=False, na_values=[""])
        effects = pd.read_csv(seqs_file, sep="\t", keep_default_na=False, na_values=[""],
                              dtype={"peak": str, "direction": str})
        tables.append(validate_meandiff(tests, planted, similar, p.method, p.similar_max_p, effects, suffix,
                                        not_in_database))
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
