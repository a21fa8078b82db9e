"""Planted matrices that are not in the scanning database: perturbed JASPAR motifs and de-novo motifs.

By default the simulator plants and scores each factor with its own JASPAR 2020 matrix, the same
matrix that FIMO (MeanDiff) and TomTom (cluster naming) later look up, so MeanDiff is near-oracle
and naming is favoured (docs/simulator-motifs.md, "Why"). A grammar can opt out, per
factor or for the whole grammar (``docs/simulator-motifs.md``; ``grammars.yaml``, preset
``atac_offdb``)::

    motif_source: perturbed           # grammar-wide: jaspar (default) | perturbed
    perturb: {ic_scale: 0.85, flank_bp: 2, column_noise: 0.3, seed: 1}
    motifs:
      ETS1: {...}                     # planted from a perturbed ETS1 matrix
      CTCF: {..., motif_source: jaspar}            # per factor: jaspar | perturbed | denovo
      NOVEL1: {..., motif_source: denovo}          # a built-in de-novo motif (DENOVO_MOTIFS)

Perturbation (:func:`perturb_pfm`), in this order, from the matrix as the simulator loads it
(JASPAR counts + 0.5 pseudocount, :func:`deepallele.simulate.motifs.load_motif`):

1. ``column_noise``: every probability is multiplied by ``exp(column_noise * z)``, ``z ~ N(0, 1)``,
   and each column renormalised (the matrix's shape changes, not only its sharpness);
2. information content: each probability is raised to one exponent ``a`` and each column
   renormalised (``a > 1`` sharpens, ``a < 1`` flattens; a temperature ``1 / a``). ``power: a`` sets
   the exponent; ``ic_scale: s`` (default 1) solves for the ``a`` that makes the total information
   content exactly ``s`` times the source matrix's (before flanks);
3. ``flank_bp``: columns drawn from ``Dirichlet(flank_concentration)`` (default 1) added on each
   side (an int, or ``[left, right]``): specificity the database matrix does not have.

Everything is drawn from a generator keyed by ``perturb.seed`` and the factor's name, so the
matrices are a function of the grammar mapping alone: every later stage that rebuilds the grammar
from the configuration (the truth attributions, the new-SNV tables) gets the same matrices.

A de-novo motif (:func:`denovo_pfm`) is a synthetic matrix from a seed: one dominant base per
column with probability in ``[min_prob, max_prob]``, the rest split by ``Dirichlet(2, 2, 2)``.
The built-in ``NOVEL1`` (:data:`DENOVO_MOTIFS`) has no TomTom match in JASPAR 2020 CORE
vertebrates at q < 0.05 (a unit test checks it). A factor with ``motif_source: denovo`` and any
other name needs ``denovo: {seed, width}``; such a matrix is not checked.

Because a planted matrix may no longer be in JASPAR, the truth names every planted factor by
what TomTom says about its own matrix (:func:`planted_motif_names`): the simulator writes
``truth/planted_motifs.meme`` and ``truth/planted_motif_names.tsv`` whenever a grammar on the
genome opts out of ``jaspar`` (never for the default presets, whose outputs are unchanged).
"""
from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .motifs import Motif, load_motif

MOTIF_SOURCES = ("jaspar", "perturbed", "denovo")
#: Defaults of a ``perturb`` mapping (grammar-wide, overridden key by key per factor).
PERTURB_DEFAULTS = {"ic_scale": 1.0, "power": None, "flank_bp": 0, "flank_concentration": 1.0,
                    "column_noise": 0.0, "seed": 0}
#: Built-in de-novo motifs: name -> :func:`denovo_pfm` arguments. NOVEL1's consensus is
#: CCTTGTTGAAGC (no CpG); TomTom's best JASPAR 2020 CORE vertebrates match is SCRT1 at
#: p ~ 3e-3, q = 1 (tests/simulate/test_offdb_motifs.py).
DENOVO_MOTIFS = {"NOVEL1": {"seed": 4, "width": 12}}
#: Columns of ``truth/planted_motif_names.tsv``.
NAME_COLUMNS = ["dataset", "factor", "motif_source", "source_matrix_id", "planted_id", "meme_name", "width",
                "flank_left", "flank_right", "source_ic_bits", "planted_core_ic_bits", "planted_ic_bits",
                "best_match", "best_p", "best_q", "source_rank", "source_p", "source_q", "names_q05", "truth_name"]


