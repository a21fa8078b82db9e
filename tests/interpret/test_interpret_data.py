"""Attribution files and the pairs they belong to (deepallele.interpret.data) on a three-pair pairs.h5."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from deepallele.alphabet import one_hot
from deepallele.datasets.pairs import VARIANT_COLUMNS
from deepallele.datasets.store import write_minimal_pairs
from deepallele.interpret.data import attributed_pairs, mean_attributions, save_attributions


@pytest.fixture
def pairs_h5(tmp_path):
    codes = np.array([[0, 1, 2, 3, 5, 5], [3, 3, 3, 3, 3, 3], [2, 2, 0, 0, 4, 5]], dtype=np.uint8)
    alt = codes.copy()
    alt[:, 1] = 0
    path = tmp_path / "pairs.h5"
    write_minimal_pairs(path, codes, alt, np.zeros((3, 3)), ["test"] * 3)
    # one SNP at position 1 of every pair
    with h5py.File(path, "a") as h5:
        group = h5.create_group("variants")
        values = {"peak_index": [0, 1, 2], "id": ["v0", "v1", "v2"], "kind": ["snp"] * 3, "ref_pos": [1] * 3,
                  "alt_pos": [1] * 3, "ref": ["C", "T", "G"], "alt": ["A"] * 3, "ref_edit": ["C", "T", "G"],
                  "alt_edit": ["A"] * 3, "complete": [True] * 3}
        for name in VARIANT_COLUMNS:
            data = values[name]
            group.create_dataset(name, data=data, dtype=h5py.string_dtype() if isinstance(data[0], str) else None)
    return path, codes, alt


def test_attributed_pairs_are_the_attributions_rows(pairs_h5, tmp_path):
    path, ref, alt = pairs_h5
    rows, peaks = np.array([2, 0]), np.array(["chr1-2-3", "chr1-0-1"])
    files = []
    for seed, value in enumerate((1.0, 3.0)):
        files.append(tmp_path / f"seed{seed}.npz")
        save_attributions(files[-1], np.full((2, 2, 4, 6), value), rows, peaks, "tism", "ratio", 0.5)
    attr, x, variants = attributed_pairs(files, path)
    assert attr["rows"].tolist() == [2, 0] and attr["method"] == "tism"
    assert np.all(attr["attr"] == 2.0)      # the mean of the two seeds
    np.testing.assert_array_equal(x, one_hot(np.stack([ref, alt], axis=1)[[2, 0]]))
    assert x.shape == (2, 2, 4, 6)
    assert variants["peak_index"].tolist() == [0, 2]     # pair 1 has no attributions
    save_attributions(tmp_path / "other.npz", np.zeros((2, 2, 4, 6)), rows[::-1], peaks[::-1], "tism", "ratio", 0.5)
    with pytest.raises(ValueError, match="different rows"):
        mean_attributions([files[0], tmp_path / "other.npz"])
