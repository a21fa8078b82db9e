"""Motif similarity from TomTom (memelite): look-alikes of planted motifs and a distance for ordering."""
from __future__ import annotations

import numpy as np


def tomtom_pvalues(names: list[str], motifs: dict[str, np.ndarray]) -> np.ndarray:
    """TomTom p-values (memelite, both strands) of some motifs against the whole database.

    The named motifs are the queries and every motif of ``motifs`` a target: TomTom's p-values
    use the target columns as the null, which needs a large target set.

    Parameters
    ----------
    names : list of str
        Query motifs (keys of ``motifs``).
    motifs : dict of str to numpy.ndarray
        The database (name -> (4, W)).

    Returns
    -------
    numpy.ndarray
        (len(names), len(motifs)) p-values, columns in ``motifs`` order.

    Raises
    ------
    ValueError
        A query that is not in ``motifs``.
    """
    from memelite import tomtom

    missing = [m for m in names if m not in motifs]
    if missing:
        raise ValueError(f"motif(s) {missing} are not in the motif database")
    p, *_ = tomtom([motifs[m] for m in names], list(motifs.values()))
    return np.asarray(p, dtype=np.float64)


def similar_to(motifs: dict[str, np.ndarray], planted: list[str], max_p: float = 1e-2) -> dict[str, str]:
    """Motifs TomTom-similar to a planted one.

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        The database (name -> (4, W)).
    planted : list of str
        Names of the planted motifs (keys of ``motifs``).
    max_p : float
        TomTom p-value at or below which a motif counts as similar. 0.01 takes in the ETS
        relatives of SPI1 (ETS1, ERG, FLI1: p ~ 1e-3) and the MAF relatives of AP-1; about 80
        of the 746 JASPAR 2020 motifs resemble SPI1 or FOS::JUN at this level.

    Returns
    -------
    dict of str to str
        Name of each non-planted similar motif -> the planted motif it is most similar to.
    """
    p = tomtom_pvalues(planted, motifs)  # (planted, database)
    out = {}
    for i, name in enumerate(motifs):
        j = int(np.argmin(p[:, i]))
        if name not in planted and p[j, i] <= max_p:
            out[name] = planted[j]
    return out


def motif_distances(names: list[str], motifs: dict[str, np.ndarray], cap: float = 10.0) -> np.ndarray:
    """Pairwise distances of some motifs from TomTom (for ordering them as a tree).

    ``d = 1 - min(-log10 p, cap) / cap`` with ``p`` the smaller of the two directions' TomTom
    p-values against the whole database: 0 for (near-)identical motifs, 1 for unrelated ones.

    Parameters
    ----------
    names : list of str
        ``k`` motifs (keys of ``motifs``).
    motifs : dict of str to numpy.ndarray
        The database (name -> (4, W)).
    cap : float
        -log10 p at which two motifs count as identical.

    Returns
    -------
    numpy.ndarray
        (k, k) symmetric distances with a zero diagonal.
    """
    p = tomtom_pvalues(names, motifs)
    cols = [list(motifs).index(n) for n in names]
    pair = p[:, cols]
    pair = np.minimum(pair, pair.T)
    d = 1.0 - np.minimum(-np.log10(np.clip(pair, 1e-300, 1.0)), cap) / cap
    np.fill_diagonal(d, 0.0)
    return d
