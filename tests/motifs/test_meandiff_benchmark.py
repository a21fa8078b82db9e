"""The MeanDiff scan benchmark on random pairs (deepallele.motifs.meandiff.benchmark)."""
from __future__ import annotations

import numpy as np

from deepallele.motifs.meandiff.benchmark import benchmark_scan, random_pair_set

from meandiff_toys import MOTIFS


def test_random_pair_set_is_deterministic():
    a, b = random_pair_set(5, 30, seed=1), random_pair_set(5, 30, seed=1)
    np.testing.assert_array_equal(a.alt_codes, b.alt_codes)
    assert a.ref_codes.max() <= 3 and (a.ref_codes != a.alt_codes).any()


def test_benchmark_table_columns():
    table = benchmark_scan(MOTIFS, n_pairs=20, length=60, threads=1)
    row = table.iloc[0]
    assert (row["n_pairs"], row["length"], row["n_motifs"], row["threads"]) == (20, 60, 2, 1)
    assert row["target_seconds"] == 77.0 and row["paper_seconds"] == 774.0
    assert row["seconds"] >= row["scan_seconds"] > 0 and bool(row["meets_target"])
