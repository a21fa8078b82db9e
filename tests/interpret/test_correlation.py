"""Per-sequence attribution correlation (hand-made arrays); the validation against truth is in
tests/validation/test_validation_interpret.py."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.interpret.correlation import per_sequence_correlation


def test_per_sequence_correlation():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 2, 4, 10))
    b = a.copy()
    b[1] *= -1
    b[2] = rng.normal(size=(2, 4, 10))
    r = per_sequence_correlation(a, b)
    assert r[0] == pytest.approx(1) and r[1] == pytest.approx(-1) and abs(r[2]) < 0.5
    x = np.zeros((3, 2, 4, 10))
    x[:, :, 0, :] = 1
    assert per_sequence_correlation(a, 2 * a, x, reference_only=True) == pytest.approx([1, 1, 1])
    assert np.isnan(per_sequence_correlation(np.zeros((1, 2, 4, 3)), a[:1, :, :, :3])[0])
