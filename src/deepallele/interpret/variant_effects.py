"""Variant effects by swapping each variant between the alleles (reference-spec §3.2).

For every variant of a pair (from the dataset's exact variant map, no re-alignment), the
variant is put into each allele in turn, the other allele held fixed:

* ``delta_ref`` = ratio(reference allele carrying the strain version, strain allele) - ratio(pair);
* ``delta_alt`` = ratio(reference allele, strain allele carrying the reference version) - ratio(pair);
* ``effect = -(delta_ref + delta_alt) / 2``: the variant's contribution to ln(ref/alt), positive
  when the reference version raises the reference allele's signal (the simulator's convention).

The main variant of a sequence is its variant with the largest |effect|; the additive
prediction is the sum of all its variants' effects.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..alphabet import PAD_CODE, encode, one_hot
from .readout import RATIO_COLUMN, PairReadout


def replace_edit(codes: np.ndarray, pos: int, old_len: int, new: str) -> np.ndarray:
    """One allele's codes ``(L,)`` (right-padded) with ``old_len`` bases at ``pos`` replaced by ``new``.

    The result is cut or right-padded back to ``L``; ``new`` is coded by
    :func:`deepallele.alphabet.encode` (a letter that is no base, N or IUPAC code is an error).
    """
    length = len(codes)
    seq = codes[codes != PAD_CODE] if (codes == PAD_CODE).any() else codes
    seq = np.concatenate([seq[:pos], encode(str(new), name=f"edit {new!r}"), seq[pos + old_len:]])[:length]
    out = np.full(length, PAD_CODE, dtype=np.uint8)
    out[:len(seq)] = seq
    return out


def swapped_alleles(codes: np.ndarray, variants: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each variant, its pair's reference allele with the strain edit and strain allele with the reference edit.

    Parameters
    ----------
    codes : numpy.ndarray
        ``(N, 2, L)`` uint8 codes of the pairs.
    variants : pandas.DataFrame
        Complete variants (``peak_index, ref_pos, alt_pos, ref_edit, alt_edit``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``(V, L)`` codes of the modified reference alleles and of the modified strain alleles.
    """
    ref_mut = np.empty((len(variants), codes.shape[-1]), dtype=np.uint8)
    alt_mut = np.empty_like(ref_mut)
    for k, v in enumerate(variants.itertuples(index=False)):
        ref_edit, alt_edit = str(v.ref_edit or ""), str(v.alt_edit or "")
        ref_mut[k] = replace_edit(codes[v.peak_index, 0], int(v.ref_pos), len(ref_edit), alt_edit)
        alt_mut[k] = replace_edit(codes[v.peak_index, 1], int(v.alt_pos), len(alt_edit), ref_edit)
    return ref_mut, alt_mut


@torch.inference_mode()
def variant_effects(model: nn.Module, codes: np.ndarray, variants: pd.DataFrame, batch_size: int = 256,
                    device: str | torch.device | None = None) -> pd.DataFrame:
    """Effect of every complete variant on the predicted ln ratio.

    Parameters
    ----------
    model : torch.nn.Module
        Pair model or single-input baseline (its ratio = pred(ref) - pred(alt)).
    codes : numpy.ndarray
        ``(N, 2, L)`` uint8 codes (``pairs.h5`` ``ref_codes``/``alt_codes`` stacked).
    variants : pandas.DataFrame
        The ``pairs.h5`` variant table (rows with ``complete`` False get NaN effects).
    batch_size : int
        Sequences per forward pass.
    device : str or torch.device, optional
        Where to compute.

    Returns
    -------
    pandas.DataFrame
        The variant rows with ``pred_ratio`` (the pair's prediction), ``delta_ref``, ``delta_alt``
        and ``effect`` added.
    """
    rd = PairReadout(model)
    dev = torch.device(device) if device is not None else next(rd.parameters()).device
    rd = rd.to(dev)
    out = variants.reset_index(drop=True).copy()
    for col in ("pred_ratio", "delta_ref", "delta_alt", "effect"):
        out[col] = np.nan
    ok = out["complete"].astype(bool).to_numpy()
    sel = out[ok]
    if sel.empty:
        return out
    rows = np.unique(sel["peak_index"].to_numpy())
    row_of = {r: i for i, r in enumerate(rows)}

    def embed(c: np.ndarray) -> torch.Tensor:
        parts = [rd.encode(one_hot(torch.from_numpy(c[i:i + batch_size]).to(dev))) for i in range(0, len(c), batch_size)]
        return torch.cat(parts)

    e_ref, e_alt = embed(codes[rows, 0]), embed(codes[rows, 1])
    base = rd.readout(e_ref, e_alt)[:, RATIO_COLUMN]
    ref_mut, alt_mut = swapped_alleles(codes, sel)
    k = torch.tensor([row_of[r] for r in sel["peak_index"].to_numpy()], device=dev)
    r_ref = rd.readout(embed(ref_mut), e_alt[k])[:, RATIO_COLUMN]
    r_alt = rd.readout(e_ref[k], embed(alt_mut))[:, RATIO_COLUMN]
    d_ref, d_alt = (r_ref - base[k]).double().cpu().numpy(), (r_alt - base[k]).double().cpu().numpy()
    out.loc[ok, "pred_ratio"] = base[k].double().cpu().numpy()
    out.loc[ok, "delta_ref"] = d_ref
    out.loc[ok, "delta_alt"] = d_alt
    out.loc[ok, "effect"] = -(d_ref + d_alt) / 2
    return out


