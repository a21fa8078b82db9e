"""Per sequence, the predicted motif effect and the direction class (Fig S7c-f; step 4).

Over the significant motifs of one method: the predicted motif effect is ``delta * sign(effect)``
of the motif with the largest ``|delta|``; the direction of an affected sequence is the largest
``sign(ratio) * delta * sign(effect)``: > 0 "Same direction", < 0 "Opposite direction", 0 "No
motif change"; no significant motif hit in either allele: "No motif hit". (The authors' notebook
uses ``sign(ratio) * delta``, which is the same for activating motifs; with ``sign(effect)`` a
repressive motif counts the right way.)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .scan import Scan
from .significance import AFFECTED_LN_RATIO, effect_column

DIRECTIONS = ("Same direction", "Opposite direction", "No motif change", "No motif hit")


def sequence_effects(scan: Scan, tests: pd.DataFrame, method: str = "meandiff",
                     affected_cutoff: float = AFFECTED_LN_RATIO) -> pd.DataFrame:
    """Per sequence, the predicted motif effect and the direction class (Fig S7c-f).

    Parameters
    ----------
    scan : Scan
        FIMO results, ``M`` motifs x ``N`` sequences.
    tests : pandas.DataFrame
        :func:`~deepallele.motifs.meandiff.significance.motif_tests` output.
    method : {"meandiff", "correlation", "maggie"}
        Whose significant motifs count.
    affected_cutoff : float
        |ln ratio| at or above which a sequence is affected.

    Returns
    -------
    pandas.DataFrame
        ``N`` rows: ``peak, ratio, affected, n_sig_motifs_hit, top_motif, predicted_effect,
        best_agreement, best_agreement_motif, direction``: ``predicted_effect`` = ``delta *
        sign(effect)`` of the significant motif with the largest |delta| (NaN: no significant
        motif hit); ``best_agreement`` = max over those motifs of ``sign(ratio) * delta *
        sign(effect)``; ``direction`` one of :data:`DIRECTIONS` for affected sequences, empty
        otherwise.
    """
    col = effect_column(method)
    sig = tests[tests[f"significant_{method}"]]
    index = {m: i for i, m in enumerate(scan.motifs)}
    rows = np.array([index[m] for m in sig["motif"]], dtype=np.int64)
    sign = np.sign(sig[col].to_numpy(dtype=np.float64))
    n = len(scan.peak)
    ratio = scan.ratio
    affected = np.abs(ratio) >= affected_cutoff
    out = pd.DataFrame({"peak": scan.peak, "ratio": ratio, "affected": affected})
    if rows.size == 0:
        out["n_sig_motifs_hit"] = 0
        out["top_motif"] = ""
        out["predicted_effect"] = np.nan
        out["best_agreement"] = np.nan
        out["best_agreement_motif"] = ""
    else:
        signed = scan.delta[rows] * sign[:, None]  # (S, N), NaN where no hit
        hit = np.isfinite(signed)
        any_hit = hit.any(axis=0)
        names = sig["motif"].to_numpy(dtype=object)
        strongest = np.argmax(np.where(hit, np.abs(signed), -1.0), axis=0)
        agreement = np.sign(ratio)[None, :] * signed
        best = np.argmax(np.where(hit, agreement, -np.inf), axis=0)
        cols = np.arange(n)
        out["n_sig_motifs_hit"] = hit.sum(axis=0)
        out["top_motif"] = np.where(any_hit, names[strongest], "")
        out["predicted_effect"] = np.where(any_hit, signed[strongest, cols], np.nan)
        out["best_agreement"] = np.where(any_hit, agreement[best, cols], np.nan)
        out["best_agreement_motif"] = np.where(any_hit, names[best], "")
    b = out["best_agreement"].to_numpy()
    direction = np.select([~np.isfinite(b), b > 0, b < 0], [DIRECTIONS[3], DIRECTIONS[0], DIRECTIONS[1]],
                          default=DIRECTIONS[2])
    out["direction"] = np.where(affected, direction, "")
    return out


def direction_summary(effects: pd.DataFrame) -> pd.DataFrame:
    """Counts and percentages of the direction classes among affected sequences.

    Parameters
    ----------
    effects : pandas.DataFrame
        :func:`sequence_effects` output (``affected``, ``direction``).

    Returns
    -------
    pandas.DataFrame
        ``direction, n, percent`` in :data:`DIRECTIONS` order (all four rows, zeros included).
    """
    aff = effects[effects["affected"]]
    counts = aff["direction"].value_counts().reindex(list(DIRECTIONS), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({"direction": list(DIRECTIONS), "n": counts.to_numpy(dtype=int),
                         "percent": 100.0 * counts.to_numpy() / total if total else np.zeros(len(DIRECTIONS))})
