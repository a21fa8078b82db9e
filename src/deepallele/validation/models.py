"""Validation of the model stage on a simulated dataset (``results/<dataset>/validation/model.tsv``).

The correlations it reads are :func:`deepallele.models.evaluate.summarize`'s; the goals are the
``model`` table's in ``goals.yaml``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..models.evaluate import report_split
from .table import validation_table

VALIDATION_MODELS = ("deepallele", "direct", "ref_only", "two_genome")


def model_validation(summary: pd.DataFrame, split: str | None = None) -> pd.DataFrame:
    """The ``model`` validation table of a simulated dataset.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`deepallele.models.evaluate.summarize` for one dataset.
    split : str, optional
        Split to read (default :func:`deepallele.models.evaluate.report_split`).

    Returns
    -------
    pandas.DataFrame
        :mod:`deepallele.validation.table` rows (n: sequences of the split):
        ``ratio_pearson_<model>`` for DeepAllele, the direct variant, reference-only and
        two-genome (NaN when not trained), ``ratio_gain_vs_ref_only`` (DeepAllele minus
        reference-only ratio Pearson) and ``count_pearson_spread`` (max - min of the mean count
        Pearson across models).
    """
    split = split or report_split(summary)
    s = summary[summary["split"] == split]

    def mean(model, target):
        v = s.loc[(s["model"] == model) & (s["target"] == target), "pearson_mean"]
        return float(v.iloc[0]) if len(v) else float("nan")

    def points(model, target="ratio"):
        """Sequences behind a model's Pearson (the split's size)."""
        v = s.loc[(s["model"] == model) & (s["target"] == target), "n"] if "n" in s else []
        return int(v.iloc[0]) if len(v) else None

    rows = [{"metric": f"ratio_pearson_{m}", "value": round(mean(m, "ratio"), 4), "n": points(m),
             "goal_key": "ratio_pearson_<model>"} for m in VALIDATION_MODELS]
    gain = mean("deepallele", "ratio") - mean("ref_only", "ratio")
    rows.append({"metric": "ratio_gain_vs_ref_only", "value": round(gain, 4), "n": points("deepallele")})
    counts = [mean(m, "count") for m in sorted(s["model"].unique())]
    counts = [c for c in counts if np.isfinite(c)]
    spread = max(counts) - min(counts) if counts else float("nan")
    rows.append({"metric": "count_pearson_spread", "value": round(spread, 4), "n": points("deepallele", "count")})
    return validation_table("model", rows, {"split": split})