def mean_effects(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean ``effect`` (and ``pred_ratio``) over seeds of per-seed :func:`variant_effects` tables.

    Raises
    ------
    ValueError
        When the tables list different variants.
    """
    if not tables:
        raise ValueError("no variant-effect tables given")
    key = ["peak_index", "id"]
    base = tables[0].drop(columns=["pred_ratio", "delta_ref", "delta_alt", "effect"]).copy()
    effects, preds = [], []
    for i, t in enumerate(tables):
        if len(t) != len(base) or not (t[key].to_numpy() == base[key].to_numpy()).all():
            raise ValueError(f"variant-effect table {i} lists different variants than table 0")
        effects.append(t["effect"].to_numpy(dtype=np.float64))
        preds.append(t["pred_ratio"].to_numpy(dtype=np.float64))
    e = np.stack(effects)
    base["effect"] = e.mean(0)
    base["effect_sd"] = e.std(0, ddof=1) if len(e) > 1 else 0.0
    base["pred_ratio"] = np.stack(preds).mean(0)
    base["n_seeds"] = len(e)
    return base


def main_variants(effects: pd.DataFrame, peaks) -> pd.DataFrame:
    """Main variant (largest |effect|) and additive sum of effects of each peak.

    Parameters
    ----------
    effects : pandas.DataFrame
        :func:`variant_effects` or :func:`mean_effects` output.
    peaks : array-like of str
        Peak names indexed by ``peak_index``.

    Returns
    -------
    pandas.DataFrame
        One row per peak with at least one scored variant: ``peak_index, peak, main_variant,
        effect, kind, ref_pos, alt_pos, ref_edit, alt_edit, n_variants, additive``.
    """
    e = effects[np.isfinite(effects["effect"].to_numpy(dtype=float))].copy()
    if e.empty:
        return pd.DataFrame(columns=["peak_index", "peak", "main_variant", "effect", "kind", "ref_pos", "alt_pos",
                                     "ref_edit", "alt_edit", "n_variants", "additive"])
    e["abs_effect"] = e["effect"].abs()
    # stable tie-break: the first variant by position among equal |effect|
    idx = e.sort_values(["peak_index", "abs_effect"], ascending=[True, False], kind="stable") \
        .groupby("peak_index", sort=True).head(1)
    agg = e.groupby("peak_index").agg(n_variants=("effect", "size"), additive=("effect", "sum"))
    out = idx.set_index("peak_index").join(agg).reset_index()
    out["peak"] = np.asarray(peaks, dtype=object)[out["peak_index"].to_numpy()]
    out = out.rename(columns={"id": "main_variant"})
    return out[["peak_index", "peak", "main_variant", "effect", "kind", "ref_pos", "alt_pos", "ref_edit", "alt_edit",
                "n_variants", "additive"]].reset_index(drop=True)


def read_variant_table(path) -> pd.DataFrame:
    """A variant-effect or main-variant TSV of the interpretation stage, edits as text.

    An empty edit (one side of an indel) is read as ``""``, not NaN, and ``peak`` stays text.

    Parameters
    ----------
    path : str or pathlib.Path
        :func:`variant_effects` / :func:`mean_effects` / :func:`main_variants` output as TSV.

    Returns
    -------
    pandas.DataFrame
    """
    table = pd.read_csv(path, sep="\t", dtype={"peak": str}, keep_default_na=False, na_values=[""])
    for col in ("ref_edit", "alt_edit"):
        table[col] = table[col].fillna("").astype(str)
    return table


def seed_main_variants(tables: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Variant effects averaged over seeds, and each sequence's main variant (rule interpret_main_variants).

    Parameters
    ----------
    tables : list of pandas.DataFrame
        One model's :func:`variant_effects` table of each seed (the same variants).

    Returns
    -------
    effects : pandas.DataFrame
        :func:`mean_effects` of the tables.
    main : pandas.DataFrame
        :func:`main_variants` of the mean effects, plus ``pred_ratio``: the model's mean
        predicted ln ratio of the pair.
    """
    effects = mean_effects(tables)
    peaks = dict(zip(effects["peak_index"], effects["peak"]))
    n = int(effects["peak_index"].max()) + 1 if len(effects) else 0
    main = main_variants(effects, [peaks.get(i, "") for i in range(n)])
    pred = effects.groupby("peak_index")["pred_ratio"].first()
    main["pred_ratio"] = main["peak_index"].map(pred)
    return effects, main
