"""Score the variants of any VCF with trained paired-allele models (``deepallele score-variants``).

For every ALT allele of every VCF record (multi-allelic records split, SNVs, MNVs and indels),
the model sees a *pair* built as the paper's variant ISM does: allele 0 is a reference window,
allele 1 the same window carrying the variant.

Windows (the dataset's rule, :mod:`deepallele.datasets.pairs`)
-------------------------------------------------------------
* ``window="dataset"`` (default): a variant whose minimal edit lies inside a peak's reference
  window of the dataset (``pairs.h5`` ``start``/``end``: ``W = window_length`` bp centred on the
  peak, clipped at contig ends) is scored in that window; among several, the one whose centre is
  nearest. An edit is inside when its reference span lies within the window, a pure insertion when
  its insertion point is strictly inside (as for the dataset's strain intervals).
* Variants outside every peak window (and all variants with ``window="variant"``, or without a
  ``pairs.h5``) are scored on a window of the same length centred on the edit
  (:func:`~deepallele.datasets.pairs.reference_windows` of the edit's span) and flagged
  ``window=variant`` in the outputs.
* The variant allele is the reference window with the minimal edit applied; longer than ``L``
  (net insertion) it is trimmed ``excess // 2`` bases on the left and the rest on the right, as the
  dataset's strain alleles. Both alleles are right-padded to ``L``. Encoding:
  :func:`deepallele.alphabet.encode` and :func:`~deepallele.alphabet.one_hot`.

Effect
------
With ``r(a, b)`` the model's ratio output (ln(allele 0 / allele 1)) of the pair ``(a, b)``, ``R``
the reference window and ``A`` the window carrying the variant::

    effect = r(R, A) - (r(R, R) + r(A, A)) / 2

the variant's contribution to ln(ref/alt), positive when the reference version gives the higher
signal (the simulator's and the interpretation stage's convention). It equals the
interpretation stage's swap effect (:func:`~deepallele.interpret.variant_effects.variant_effects`)
for a variant that is alone in its window; for a single-input baseline it is ``pred(R) - pred(A)``.
``context="strain"`` scores variants that the dataset already holds (same peak, complete edit)
exactly as the interpretation stage does, on the dataset's pair (strain background); every other
variant in reference context (column ``context``).

Null and z-score
----------------
For up to ``max_null`` windows, ``null_per_window`` random single-base substitutions at
positions of the window that no VCF record covers (and no N or padding) are scored the same way.
``z = (effect_mean - mean(null)) / sd(null)`` over the ensemble-mean null effects.

Outputs (both written to a temporary name and renamed; an error leaves neither)
--------------------------------------------------------------------------------
* TSV, one row per ALT allele in VCF order: :data:`TSV_COLUMNS` then ``effect_seed<k>`` per model
  (seed from its ``model.json``), ``effect_mean``, ``effect_sd`` (ddof 1), ``z``. ``status`` is
  ``scored`` or why the allele was not (``symbolic``, ``no_change``, ``too_long``).
* VCF: the input records with INFO ``DA_EFFECT``, ``DA_SD``, ``DA_Z``, ``DA_PEAK``, ``DA_WINDOW``
  (``Number=A``) and a ``##deepallele_score_variants`` header line (models, seeds, window rule,
  null). ``.vcf.gz`` is bgzipped.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import torch

from ..alphabet import N_CODE, encode, one_hot
from ..datasets.pairs import centre_trim, reference_windows
from ..datasets.split import assign_split
from ..genome.coordmap import trim_alleles, variant_kind
from .outputs import atomic_path, atomic_paths
from .readout import RATIO_COLUMN, PairReadout

log = logging.getLogger("deepallele.interpret.score_variants")

TSV_COLUMNS = ["chrom", "pos", "ref", "alt", "id", "kind", "status", "peak", "window", "window_start", "window_end",
               "split", "context"]
_KINDS = {"snp": "snp", "mnp": "mnp", "insertion": "ins", "deletion": "del", "complex": "complex", "none": "none"}
INFO_FIELDS = {
    "DA_EFFECT": ("Float", "Predicted effect of the ALT allele on ln(ref/alt) (DeepAllele variant ISM), mean over "
                           "model seeds; positive: the REF allele gives the higher signal"),
    "DA_SD": ("Float", "Standard deviation of DA_EFFECT over model seeds"),
    "DA_Z": ("Float", "DA_EFFECT as a z-score against random non-variant substitutions in the same windows"),
    "DA_PEAK": ("String", "Peak whose window the allele was scored in ('.' if none)"),
    "DA_WINDOW": ("String", "Window the allele was scored in: peak, or variant (centred on the variant)"),
}


class ScoreVariantsError(ValueError):
    """A problem with the inputs of score-variants (names the file)."""


# ----------------------------------------------------------------------------- reading the VCF
def read_variants(vcf: str | Path, fasta: str | Path, region: str | None = None) -> pd.DataFrame:
    """Every ALT allele of a VCF, checked against the reference FASTA.

    Parameters
    ----------
    vcf : str or pathlib.Path
        VCF/BCF, plain or bgzipped (an index is needed only with ``region``).
    fasta : str or pathlib.Path
        The reference FASTA the VCF is called against (indexed).
    region : str, optional
        ``chrom`` or ``chrom:start-end`` (1-based, inclusive) to read.

    Returns
    -------
    pandas.DataFrame
        One row per ALT allele, in file order: ``chrom, pos`` (1-based), ``ref, alt, id``
        (``chrom:pos:ref:alt``), ``record`` (0-based record number), ``allele`` (1-based ALT
        index), ``start`` (0-based start of the minimal edit), ``ref_edit, alt_edit``,
        ``kind`` (snp/mnp/ins/del/complex/none), ``status`` (``scored`` or the reason not).

    Raises
    ------
    ScoreVariantsError
        Unreadable VCF, no records, contigs missing from the FASTA (with the renaming hint),
        REF alleles that differ from the FASTA (the first few listed with the count).
    """
    vcf, fasta = Path(vcf), Path(fasta)
    rows = []
    try:
        vf = pysam.VariantFile(str(vcf))
    except (OSError, ValueError) as err:
        raise ScoreVariantsError(f"{vcf}: cannot read the VCF: {err}") from None
    with vf:
        if region is not None and vf.index is None:
            raise ScoreVariantsError(f"{vcf}: --region needs an index (tabix -p vcf {vcf})")
        try:
            records = vf.fetch(region=region) if region is not None else vf
            for k, rec in enumerate(records):
                alts = rec.alts or (".",)
                for a, alt in enumerate(alts, start=1):
                    rows.append((rec.chrom, rec.pos, rec.ref, alt, k, a))
        except (OSError, ValueError) as err:
            raise ScoreVariantsError(f"{vcf}: cannot read record {len(rows) + 1}: {err}") from None
    if not rows:
        raise ScoreVariantsError(f"{vcf}: no variant records{' in ' + region if region else ''}")
    table = pd.DataFrame(rows, columns=["chrom", "pos", "ref", "alt", "record", "allele"])
    table["chrom"] = table["chrom"].astype(str)
    try:
        fa = pysam.FastaFile(str(fasta))
    except (OSError, ValueError) as err:
        raise ScoreVariantsError(f"{fasta}: cannot open the reference FASTA: {err}") from None
    with fa:
        sizes = dict(zip(fa.references, fa.lengths))
        counts = table["chrom"].value_counts().to_dict()
        missing = [c for c in counts if c not in sizes]
        if missing:
            from ..genome.contigs import check_naming

            msgs = check_naming({c: counts[c] for c in counts}, sizes, f"VCF {vcf}", f"the reference FASTA {fasta}")
            raise ScoreVariantsError("; ".join(msgs) or f"{vcf}: contigs {missing} are not in {fasta}")
        bad = []
        for row in table.drop_duplicates("record").itertuples(index=False):
            end = row.pos - 1 + len(row.ref)
            found = fa.fetch(row.chrom, row.pos - 1, min(end, sizes[row.chrom])).upper()
            if end > sizes[row.chrom] or found != row.ref.upper():
                bad.append(f"{row.chrom}:{row.pos} REF {row.ref} (FASTA: {found or 'past the contig end'})")
        if bad:
            raise ScoreVariantsError(f"{vcf}: {len(bad)} record(s) whose REF differs from {fasta}: "
                                     f"{'; '.join(bad[:5])}{' ...' if len(bad) > 5 else ''} "
                                     "(VCF called against another assembly?)")
    table["id"] = [f"{c}:{p}:{r}:{a}" for c, p, r, a in zip(table["chrom"], table["pos"], table["ref"], table["alt"])]
    starts, ref_edits, alt_edits, kinds, status = [], [], [], [], []
    for r in table.itertuples(index=False):
        alt = str(r.alt)
        if alt in (".", "*") or alt.startswith("<") or "[" in alt or "]" in alt:
            starts.append(r.pos - 1)
            ref_edits.append("")
            alt_edits.append("")
            kinds.append("symbolic")
            status.append("symbolic")
            continue
        s, re_, ae = trim_alleles(r.pos - 1, r.ref, alt)
        starts.append(s)
        ref_edits.append(re_)
        alt_edits.append(ae)
        kind = _KINDS[variant_kind(r.ref, alt)]
        kinds.append(kind)
        status.append("no_change" if kind == "none" else "scored")
    table["start"] = np.asarray(starts, dtype=np.int64)
    table["ref_edit"], table["alt_edit"] = ref_edits, alt_edits
    table["kind"], table["status"] = kinds, status
    return table


# ----------------------------------------------------------------------------- windows
@dataclass
class Peaks:
    """The dataset's peak windows (``pairs.h5`` rows) used to place variants.

    Attributes
    ----------
    peak, chrom : numpy.ndarray of str
    start, end : numpy.ndarray of int64
        Reference windows (0-based half-open; -1 when unknown).
    """

    peak: np.ndarray
    chrom: np.ndarray
    start: np.ndarray
    end: np.ndarray


def assign_windows(variants: pd.DataFrame, peaks: Peaks | None, window_length: int, chrom_sizes: dict,
                   mode: str = "dataset") -> pd.DataFrame:
    """The window each scorable allele is scored in.

    Parameters
    ----------
    variants : pandas.DataFrame
        :func:`read_variants` output.
    peaks : Peaks, optional
        Peak windows (``None``: every window is centred on its variant).
    window_length : int
        W, the reference window length (the dataset's ``window_length``).
    chrom_sizes : dict
        Contig lengths (windows are clipped to them).
    mode : {"dataset", "variant"}
        Peak windows when the variant is in one, or always variant-centred windows.

    Returns
    -------
    pandas.DataFrame
        ``variants`` with ``peak_index`` (-1: none), ``peak`` (``.``), ``window`` (``peak`` /
        ``variant``), ``window_start``, ``window_end``; alleles whose edit is longer than the
        window get ``status`` ``too_long``.
    """
    if mode not in ("dataset", "variant"):
        raise ValueError(f"window mode must be 'dataset' or 'variant', not {mode!r}")
    out = variants.copy()
    n = len(out)
    peak_index = np.full(n, -1, dtype=np.int64)
    n_ref = out["ref_edit"].str.len().to_numpy()
    start = out["start"].to_numpy()
    too_long = (n_ref > window_length) | (out["alt_edit"].str.len().to_numpy() > 10 * window_length)
    scored = (out["status"] == "scored").to_numpy() & ~too_long
    if mode == "dataset" and peaks is not None and len(peaks.peak):
        known = peaks.start >= 0
        for chrom, idx in out[scored].groupby("chrom").groups.items():
            sel = np.flatnonzero(known & (peaks.chrom == chrom))
            if not sel.size:
                continue
            order = sel[np.argsort(peaks.start[sel], kind="stable")]
            ws, we = peaks.start[order], peaks.end[order]
            span = int((we - ws).max())
            centre = (ws + we) / 2
            for i in np.asarray(idx):
                s, e = int(start[i]), int(start[i] + n_ref[i])
                lo = np.searchsorted(ws, s - span, side="left")
                hi = np.searchsorted(ws, s, side="right")
                cand = np.arange(lo, hi)
                if n_ref[i]:
                    cand = cand[(ws[cand] <= s) & (we[cand] >= e)]
                else:
                    cand = cand[(ws[cand] < s) & (we[cand] > s)]
                if cand.size:
                    best = cand[np.argmin(np.abs(centre[cand] - (s + e) / 2), axis=0)]
                    peak_index[i] = order[best]
    in_peak = peak_index >= 0
    wstart = np.full(n, -1, dtype=np.int64)
    wend = np.full(n, -1, dtype=np.int64)
    if in_peak.any():
        wstart[in_peak] = peaks.start[peak_index[in_peak]]
        wend[in_peak] = peaks.end[peak_index[in_peak]]
    centred = scored & ~in_peak
    if centred.any():
        sizes = np.array([chrom_sizes[c] for c in out["chrom"].to_numpy()[centred]], dtype=np.int64)
        s = start[centred]
        e = s + np.maximum(n_ref[centred], 1)
        wstart[centred], wend[centred] = reference_windows(s, e, window_length, sizes)
    out["peak_index"] = peak_index
    out["peak"] = np.where(in_peak, peaks.peak[np.maximum(peak_index, 0)] if peaks is not None and len(peaks.peak)
                           else ".", ".")
    out["window"] = np.where(in_peak, "peak", np.where(scored, "variant", "."))
    out["window_start"], out["window_end"] = wstart, wend
    out.loc[too_long & (out["status"] == "scored").to_numpy(), "status"] = "too_long"
    return out


def variant_allele(ref_seq: str, window_start: int, start: int, ref_edit: str, alt_edit: str, length: int) -> np.ndarray:
    """Codes ``(length,)`` of a reference window carrying one minimal edit (trimmed centrally, right-padded).

    Parameters
    ----------
    ref_seq : str
        The reference window's sequence (clipped windows are shorter than ``length``).
    window_start : int
        Its 0-based start.
    start, ref_edit, alt_edit
        The edit (:func:`~deepallele.genome.coordmap.trim_alleles`).
    length : int
        L.

    Examples
    --------
    >>> from deepallele.alphabet import decode
    >>> decode(variant_allele("ACGTACGT", 100, 102, "G", "T", 10), pad="-")
    'ACTTACGT--'
    >>> decode(variant_allele("ACGTACGT", 100, 104, "", "GGGG", 10))  # 12 bp trimmed 1 left, 1 right
    'CGTGGGGACG'
    """
    i = start - window_start
    seq = ref_seq[:i] + alt_edit + ref_seq[i + len(ref_edit):]
    left, right = centre_trim(len(seq), length)
    return encode(seq[left:len(seq) - right], length, name=f"variant allele {ref_edit!r}>{alt_edit!r} at {start}")


# ----------------------------------------------------------------------------- scoring
@torch.inference_mode()
def pair_effects(readout: PairReadout, ref_codes: np.ndarray, alt_codes: np.ndarray, window: np.ndarray,
                 batch_size: int = 256, device: str | torch.device = "cpu") -> np.ndarray:
    """``r(R, A) - (r(R, R) + r(A, A)) / 2`` for each variant allele.

    Parameters
    ----------
    readout : PairReadout
        The model split at its trunk (on ``device``).
    ref_codes : numpy.ndarray of uint8, shape (W, L)
        Reference windows.
    alt_codes : numpy.ndarray of uint8, shape (V, L)
        Windows carrying one variant each.
    window : numpy.ndarray of int, shape (V,)
        Row of ``ref_codes`` of each variant.
    batch_size : int
        Sequences per trunk call.
    device : str or torch.device

    Returns
    -------
    numpy.ndarray of float64, shape (V,)
    """
    def encode_all(codes: np.ndarray) -> torch.Tensor:
        parts = [readout.encode(torch.from_numpy(one_hot(codes[i:i + batch_size])).to(device))
                 for i in range(0, len(codes), batch_size)]
        return torch.cat(parts) if parts else torch.zeros(0)

    if len(alt_codes) == 0:
        return np.zeros(0)
    e_ref = encode_all(ref_codes)
    r_rr = readout.readout(e_ref, e_ref)[:, RATIO_COLUMN]
    out = np.empty(len(alt_codes), dtype=np.float64)
    for i in range(0, len(alt_codes), batch_size):
        e_alt = encode_all(alt_codes[i:i + batch_size])
        k = torch.as_tensor(window[i:i + batch_size], device=e_ref.device)
        r_ra = readout.readout(e_ref[k], e_alt)[:, RATIO_COLUMN]
        r_aa = readout.readout(e_alt, e_alt)[:, RATIO_COLUMN]
        out[i:i + len(k)] = (r_ra - (r_rr[k] + r_aa) / 2).double().cpu().numpy()
    return out


def _covered_positions(variants: pd.DataFrame) -> dict[str, np.ndarray]:
    """Sorted 0-based reference positions covered by any record's REF span, per contig."""
    out = {}
    for chrom, grp in variants.drop_duplicates("record").groupby("chrom"):
        spans = [np.arange(p - 1, p - 1 + max(len(r), 1)) for p, r in zip(grp["pos"], grp["ref"])]
        out[chrom] = np.unique(np.concatenate(spans))
    return out


def _null_alleles(ref_codes: np.ndarray, ws: np.ndarray, chroms: np.ndarray, covered: dict, k: int,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``k`` random single-base substitutions per window at positions no record covers (no N, no padding)."""
    alts, rows = [], []
    for w in range(len(ref_codes)):
        codes = ref_codes[w]
        ok = codes < N_CODE
        cov = covered.get(chroms[w])
        if cov is not None and cov.size:
            pos = ws[w] + np.arange(len(codes))
            ok &= ~np.isin(pos, cov[(cov >= ws[w]) & (cov < ws[w] + len(codes))])
        cand = np.flatnonzero(ok)
        if not cand.size:
            continue
        for p in rng.choice(cand, size=min(k, cand.size), replace=False):
            a = codes.copy()
            a[p] = (a[p] + rng.integers(1, 4)) % 4
            alts.append(a)
            rows.append(w)
    if not alts:
        return np.zeros((0, ref_codes.shape[1]), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    return np.stack(alts), np.asarray(rows, dtype=np.int64)


def effect_labels(models) -> list[str]:
    """``effect_seed<k>`` per model (``effect_model<i>`` when seeds are missing or repeated)."""
    seeds = [getattr(m, "seed", None) for m in models]
    if None not in seeds and len(set(seeds)) == len(seeds):
        return [f"effect_seed{s}" for s in seeds]
    return [f"effect_model{i}" for i in range(len(models))]


@dataclass
class DatasetContext:
    """What score-variants takes from a ``pairs.h5``: peak windows, lengths, split, and (strain context) codes."""

    peaks: Peaks
    sequence_length: int
    window_length: int
    split_scheme: str
    val_chroms: list
    test_chroms: list
    codes: np.ndarray | None = None
    variants: pd.DataFrame | None = None
    source: str = ""


def dataset_context(pairs_h5: str | Path) -> DatasetContext:
    """Read the parts of a dataset's ``pairs.h5`` that score-variants uses (:func:`~deepallele.datasets.store.open_pairs`)."""
    from ..datasets.store import open_pairs

    try:
        d = open_pairs(pairs_h5, ("ref_codes", "alt_codes", "peak", "chrom", "start", "end"), variants=True,
                       check_format=True)
    except (OSError, KeyError, ValueError) as err:
        raise ScoreVariantsError(f"{pairs_h5}: cannot read the paired dataset: {err}") from None
    a = d.attrs
    length = d.sequence_length
    return DatasetContext(
        peaks=Peaks(np.asarray(d["peak"], dtype=object), np.asarray(d["chrom"], dtype=object),
                    np.asarray(d["start"], dtype=np.int64), np.asarray(d["end"], dtype=np.int64)),
        sequence_length=length, window_length=int(a.get("window_length", length)),
        split_scheme=str(a.get("split_scheme", "heldout")), val_chroms=list(a.get("val_chroms", [])),
        test_chroms=list(a.get("test_chroms", [])), codes=d.codes, variants=d.variants, source=str(pairs_h5))


def _strain_context_effects(models, table: pd.DataFrame, ctx: DatasetContext, batch_size: int, device) -> dict:
    """Interpretation-stage effects ``{row: [effect per model]}`` of alleles the dataset holds in the chosen peak."""
    from .variant_effects import variant_effects

    var = ctx.variants
    var = var[var["complete"].astype(bool)]
    key = dict(zip(zip(var["peak_index"].astype(int), var["id"]), var.index))
    rows = [(i, key[(int(p), v)]) for i, p, v in zip(table.index, table["peak_index"], table["id"])
            if (int(p), v) in key]
    if not rows:
        return {}
    sub = var.loc[[r for _, r in rows]].reset_index(drop=True)
    effects = np.stack([variant_effects(m.model, ctx.codes, sub, batch_size=batch_size, device=device)["effect"]
                        .to_numpy(dtype=np.float64) for m in models], axis=1)
    return {i: effects[j] for j, (i, _) in enumerate(rows)}


def score_variants(vcf: str | Path, fasta: str | Path, models: list, out_tsv: str | Path,
                   out_vcf: str | Path | None = None, *, pairs: str | Path | DatasetContext | None = None,
                   window: str = "dataset", context: str = "reference", null_per_window: int = 3,
                   max_null: int = 5000, batch_size: int = 256, chunk_variants: int = 4096,
                   device: str | torch.device | None = None, region: str | None = None, seed: int = 0,
                   model_name: str | None = None) -> pd.DataFrame:
    """Score every ALT allele of ``vcf`` with every model and write the TSV (and annotated VCF).

    Parameters
    ----------
    vcf, fasta : str or pathlib.Path
        Variants and the reference FASTA they are called against.
    models : list of ModelFile
        Models of one type (:func:`deepallele.models.modelfile.load_model_file`), usually its seeds.
    out_tsv : str or pathlib.Path
        TSV to write.
    out_vcf : str or pathlib.Path, optional
        Annotated VCF to write (``.gz``: bgzipped).
    pairs : str, pathlib.Path or DatasetContext, optional
        The dataset's ``pairs.h5`` (peak windows, ``window_length``, split; strain context).
        Without it, windows of the models' ``L`` centred on each variant.
    window : {"dataset", "variant"}
        See the module notes.
    context : {"reference", "strain"}
        See the module notes (``strain`` needs ``pairs``).
    null_per_window, max_null : int
        Null substitutions per window and the cap on their number (0: no z-scores).
    batch_size : int
        Sequences per forward pass.
    chunk_variants : int
        Alleles per chunk (sequences built, scored by every model, then dropped).
    device : str or torch.device, optional
        ``cpu``, ``cuda`` (default: CUDA when available).
    region : str, optional
        Only this region of an indexed VCF.
    seed : int
        Seeds the null positions.
    model_name : str, optional
        Model type label for the VCF header (default: the models' type).

    Returns
    -------
    pandas.DataFrame
        The TSV's rows.

    Raises
    ------
    ScoreVariantsError
        Bad inputs (see :func:`read_variants`), models of different lengths or of another length
        than the dataset, ``context="strain"`` without ``pairs``. Nothing is written then.
    """
    t0 = time.perf_counter()
    if not models:
        raise ScoreVariantsError("no models given")
    if context not in ("reference", "strain"):
        raise ScoreVariantsError(f"context must be 'reference' or 'strain', not {context!r}")
    lengths = {m.sequence_length for m in models}
    if len(lengths) != 1:
        raise ScoreVariantsError(f"models of different sequence lengths {sorted(lengths)}: "
                                 + ", ".join(str(m.path) for m in models))
    length = lengths.pop()
    ctx = dataset_context(pairs) if isinstance(pairs, (str, Path)) else pairs
    if ctx is not None and ctx.sequence_length != length:
        raise ScoreVariantsError(f"{ctx.source}: sequence length {ctx.sequence_length}, but the models take {length} "
                                 f"({models[0].path})")
    if context == "strain" and ctx is None:
        raise ScoreVariantsError("context 'strain' needs the dataset's pairs.h5 (--pairs)")
    win_len = ctx.window_length if ctx is not None else length
    dev = torch.device(device) if device else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    readouts = [PairReadout(m.model).to(dev).eval() for m in models]

    table = read_variants(vcf, fasta, region)
    with pysam.FastaFile(str(fasta)) as fa:
        sizes = dict(zip(fa.references, fa.lengths))
    table = assign_windows(table, ctx.peaks if ctx is not None else None, win_len, sizes, window)
    if ctx is not None:
        table["split"] = assign_split(table["chrom"], ctx.split_scheme, ctx.val_chroms or (), ctx.test_chroms or ()) \
            if ctx.val_chroms or ctx.test_chroms else "."
    else:
        table["split"] = "."
    table["context"] = np.where(table["status"] == "scored", "reference", ".")
    labels = effect_labels(models)
    effects = np.full((len(table), len(models)), np.nan)

    scored = np.flatnonzero((table["status"] == "scored").to_numpy())
    if context == "strain":
        done = _strain_context_effects(models, table.iloc[scored], ctx, batch_size, dev)
        for i, e in done.items():
            effects[i] = e
        table.loc[list(done), "context"] = "strain"
        scored = np.array([i for i in scored if i not in done], dtype=np.int64)

    # windows: one per distinct (chrom, start, end); chunks of whole windows
    keys = list(zip(table["chrom"].to_numpy()[scored], table["window_start"].to_numpy()[scored],
                    table["window_end"].to_numpy()[scored]))
    win_of = {}
    win_id = np.array([win_of.setdefault(k, len(win_of)) for k in keys], dtype=np.int64)
    windows = list(win_of)
    rng = np.random.default_rng(seed)
    n_null_windows = min(len(windows), math.ceil(max_null / max(null_per_window, 1))) if null_per_window > 0 else 0
    null_windows = set(rng.choice(len(windows), size=n_null_windows, replace=False).tolist()) if n_null_windows else set()
    covered = _covered_positions(table) if null_windows else {}
    null_effects = []
    order = np.argsort(win_id, kind="stable")
    v_start = table["start"].to_numpy()
    v_ref, v_alt = table["ref_edit"].to_numpy(dtype=object), table["alt_edit"].to_numpy(dtype=object)
    n_done, t_score = 0, time.perf_counter()
    with pysam.FastaFile(str(fasta)) as fa:
        pos = 0
        while pos < len(order):
            end = min(pos + chunk_variants, len(order))
            while end < len(order) and win_id[order[end]] == win_id[order[end - 1]]:
                end += 1  # whole windows per chunk
            sel = order[pos:end]
            wids = np.unique(win_id[sel])
            local = {w: j for j, w in enumerate(wids)}
            seqs = [fa.fetch(windows[w][0], int(windows[w][1]), int(windows[w][2])) for w in wids]
            ref_codes = np.stack([encode(s, length, name="{}: {}:{}-{}".format(fasta, *windows[w]))
                                  for w, s in zip(wids, seqs)])
            rows = scored[sel]
            alt_codes = np.stack([variant_allele(seqs[local[win_id[k]]], int(windows[win_id[k]][1]), int(v_start[r]),
                                                 v_ref[r], v_alt[r], length) for k, r in zip(sel, rows)])
            wrow = np.array([local[win_id[k]] for k in sel], dtype=np.int64)
            nw = [j for j, w in enumerate(wids) if w in null_windows]
            null_alt, null_row = (_null_alleles(ref_codes[nw], np.array([windows[wids[j]][1] for j in nw]),
                                                np.array([windows[wids[j]][0] for j in nw], dtype=object), covered,
                                                null_per_window, rng) if nw else (np.zeros((0, length), np.uint8),
                                                                                    np.zeros(0, np.int64)))
            null_row = np.asarray(nw, dtype=np.int64)[null_row] if len(null_row) else null_row
            chunk_null = np.zeros((len(null_row), len(models)))
            for m, rd in enumerate(readouts):
                effects[rows, m] = pair_effects(rd, ref_codes, alt_codes, wrow, batch_size, dev)
                if len(null_row):
                    chunk_null[:, m] = pair_effects(rd, ref_codes, null_alt, null_row, batch_size, dev)
            null_effects.append(chunk_null)
            n_done += len(sel)
            rate = n_done / max(time.perf_counter() - t_score, 1e-9)
            log.info("%d/%d alleles scored by %d model(s) (%.0f alleles/s, %d null substitutions so far)", n_done,
                     len(scored), len(models), rate, sum(len(x) for x in null_effects))
            pos = end

    for j, name in enumerate(labels):
        table[name] = effects[:, j]
    table["effect_mean"] = effects.mean(axis=1)
    table["effect_sd"] = effects.std(axis=1, ddof=1) if len(models) > 1 else 0.0
    null = np.concatenate(null_effects).mean(axis=1) if null_effects and sum(len(x) for x in null_effects) else np.zeros(0)
    null_mean = float(null.mean()) if null.size else float("nan")
    null_sd = float(null.std(ddof=1)) if null.size > 1 else float("nan")
    table["z"] = (table["effect_mean"] - null_mean) / null_sd if null.size > 1 and null_sd > 0 else np.nan
    table.attrs.update({"null_mean": null_mean, "null_sd": null_sd, "n_null": int(null.size),
                        "models": [str(m.path) for m in models], "labels": labels})
    cols = TSV_COLUMNS + labels + ["effect_mean", "effect_sd", "z"]
    out = table[cols].copy()
    outputs = [out_tsv] + ([out_vcf] if out_vcf else [])
    with atomic_paths(*outputs) as tmps:
        out.to_csv(tmps[0], sep="\t", index=False, float_format="%.6g", na_rep="NA")
        if out_vcf:
            header = {"model": model_name or models[0].model_type, "seeds": ",".join(l.split("effect_")[1] for l in labels),
                      "window": window, "window_length": win_len, "sequence_length": length, "context": context,
                      "null_mean": f"{null_mean:.6g}", "null_sd": f"{null_sd:.6g}", "n_null": int(null.size)}
            write_annotated_vcf(vcf, tmps[1], table, header, region=region)
    secs = time.perf_counter() - t0
    n_scored = int(np.isfinite(table["effect_mean"]).sum())
    log.info("%s: %d alleles (%d scored, %d in peak windows, %d on variant-centred windows), %d models, null %d "
             "(mean %.4g, sd %.4g), %.1f s (%.1f alleles/s per model)", vcf, len(table), n_scored,
             int((table["window"] == "peak").sum()), int((table["window"] == "variant").sum()), len(models),
             null.size, null_mean, null_sd, secs, n_scored * len(models) / max(secs, 1e-9))
    return out


def write_annotated_vcf(vcf_in: str | Path, vcf_out: str | Path, table: pd.DataFrame, header: dict,
                        region: str | None = None) -> None:
    """Copy ``vcf_in`` with the INFO fields of :data:`INFO_FIELDS` (one value per ALT) and a provenance line.

    Parameters
    ----------
    vcf_in, vcf_out : str or pathlib.Path
        Input VCF; output (``.gz``: bgzipped). Not atomic by itself (see :func:`score_variants`).
    table : pandas.DataFrame
        Rows of :func:`score_variants` (``record``, ``allele``, ``effect_mean``, ``effect_sd``, ``z``,
        ``peak``, ``window``).
    header : dict
        Key-values of the ``##deepallele_score_variants`` line.
    region : str, optional
        Only records of this region are copied (as were scored).
    """
    by_record = {rec: grp.sort_values("allele") for rec, grp in table.groupby("record")}

    def values(grp, col, fmt=None):
        out = []
        for v in grp[col]:
            if isinstance(v, float) and not np.isfinite(v):
                out.append(None)
            else:
                out.append(float(v) if fmt == "f" else str(v))
        return tuple(out)

    with pysam.VariantFile(str(vcf_in)) as vin:
        hdr = vin.header.copy()
        for key in INFO_FIELDS:
            if key in hdr.info:
                hdr.info.remove_header(key)
        for key, (typ, desc) in INFO_FIELDS.items():
            hdr.info.add(key, "A", typ, desc)
        fields = ",".join(f'{k}="{v}"' if isinstance(v, str) else f"{k}={v}" for k, v in header.items())
        hdr.add_line(f"##deepallele_score_variants=<ID=deepallele,{fields}>")
        mode = "wz" if str(vcf_out).endswith(".gz") else "w"
        with pysam.VariantFile(str(vcf_out), mode, header=hdr) as vout:
            records = vin.fetch(region=region) if region is not None else vin
            for k, rec in enumerate(records):
                rec.translate(vout.header)
                grp = by_record.get(k)
                if grp is not None and rec.alts:
                    for col, key, fmt in (("effect_mean", "DA_EFFECT", "f"), ("effect_sd", "DA_SD", "f"),
                                          ("z", "DA_Z", "f"), ("peak", "DA_PEAK", None),
                                          ("window", "DA_WINDOW", None)):
                        vals = values(grp, col, fmt)
                        if any(v is not None for v in vals):
                            rec.info[key] = vals
                vout.write(rec)


# ----------------------------------------------------------------------------- benchmark
def benchmark_scoring(presets=("demo", "paper_atac", "paper_chip"), n_variants: int = 256, batch_size: int = 128,
                      threads: int | None = None, device: str = "cpu", lengths: dict | None = None,
                      target_variants: float = 20e6) -> pd.DataFrame:
    """Alleles per second per model of :func:`pair_effects` (random weights, random windows, one window per variant).

    Returns
    -------
    pandas.DataFrame
        ``preset, sequence_length, device, threads, batch_size, n_variants, seconds, variants_per_s,
        hours_for_target`` (``target_variants`` alleles by one model, e.g. the ~20 M CAST variants).
    """
    from ..models import build_model
    from ..models.presets import PRESETS

    if threads:
        torch.set_num_threads(int(threads))
    lengths = lengths or {"demo": 330, "paper_atac": 330, "paper_chip": 551}
    rng = np.random.default_rng(0)
    rows = []
    for preset in presets:
        length = int(lengths[preset])
        model = build_model("deepallele", length, PRESETS[preset]).eval()
        rd = PairReadout(model).to(device)
        ref = rng.integers(0, 4, (n_variants, length)).astype(np.uint8)
        alt = ref.copy()
        alt[np.arange(n_variants), rng.integers(0, length, n_variants)] = rng.integers(0, 4, n_variants)
        win = np.arange(n_variants)
        pair_effects(rd, ref[:8], alt[:8], win[:8], batch_size, device)  # warm-up
        t = time.perf_counter()
        pair_effects(rd, ref, alt, win, batch_size, device)
        secs = time.perf_counter() - t
        rate = n_variants / secs
        rows.append({"preset": preset, "sequence_length": length, "device": str(device),
                     "threads": torch.get_num_threads(), "batch_size": batch_size, "n_variants": n_variants,
                     "seconds": round(secs, 3), "variants_per_s": round(rate, 1),
                     "hours_for_target": round(target_variants / rate / 3600, 1), "target_variants": int(target_variants)})
    return pd.DataFrame(rows)


__all__ = ["INFO_FIELDS", "Peaks", "ScoreVariantsError", "TSV_COLUMNS", "assign_windows", "benchmark_scoring",
           "dataset_context", "effect_labels", "pair_effects", "read_variants", "score_variants", "variant_allele",
           "write_annotated_vcf"]
