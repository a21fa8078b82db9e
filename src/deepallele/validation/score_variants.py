"""score-variants against the simulator's true variant effects (``results/<dataset>/validation/score_variants.tsv``).

Two VCFs of a simulated dataset are scored by every seed of DeepAllele and of a single-input
baseline: the strain VCF, and ``new_snvs``, random new SNVs inside planted motif sites of the
held-out chromosomes that no model has seen (:mod:`deepallele.simulate.new_snvs`). Each scored
allele is matched to its truth by its id (``chrom:POS:REF:ALT``): ``truth/variants.tsv`` for the
strain VCF, ``truth/new_snvs.tsv`` for the new SNVs. The truth's ``effect`` is the variant's
contribution to ln(ref/alt) of the planted activity model (the convention of score-variants'
``effect_mean``); for a new SNV, the change of the reference window's planted log-activity when
that base alone changes.

Rows (:mod:`deepallele.validation.table`, with the key column ``model``; goals in
``goals.yaml``, fixed before any result was seen), over variants on the held-out chromosomes (the
``test`` split; ``val`` under the paper's scheme) whose |true effect| exceeds ``min_true_effect``:

* ``pearson``: Pearson r of ``effect_mean`` and the true effect (goal >= 0.6 for the model,
  decided from 20 variants);
* ``sign_agreement``: fraction with the sign of the true effect (goal >= 0.9, from 20 variants);
* ``pearson_all`` (context): Pearson r over every held-out variant with a true effect;
* ``frac_in_peak_window`` (context): of the selected variants, those scored in a peak's window.

The baseline's rows carry the same numbers beside the model's, as context. The
strain VCF's rows carry these metric names; those of another VCF are prefixed with its name
(``new_snvs_pearson``, ...), with the same goals (:func:`score_variant_tables`).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from .table import share_row, validation_table

def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def held_out_label(scores: pd.DataFrame) -> str:
    """``test`` when the scores have test rows, else ``val`` (the paper's scheme reports on val)."""
    return "test" if (scores["split"] == "test").any() else "val"


def score_variant_metrics(scores: dict[str, pd.DataFrame], truth: pd.DataFrame, model: str,
                          min_true_effect: float = 0.2) -> pd.DataFrame:
    """The ``score_variants`` validation table of one VCF.

    Parameters
    ----------
    scores : dict of str to pandas.DataFrame
        Model type -> its score-variants TSV of the strain VCF (``id, split, status, window,
        effect_mean``).
    truth : pandas.DataFrame
        The simulator's ``truth/variants.tsv`` (``variant_id, effect``).
    model : str
        The model the goals apply to (the others are context).
    min_true_effect : float
        The selection: variants whose |true effect| exceeds this.

    Returns
    -------
    pandas.DataFrame
        A :mod:`deepallele.validation.table` table with the key column ``model``.
    """
    true = truth.drop_duplicates("variant_id").set_index("variant_id")["effect"].astype(float)
    rows = []
    for name, s in scores.items():
        label = held_out_label(s)
        s = s[(s["status"] == "scored") & (s["split"] == label) & s["id"].isin(true.index)]
        t = true[s["id"]].to_numpy()
        p = s["effect_mean"].to_numpy(dtype=float)
        big = np.abs(t) > min_true_effect
        # the goals apply to the model; the baseline's numbers stand beside them as context
        role = "" if name == model else " (baseline)"
        fields = {"where": f"{label} chromosomes, |true effect| > {min_true_effect}", "split": label}
        rows += [
            {"metric": "pearson", "model": name, "value": round(_pearson(p[big], t[big]), 4), "n": int(big.sum()),
             "goal_key": f"pearson{role}", "fields": fields},
            share_row("sign_agreement", np.sign(p[big]) == np.sign(t[big]), 4, model=name,
                      goal_key=f"sign_agreement{role}", fields=fields),
            {"metric": "pearson_all", "model": name, "value": round(_pearson(p, t), 4), "n": len(t), "fields": fields},
            share_row("frac_in_peak_window", s["window"].to_numpy()[big] == "peak", 4, model=name),
        ]
    return validation_table("score_variants", rows, keys=["model"])


def score_variant_tables(per_vcf: dict[str, tuple[dict[str, pd.DataFrame], pd.DataFrame]], model: str,
                         min_true_effect: float = 0.2) -> pd.DataFrame:
    """The validation table of several VCFs, one block of :func:`score_variant_metrics` rows each.

    Parameters
    ----------
    per_vcf : dict
        VCF name -> (model type -> its score-variants TSV of that VCF, the VCF's truth table
        ``variant_id, effect``), in the order of the table. The rows of ``strain`` keep the metric
        names of :func:`score_variant_metrics`; those of any other VCF are prefixed ``<name>_``.
    model, min_true_effect
        As :func:`score_variant_metrics` (the same goals for every VCF).

    Returns
    -------
    pandas.DataFrame
        A :mod:`deepallele.validation.table` table with the key column ``model``.
    """
    blocks = []
    for name, (scores, truth) in per_vcf.items():
        t = score_variant_metrics(scores, truth, model, min_true_effect)
        if name != "strain":
            t["metric"] = f"{name}_" + t["metric"]
        blocks.append(t)
    return pd.concat(blocks, ignore_index=True)
