"""Validation of the MeanDiff stage against the simulator's planted motif grammar
(``results/<dataset>/validation/meandiff.tsv``).

Part of the validation wing (see ``[tool.importlinter]`` in pyproject.toml): it builds on
:mod:`deepallele.validation.table`, which the motif stage itself never imports. The tests,
per-sequence effects and TomTom look-alikes it reads come from :mod:`deepallele.motifs.meandiff`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation.table import validation_table
from .meandiff import DIRECTIONS, direction_summary


def validate_meandiff(tests: pd.DataFrame, planted: list[str], similar: dict[str, str],
                      method: str = "meandiff", similar_max_p: float = 1e-2, effects: pd.DataFrame | None = None,
                      suffix: str = "") -> pd.DataFrame:
    """The MeanDiff stage against the simulator's grammar (``metric, value, goal, n``).

    Parameters
    ----------
    tests : pandas.DataFrame
        :func:`deepallele.motifs.meandiff.motif_tests` output.
    planted : list of str
        Motifs planted by the simulator's grammar.
    similar : dict of str to str
        :func:`deepallele.motifs.meandiff.similar_to` output (unplanted motifs that resemble a planted one).
    method : str
        Which method's significance is validated.
    similar_max_p : float
        The TomTom threshold behind ``similar`` (quoted in the goal column).
    effects : pandas.DataFrame, optional
        :func:`deepallele.motifs.meandiff.sequence_effects` of the same scan: adds the number of sequences, of affected
        sequences and the percentage of affected sequences whose motif change agrees.
    suffix : str
        Appended to every metric name (e.g. ``"_all_peaks"`` for a second sequence set).
    """
    sig = set(tests.loc[tests[f"significant_{method}"], "motif"])
    planted_sig = [m for m in planted if m in sig]
    unplanted = sorted(sig - set(planted))
    lookalike = [m for m in unplanted if m in similar]
    unrelated = [m for m in unplanted if m not in similar]
    top = str(tests.iloc[0]["motif"]) if len(tests) else ""
    ranks = tests.set_index("motif")["rank"]
    planted_ranks = [int(ranks[m]) for m in planted if m in ranks.index]
    # JASPAR's families of near-identical motifs tie with the planted one, so "at the top" is
    # judged by where the first motif unlike every planted one comes: above it, only planted
    # motifs and their look-alikes
    related = set(planted) | set(similar)
    unrelated_ranks = [int(r) for m, r in ranks.items() if m not in related]
    first_unrelated = min(unrelated_ranks) if unrelated_ranks else (int(ranks.max()) + 1 if len(ranks) else 1)
    planted_above = (sum(r < first_unrelated for r in planted_ranks) / len(planted)) if planted else np.nan
    changed = {}
    if {"n_pos", "n_neg"} <= set(tests.columns):
        changed = dict(zip(tests["motif"], tests["n_pos"] + tests["n_neg"]))
    rows = [
        ("planted_motifs_significant", len(planted_sig) / len(planted) if planted else np.nan,
         f"1.0: every planted motif ({', '.join(planted)}) significant at q < 0.05", len(planted)),
        ("planted_motifs_significant_names", ";".join(planted_sig), "all planted motifs"),
        ("planted_motif_ranks", ";".join(f"{m}:{r}" for m, r in zip(planted, planted_ranks)),
         "planted motifs (or look-alikes) at the top of the ranking"),
        ("first_unrelated_rank", first_unrelated,
         "rank of the best motif unlike every planted one (TomTom p > " f"{similar_max_p:g}); "
         "every motif ranked above it is planted or a look-alike"),
        ("planted_ranked_above_unrelated", planted_above,
         "1.0: every planted motif ranks above the first unrelated motif (planted families at the top)",
         len(planted)),
        ("planted_motif_sequences_changed", ";".join(f"{m}:{changed.get(m, 0)}" for m in planted),
         "sequences whose motif score differs between alleles (delta != 0): the test's power"),
        ("unplanted_motifs_significant", len(unplanted),
         "reported, not a pass/fail: JASPAR has families of near-identical motifs (SPIB/EHF/ELF* for SPI1), "
         "which rightly come out with the planted motif; see the two split counts below"),
        ("unplanted_similar_significant", len(lookalike),
         f"look-alikes of a planted motif (TomTom p <= {similar_max_p:g}); expected to be significant"),
        ("unplanted_unrelated_significant", len(unrelated),
         "motifs unlike any planted one; false discoveries, should be few (BH controls their share at 5%)"),
        ("unplanted_unrelated_names", ";".join(unrelated[:30]), "few"),
        ("significant_motifs", len(sig), "-"),
        ("top_motif", top, "a planted motif or a TomTom look-alike of one"),
        ("top_motif_planted_or_similar", bool(top in planted or top in similar), "True"),
    ]
    if effects is not None:
        summary = direction_summary(effects).set_index("direction")
        rows = [("n_sequences", len(effects), "-"),
                ("n_affected", int(effects["affected"].sum()), "enough for power (the paper: 1 016 of 8 380)"),
                *rows,
                ("affected_same_direction_percent", round(float(summary.loc[DIRECTIONS[0], "percent"]), 2),
                 "high: planted causal variants sit in motifs (the paper's PU.1 data: 56.9%)",
                 int(effects["affected"].sum()))]
    table = validation_table({"metric": r[0], "value": r[1], "goal": r[2], "n": r[3] if len(r) > 3 else None}
                             for r in rows)
    table["metric"] = table["metric"] + suffix
    return table
