"""Validation of the MeanDiff stage against the simulator's planted motif grammar
(``results/<dataset>/validation/meandiff.tsv``).

The tests, per-sequence effects and TomTom look-alikes it reads come from
:mod:`deepallele.motifs.meandiff`; the goals are the ``meandiff`` table's in ``goals.yaml``.
Goals decided here (``judge: module``): ``planted_motifs_significant_names`` (every planted
motif is significant) and ``top_motif`` (the top motif is planted or a TomTom look-alike of a
planted one).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..motifs.meandiff import DIRECTIONS, direction_summary
from .table import validation_table


def planted_database_motifs(sim_params: dict, motifs: dict, database: str = "the database") -> tuple[list[str], tuple]:
    """The database motifs a simulated dataset planted, and the factors no database motif fits.

    Each factor is named by its truth name (:func:`deepallele.simulate.planted_motifs.truth_names`:
    its own name, or TomTom's name for a matrix planted from outside the database), spelled as
    the database spells it (the simulator looks motifs up case-insensitively).

    Parameters
    ----------
    sim_params : dict
        The dataset's simulation parameters (:func:`deepallele.simulate.run.dataset_params`).
    motifs : dict
        The scanning database, name -> PFM (:func:`deepallele.motifs.jaspar.read_meme`).
    database : str
        The database's file, for error messages.

    Returns
    -------
    planted : list of str
        Database names of the planted factors, in the grammar's order (a name once).
    not_in_database : tuple of str
        Factors planted off-database whose truth name is not a database motif (a de-novo factor).

    Raises
    ------
    ValueError
        When a factor planted from its own database matrix is not in ``motifs`` (the config and
        the database disagree).
    """
    from ..simulate.planted_motifs import truth_names
    from ..simulate.run import dataset_grammar

    grammar = dataset_grammar(sim_params)
    names = truth_names(grammar, motifs)
    by_upper = {name.upper(): name for name in motifs}
    missing = [f for f, gm in grammar.motifs.items() if gm.source == "jaspar" and names[f].upper() not in by_upper]
    if missing:
        raise ValueError(f"{database}: planted motif(s) {missing} are not in the database")
    planted = list(dict.fromkeys(by_upper[n.upper()] for n in names.values() if n.upper() in by_upper))
    return planted, tuple(f for f, n in names.items() if n.upper() not in by_upper)


def validate_meandiff(tests: pd.DataFrame, planted: list[str], similar: dict[str, str],
                      method: str = "meandiff", similar_max_p: float = 1e-2, effects: pd.DataFrame | None = None,
                      suffix: str = "", not_in_database: tuple[str, ...] = ()) -> pd.DataFrame:
    """The MeanDiff stage against the simulator's grammar (the ``meandiff`` validation table).

    Parameters
    ----------
    tests : pandas.DataFrame
        :func:`deepallele.motifs.meandiff.motif_tests` output.
    planted : list of str
        Database motifs the simulator's grammar planted: each factor by its truth name
        (:func:`deepallele.simulate.planted_motifs.truth_names`; a factor's own name unless it
        is planted from a matrix outside the database).
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
    not_in_database : tuple of str
        Planted factors whose matrix no database motif fits (a de-novo factor): no database scan
        can find them, so they are not in ``planted`` and are listed in a context row
        ``planted_not_in_database`` (absent when there are none).
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
    changed = {}
    if {"n_pos", "n_neg"} <= set(tests.columns):
        changed = dict(zip(tests["motif"], tests["n_pos"] + tests["n_neg"]))
    n_planted_above = sum(r < first_unrelated for r in planted_ranks)
    rows = [
        {"metric": "planted_motifs_significant", "value": len(planted_sig) / len(planted) if planted else np.nan,
         "n": len(planted), "successes": len(planted_sig)},
        {"metric": "planted_motifs_significant_names", "value": ";".join(planted_sig),
         "met": len(planted_sig) == len(planted)},
        {"metric": "planted_motif_ranks", "value": ";".join(f"{m}:{r}" for m, r in zip(planted, planted_ranks))},
        {"metric": "first_unrelated_rank", "value": first_unrelated},
        {"metric": "planted_ranked_above_unrelated", "value": n_planted_above / len(planted) if planted else np.nan,
         "n": len(planted), "successes": n_planted_above},
        {"metric": "planted_motif_sequences_changed",
         "value": ";".join(f"{m}:{changed.get(m, 0)}" for m in planted)},
        {"metric": "unplanted_motifs_significant", "value": len(unplanted)},
        {"metric": "unplanted_similar_significant", "value": len(lookalike)},
        {"metric": "unplanted_unrelated_significant", "value": len(unrelated)},
        {"metric": "unplanted_unrelated_names", "value": ";".join(unrelated[:30])},
        {"metric": "significant_motifs", "value": len(sig)},
        {"metric": "top_motif", "value": top, "met": top in planted or top in similar},
        {"metric": "top_motif_planted_or_similar", "value": bool(top in planted or top in similar)},
    ]
    if effects is not None:
        summary = direction_summary(effects).set_index("direction")
        rows = [{"metric": "n_sequences", "value": len(effects)},
                {"metric": "n_affected", "value": int(effects["affected"].sum())},
                *rows,
                {"metric": "affected_same_direction_percent",
                 "value": round(float(summary.loc[DIRECTIONS[0], "percent"]), 2),
                 "n": int(summary["n"].sum()), "successes": int(summary.loc[DIRECTIONS[0], "n"])}]
    if not_in_database:
        rows.append({"metric": "planted_not_in_database", "value": ";".join(not_in_database)})
    table = validation_table("meandiff", rows, {"planted": ", ".join(planted), "similar_max_p": similar_max_p})
    table["metric"] = table["metric"] + suffix
    return table
