"""Naming cluster motifs by TomTom (memelite) against JASPAR (reference-spec §3.6).

Every cluster PFM is compared with every JASPAR motif (both strands); q-values are
Benjamini-Hochberg over the JASPAR motifs of each query (as MEME's TomTom reports them per
query); a cluster is named after its matches with ``q < 0.05``, best first, at most four.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control

MATCH_COLUMNS = ["cluster", "rank", "target", "p", "q", "offset", "overlap", "strand"]


def tomtom_table(queries: dict, targets: dict[str, np.ndarray], max_p: float = 0.5) -> pd.DataFrame:
    """All matches with ``p < max_p`` of cluster PFMs against target PFMs.

    Parameters
    ----------
    queries : dict
        Cluster id -> PFM ``(4, w)``; uninformative ones (uniform columns, ``w < 3``) are skipped.
    targets : dict of str to numpy.ndarray
        Motif name -> PFM ``(4, w)`` (e.g. :func:`deepallele.motifs.jaspar.read_meme`).
    max_p : float
        Keep matches below this p-value.

    Returns
    -------
    pandas.DataFrame
        :data:`MATCH_COLUMNS`, sorted by cluster then p (``rank`` 0 = best).
    """
    from memelite import tomtom

    keys = [k for k, m in queries.items() if m.shape[1] >= 3 and np.ptp(m) > 0]
    if not keys or not targets:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    names = list(targets)
    p, _, offsets, overlaps, strands = tomtom([np.asarray(queries[k], dtype=np.float32) for k in keys],
                                              [np.asarray(targets[n], dtype=np.float32) for n in names])
    p = np.clip(np.nan_to_num(np.asarray(p, dtype=np.float64), nan=1.0), 0, 1)
    q = np.stack([false_discovery_control(row) for row in p])
    rows = []
    for i, k in enumerate(keys):
        order = np.argsort(p[i], kind="stable")
        rank = 0
        for j in order:
            if p[i, j] >= max_p:
                break
            rows.append((k, rank, names[j], p[i, j], q[i, j], int(offsets[i, j]), int(overlaps[i, j]),
                         "-" if int(strands[i, j]) else "+"))
            rank += 1
    return pd.DataFrame(rows, columns=MATCH_COLUMNS)


def cluster_names(matches: pd.DataFrame, q_threshold: float = 0.05, n_names: int = 4) -> dict:
    """Cluster id -> its names: the targets with ``q < q_threshold``, best first, at most ``n_names``, joined by '/'."""
    ok = matches[matches["q"] < q_threshold].sort_values(["cluster", "p"], kind="stable")
    return {c: "/".join(g["target"].head(n_names)) for c, g in ok.groupby("cluster", sort=True)}


def read_cluster_pfms(path) -> dict[int, np.ndarray]:
    """The cluster PFMs of a motifs_cluster MEME file, by cluster id.

    Parameters
    ----------
    path : str or pathlib.Path
        MEME file with motifs ``cluster<k>`` (:func:`deepallele.motifs.cluster.write_clusters`).

    Returns
    -------
    dict of int to numpy.ndarray
        Cluster ``k`` -> PFM ``(4, w)``; empty when no cluster was named (a file without motifs).
    """
    from .jaspar import read_meme

    if "MOTIF" not in Path(path).read_text():
        return {}
    return {int(k.removeprefix("cluster")): v for k, v in read_meme(path).items()}


def cluster_names_table(matches: pd.DataFrame, q_threshold: float = 0.05, n_names: int = 4) -> pd.DataFrame:
    """:func:`cluster_names` as a table (``cluster, name``), one row per named cluster."""
    names = cluster_names(matches, q_threshold, n_names)
    return pd.DataFrame({"cluster": list(names), "name": list(names.values())})
