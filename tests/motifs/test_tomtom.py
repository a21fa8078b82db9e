"""TomTom naming with memelite against the JASPAR 2020 motifs (built offline from pyjaspar)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.motifs.tomtom import (MATCH_COLUMNS, cluster_names, cluster_names_table, read_cluster_pfms,
                                      tomtom_table)


@pytest.fixture(scope="module")
def jaspar():
    from deepallele.motifs.jaspar import jaspar_motifs

    return jaspar_motifs()


def test_jaspar_motifs_named_back(jaspar):
    rng = np.random.default_rng(0)
    queries = {}
    for k, name in enumerate(("SPI1", "CTCF")):
        m = jaspar[name] + rng.uniform(0, 0.05, jaspar[name].shape)
        queries[k] = m / m.sum(0)
    queries[2] = np.full((4, 8), 0.25)          # uninformative: skipped
    queries[3] = queries[0][::-1, ::-1].copy()  # SPI1 on the other strand
    t = tomtom_table(queries, jaspar)
    assert list(t.columns) == MATCH_COLUMNS and 2 not in set(t["cluster"])
    names = cluster_names(t)
    assert "SPI1" in names[0].split("/") and "CTCF" in names[1].split("/")
    assert "SPI1" in names[3].split("/")
    assert all(len(v.split("/")) <= 4 for v in names.values())
    best = t[(t["cluster"] == 1) & (t["rank"] == 0)].iloc[0]
    assert best["target"].startswith("CTCF") and best["q"] < 0.05


def test_cluster_names_threshold():
    m = pd.DataFrame({"cluster": [0, 0, 1], "rank": [0, 1, 0], "target": ["A", "B", "C"], "p": [1e-6, 1e-3, 0.2],
                      "q": [1e-4, 0.04, 0.3], "offset": 0, "overlap": 5, "strand": "+"})
    assert cluster_names(m) == {0: "A/B"}


def test_cluster_pfms_and_names_table(tmp_path):
    from deepallele.motifs.jaspar import write_meme

    pfm = np.array([[0.7, 0.1], [0.1, 0.1], [0.1, 0.7], [0.1, 0.1]])
    write_meme({"cluster3": pfm, "cluster10": pfm[:, ::-1]}, tmp_path / "c.meme")
    pfms = read_cluster_pfms(tmp_path / "c.meme")
    assert list(pfms) == [3, 10] and np.allclose(pfms[10], pfm[:, ::-1])
    write_meme({}, tmp_path / "none.meme")   # no cluster was named
    assert read_cluster_pfms(tmp_path / "none.meme") == {}
    m = pd.DataFrame({"cluster": [0, 0, 1], "rank": [0, 1, 0], "target": ["A", "B", "C"], "p": [1e-6, 1e-3, 0.2],
                      "q": [1e-4, 0.04, 0.3], "offset": 0, "overlap": 5, "strand": "+"})
    assert cluster_names_table(m).values.tolist() == [[0, "A/B"]]
    assert list(cluster_names_table(m.iloc[2:]).columns) == ["cluster", "name"]
