"""How many affected sequences MeanDiff and DeepAllele each explain (``meandiff/comparison.tsv``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .effects import DIRECTIONS

#: columns of the per-sequence main-variant table written by the interpretation stage
MAIN_VARIANT_COLUMNS = ("peak", "in_motif", "motif_name")


def read_main_variants(path: str | Path) -> pd.DataFrame:
    """Read the interpretation stage's per-sequence main variants.

    Expected file (``results/<dataset>/interpret/main_variants.tsv``): one row per interpreted
    sequence with at least ``peak`` (str), ``in_motif`` (bool: the main variant lies in a named
    motif) and ``motif_name`` (str, empty when outside).

    Parameters
    ----------
    path : str or pathlib.Path
        The TSV.

    Returns
    -------
    pandas.DataFrame
        The table, ``in_motif`` as bool (true/false, 1/0, yes/no, empty = false).

    Raises
    ------
    ValueError
        Missing columns or a duplicated peak (the message names the file).
    """
    path = Path(path)
    table = pd.read_csv(path, sep="\t", dtype={"peak": str, "motif_name": str}, keep_default_na=False)
    missing = [c for c in MAIN_VARIANT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(MAIN_VARIANT_COLUMNS)}")
    if table["peak"].duplicated().any():
        raise ValueError(f"{path}: duplicated peak(s) {table.loc[table['peak'].duplicated(), 'peak'].head().tolist()}")
    as_bool = table["in_motif"].astype(str).str.strip().str.lower().map(
        {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False})
    if as_bool.isna().any():
        bad = table.loc[as_bool.isna(), "in_motif"].head().tolist()
        raise ValueError(f"{path}: in_motif must be true/false, got {bad}")
    table["in_motif"] = as_bool.astype(bool)
    return table


def compare_with_deepallele(effects: pd.DataFrame, main_variants: pd.DataFrame | None) -> pd.DataFrame:
    """How many affected sequences each method explains.

    MeanDiff explains an affected sequence when a significant motif changes in the same
    direction as the ratio (``direction == "Same direction"``); DeepAllele explains it when its
    main variant lies in a named motif (``in_motif``). Affected sequences absent from
    ``main_variants`` count as not explained by DeepAllele.

    Parameters
    ----------
    effects : pandas.DataFrame
        :func:`~deepallele.motifs.meandiff.effects.sequence_effects` output.
    main_variants : pandas.DataFrame or None
        :func:`read_main_variants` output; ``None`` when the interpretation stage has not run
        (DeepAllele rows then say ``not available``).

    Returns
    -------
    pandas.DataFrame
        ``category, n, percent, status``: rows ``affected``, ``meandiff_explains``,
        ``deepallele_explains`` (main variant in a motif), ``deepallele_explains_tf_named`` (in a
        motif that TomTom named after a TF, i.e. ``motif_name`` not empty and not ``cluster <k>``),
        ``both``, ``deepallele_only``, ``meandiff_only``, ``neither``; percentages of the affected
        sequences.
    """
    aff = effects[effects["affected"]]
    total = len(aff)
    md = (aff["direction"] == DIRECTIONS[0]).to_numpy()
    pct = (lambda k: 100.0 * k / total if total else np.nan)
    rows = [("affected", total, 100.0 if total else np.nan, "ok"),
            ("meandiff_explains", int(md.sum()), pct(md.sum()), "ok")]
    if main_variants is None:
        for cat in ("deepallele_explains", "deepallele_explains_tf_named", "both", "deepallele_only", "meandiff_only",
                    "neither"):
            rows.append((cat, np.nan, np.nan, "not available"))
    else:
        in_motif = dict(zip(main_variants["peak"], main_variants["in_motif"]))
        names = dict(zip(main_variants["peak"], main_variants["motif_name"].fillna("").astype(str)))
        da = np.array([bool(in_motif.get(p, False)) for p in aff["peak"]], dtype=bool)
        # the interpretation stage names a motif "cluster <k>" when TomTom found no TF for it
        tf_named = da & np.array([bool(names.get(p, "")) and not names.get(p, "").startswith("cluster")
                                  for p in aff["peak"]], dtype=bool)
        n_covered = int(aff["peak"].isin(main_variants["peak"]).sum())
        status = "ok" if n_covered == total else f"ok ({n_covered} of {total} affected sequences interpreted)"
        for cat, mask in (("deepallele_explains", da), ("deepallele_explains_tf_named", tf_named),
                          ("both", da & md), ("deepallele_only", da & ~md), ("meandiff_only", ~da & md),
                          ("neither", ~da & ~md)):
            rows.append((cat, int(mask.sum()), pct(mask.sum()), status))
    return pd.DataFrame(rows, columns=["category", "n", "percent", "status"])
