"""A MeanDiff scan written and read back (deepallele.motifs.meandiff.scan_io)."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.motifs.meandiff.scan_io import read_scan, write_scan


def test_scan_round_trip(scan, tmp_path):
    back = read_scan(write_scan(scan, tmp_path / "scan.npz"))
    assert back.motifs == scan.motifs and list(back.peak) == list(scan.peak)
    np.testing.assert_allclose(back.delta, scan.delta, rtol=1e-6, equal_nan=True)
    np.savez(tmp_path / "bad.npz", motifs=np.array(["a"]))
    with pytest.raises(ValueError, match="bad.npz: not a MeanDiff scan"):
        read_scan(tmp_path / "bad.npz")