def _rng(seed: int, *keys: str) -> np.random.Generator:
    return np.random.default_rng([int(seed)] + [zlib.crc32(k.encode()) for k in keys])


def information_content(pfm: np.ndarray) -> np.ndarray:
    """Information content per column (bits, uniform background; ``0 log 0 = 0``)."""
    p = np.asarray(pfm, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return 2.0 + plogp.sum(axis=0)


def power_pfm(pfm: np.ndarray, power: float) -> np.ndarray:
    """Every probability raised to ``power``, each column renormalised (``power > 0``)."""
    if power <= 0:
        raise ValueError(f"power must be > 0, got {power}")
    p = np.asarray(pfm, dtype=np.float64)
    # scale each column by its maximum first, so large powers do not underflow the whole column
    q = (p / p.max(axis=0, keepdims=True)) ** power
    return q / q.sum(axis=0, keepdims=True)


def power_for_ic(pfm: np.ndarray, target_bits: float, tol: float = 1e-10) -> float:
    """The exponent ``a`` with ``information_content(power_pfm(pfm, a)).sum() == target_bits``.

    Total information content rises monotonically with ``a`` (0 bits at ``a -> 0``, the
    matrix's ceiling at ``a -> inf``); solved by bisection on ``log a``.
    """
    pfm = np.asarray(pfm, dtype=np.float64)
    n_max = (pfm == pfm.max(axis=0, keepdims=True)).sum(axis=0)
    ceiling = float((2.0 - np.log2(n_max)).sum())  # every column on its most likely base(s)
    if not 0 < target_bits < ceiling:
        raise ValueError(f"target information content {target_bits:.3f} bits is outside (0, {ceiling:.3f}) "
                         "for this matrix; choose an ic_scale closer to 1")
    lo, hi = -12.0, 8.0  # log2 of the exponent
    for _ in range(200):
        mid = (lo + hi) / 2
        if information_content(power_pfm(pfm, 2.0 ** mid)).sum() < target_bits:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return float(2.0 ** ((lo + hi) / 2))


def _flank_sides(flank_bp) -> tuple[int, int]:
    if isinstance(flank_bp, (list, tuple)):
        if len(flank_bp) != 2:
            raise ValueError(f"flank_bp must be an int or [left, right], got {flank_bp!r}")
        left, right = (int(x) for x in flank_bp)
    else:
        left = right = int(flank_bp)
    if left < 0 or right < 0:
        raise ValueError(f"flank_bp must be >= 0, got {flank_bp!r}")
    return left, right


def perturb_pfm(pfm: np.ndarray, rng: np.random.Generator, ic_scale: float = 1.0, power: float | None = None,
                flank_bp: int | tuple[int, int] = 0, flank_concentration: float = 1.0,
                column_noise: float = 0.0) -> np.ndarray:
    """A perturbed copy of a ``(4, W)`` matrix (steps 1-3 of the module docstring).

    Parameters
    ----------
    pfm : numpy.ndarray
        Source probabilities, rows A, C, G, T.
    rng : numpy.random.Generator
        Source of the column noise and the flank columns (drawn in that order).
    ic_scale : float
        Total information content of the result's core, as a multiple of ``pfm``'s (ignored when
        ``power`` is given).
    power : float, optional
        Exponent applied to the probabilities instead of solving for ``ic_scale``.
    flank_bp : int or (int, int)
        Flank columns added on each side (or ``[left, right]``).
    flank_concentration : float
        Dirichlet concentration of a flank column (small: sharp columns; large: near uniform).
    column_noise : float
        SD of the log-normal factor applied to every probability before the IC change.

    Returns
    -------
    numpy.ndarray
        ``(4, left + W + right)``; columns sum to 1.
    """
    core = np.asarray(pfm, dtype=np.float64)
    source_bits = float(information_content(core).sum())
    if column_noise < 0 or flank_concentration <= 0:
        raise ValueError("column_noise must be >= 0 and flank_concentration > 0")
    if column_noise > 0:
        core = core * np.exp(column_noise * rng.standard_normal(core.shape))
        core = core / core.sum(axis=0, keepdims=True)
    if power is not None:
        core = power_pfm(core, float(power))
    elif float(ic_scale) != 1.0 or column_noise > 0:
        if ic_scale <= 0:
            raise ValueError(f"ic_scale must be > 0, got {ic_scale}")
        core = power_pfm(core, power_for_ic(core, float(ic_scale) * source_bits))
    left, right = _flank_sides(flank_bp)
    flanks = rng.dirichlet([float(flank_concentration)] * 4, size=left + right).T
    flanks = np.maximum(flanks, 1e-3)
    flanks = flanks / flanks.sum(axis=0, keepdims=True)
    return np.concatenate([flanks[:, :left], core, flanks[:, left:]], axis=1)


def denovo_pfm(seed: int, width: int = 12, min_prob: float = 0.6, max_prob: float = 0.9) -> np.ndarray:
    """A synthetic ``(4, width)`` matrix from a seed (module docstring); no probability below ~0.005."""
    if width < 4 or not 0.25 < min_prob <= max_prob < 1:
        raise ValueError("denovo: width >= 4 and 0.25 < min_prob <= max_prob < 1 required")
    rng = _rng(seed, "denovo")
    dominant = rng.integers(0, 4, width)
    top = rng.uniform(min_prob, max_prob, width)
    rest = rng.dirichlet([2.0, 2.0, 2.0], size=width) * (1 - top)[:, None]
    p = np.zeros((4, width))
    for i in range(width):
        p[dominant[i], i] = top[i]
        p[[b for b in range(4) if b != dominant[i]], i] = rest[i]
    p = np.maximum(p, 0.005)
    return p / p.sum(axis=0, keepdims=True)


def planted_motif(name: str, factor: dict, grammar: dict) -> tuple[Motif, str, str, tuple[int, int]]:
    """The matrix a grammar plants for one factor, its source and the source's JASPAR ID.

    Parameters
    ----------
    name : str
        The factor's name in the grammar.
    factor : dict
        Its entry under ``motifs`` (``motif_source``, ``perturb``, ``denovo`` read here).
    grammar : dict
        The whole grammar mapping (grammar-wide ``motif_source`` and ``perturb``).

    Returns
    -------
    (Motif, str, str, (int, int))
        The motif (``matrix_id`` marks a changed matrix: ``MA0098.3~perturbed``,
        ``denovo:NOVEL1``), its source (:data:`MOTIF_SOURCES`), the source's JASPAR ID (``''``
        for a de-novo motif) and the flank columns added on the left and right.
    """
    source = factor.get("motif_source", grammar.get("motif_source", "jaspar"))
    if source not in MOTIF_SOURCES:
        raise ValueError(f"grammar factor {name}: motif_source must be one of {MOTIF_SOURCES}, got {source!r}")
    for key, needs in (("perturb", "perturbed"), ("denovo", "denovo")):
        if key in factor and source != needs:
            raise ValueError(f"grammar factor {name}: '{key}' is set but its motif_source is {source!r}, not {needs!r}")
    if source == "jaspar":
        m = load_motif(name)
        return m, source, m.matrix_id, (0, 0)
    if source == "denovo":
        spec = factor.get("denovo", DENOVO_MOTIFS.get(name))
        if spec is None:
            raise ValueError(f"grammar factor {name}: motif_source denovo needs a built-in name "
                             f"({', '.join(DENOVO_MOTIFS)}) or denovo: {{seed, width}}")
        return Motif(name=name, matrix_id=f"denovo:{name}", pfm=denovo_pfm(**spec)), source, "", (0, 0)
    settings = {**PERTURB_DEFAULTS, **(grammar.get("perturb") or {}), **(factor.get("perturb") or {})}
    unknown = set(settings) - set(PERTURB_DEFAULTS)
    if unknown:
        raise ValueError(f"grammar factor {name}: unknown perturb setting(s) {sorted(unknown)}; "
                         f"known: {sorted(PERTURB_DEFAULTS)}")
    base = load_motif(name)
    seed = settings.pop("seed")
    pfm = perturb_pfm(base.pfm, _rng(seed, "perturb", name), **settings)
    motif = Motif(name=base.name, matrix_id=f"{base.matrix_id}~perturbed", pfm=pfm)
    return motif, source, base.matrix_id, _flank_sides(settings["flank_bp"])


def planted_motif_names(planted: dict, targets: dict[str, np.ndarray] | None = None,
                        q_threshold: float = 0.05) -> pd.DataFrame:
    """TomTom of every planted matrix against JASPAR: the name the truth gives each factor.

    Parameters
    ----------
    planted : dict
        Dataset -> :class:`deepallele.simulate.regions.Grammar`.
    targets : dict, optional
        The scanning database (default: :func:`deepallele.motifs.jaspar.jaspar_motifs`, JASPAR 2020
        CORE vertebrates, the workflow's MEME file).
    q_threshold : float
        A factor is named after its best match when that match has ``q < q_threshold``
        (the cluster-naming rule of :func:`deepallele.motifs.tomtom.cluster_names`); otherwise the
        truth name is the factor's own name (a motif no database name fits).

    Returns
    -------
    pandas.DataFrame
        :data:`NAME_COLUMNS`, one row per dataset and factor. ``source_rank`` is the 1-based
        TomTom rank of the source JASPAR matrix (``0`` when a de-novo motif or not among the
        matches with p < 1).
    """
    from ..motifs.jaspar import jaspar_motifs
    from ..motifs.tomtom import tomtom_table

    if targets is None:
        targets = jaspar_motifs()
    queries, meta = {}, []
    for ds, grammar in planted.items():
        for factor, gm in grammar.motifs.items():
            key = f"{ds}.{factor}"
            queries[key] = gm.motif.pfm
            meta.append((ds, factor, gm, key))
    matches = tomtom_table(queries, targets, max_p=1.0 + 1e-9)
    rows = []
    for ds, factor, gm, key in meta:
        mine = matches[matches["cluster"] == key].sort_values("rank")
        best = mine.iloc[0] if len(mine) else None
        src = gm.motif.name if gm.source != "denovo" else ""
        hit = mine[mine["target"] == src] if src else mine.iloc[0:0]
        named = mine[mine["q"] < q_threshold]
        source_ic = float(information_content(load_motif(src).pfm).sum()) if src else float("nan")
        left, right = gm.flank
        ic = information_content(gm.motif.pfm)
        rows.append({
            "dataset": ds, "factor": factor, "motif_source": gm.source, "source_matrix_id": gm.source_matrix_id,
            "planted_id": gm.motif.matrix_id, "meme_name": key, "width": gm.motif.width,
            "flank_left": left, "flank_right": right, "source_ic_bits": round(source_ic, 4),
            "planted_core_ic_bits": round(float(ic[left:ic.size - right].sum()), 4),
            "planted_ic_bits": round(float(ic.sum()), 4),
            "best_match": best["target"] if best is not None else "",
            "best_p": float(best["p"]) if best is not None else 1.0,
            "best_q": float(best["q"]) if best is not None else 1.0,
            "source_rank": int(hit["rank"].iloc[0]) + 1 if len(hit) else 0,
            "source_p": float(hit["p"].iloc[0]) if len(hit) else 1.0,
            "source_q": float(hit["q"].iloc[0]) if len(hit) else 1.0,
            "names_q05": "/".join(named["target"].head(4)),
            "truth_name": str(named["target"].iloc[0]) if len(named) else factor,
        })
    return pd.DataFrame(rows, columns=NAME_COLUMNS)


def truth_names(grammar, targets: dict[str, np.ndarray] | None = None, q_threshold: float = 0.05) -> dict[str, str]:
    """The name the truth gives each factor of a grammar: what validation compares names with.

    A factor planted from its own JASPAR matrix is named by that matrix (its key). A perturbed or
    de-novo factor is named by TomTom's best match of the planted matrix itself
    (:func:`planted_motif_names`, ``truth_name``): a perturbed ETS1 that TomTom calls ELK1 is
    judged as ELK1, and a de-novo factor no database matrix fits keeps its own name, which no
    database scan can find.

    Parameters
    ----------
    grammar : deepallele.simulate.regions.Grammar
        A dataset's grammar.
    targets : dict, optional
        The scanning database (name -> PFM), as :func:`planted_motif_names`.
    q_threshold : float
        As :func:`planted_motif_names`.

    Returns
    -------
    dict
        Factor -> truth name, in the grammar's order. Without an off-database factor this is the
        identity and no TomTom runs.
    """
    if not grammar.off_database:
        return {factor: factor for factor in grammar.motifs}
    names = planted_motif_names({"_": grammar}, targets, q_threshold).set_index("factor")["truth_name"]
    return {factor: (factor if gm.source == "jaspar" else str(names[factor])) for factor, gm in grammar.motifs.items()}
