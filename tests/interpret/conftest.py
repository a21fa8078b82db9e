"""Fixtures of the interpretation tests."""
from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def pwm():
    rng = np.random.default_rng(3)
    w = rng.random((4, 24)) * 0.2
    w[[0, 2, 2, 0, 3, 1], np.arange(8, 14)] += 2.0  # a motif "AGGATC" at positions 8..13
    return w
