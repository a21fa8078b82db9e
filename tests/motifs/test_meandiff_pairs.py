"""The pairs MeanDiff scans, read from a pairs.h5 (deepallele.motifs.meandiff.pairs)."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

from deepallele.motifs.meandiff.pairs import load_pair_set


def _write_h5(path, split, test_is_val):
    n = len(split)
    with h5py.File(path, "w") as h5:
        h5["ref_codes"] = np.zeros((n, 10), np.uint8)
        h5["alt_codes"] = np.ones((n, 10), np.uint8)
        h5["y"] = np.stack([np.zeros(n), np.zeros(n), np.arange(n)], axis=1).astype(np.float32)
        h5.create_dataset("split", data=split, dtype=h5py.string_dtype())
        h5.create_dataset("peak", data=[f"p{i}" for i in range(n)], dtype=h5py.string_dtype())
        h5.attrs["test_is_val"] = test_is_val


def test_load_pair_set_test_split_and_paper_scheme(tmp_path):
    _write_h5(tmp_path / "a.h5", ["train", "test", "val", "test"], False)
    ps = load_pair_set(tmp_path / "a.h5", "test")
    assert ps.split == "test" and ps.peak.tolist() == ["p1", "p3"] and ps.ratio.tolist() == [1.0, 3.0]
    _write_h5(tmp_path / "b.h5", ["train", "val", "val"], True)
    ps = load_pair_set(tmp_path / "b.h5", "test")
    assert ps.split == "val" and ps.peak.tolist() == ["p1", "p2"] and ps.length == 10
    _write_h5(tmp_path / "c.h5", ["train", "val"], False)
    with pytest.raises(ValueError, match="c.h5: no rows in split 'test'"):
        load_pair_set(tmp_path / "c.h5", "test")
