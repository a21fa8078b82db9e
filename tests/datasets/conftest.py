"""Fixtures of the dataset tests (the tiny genome is described in tiny_genome.py)."""
from __future__ import annotations

import pytest
from tiny_genome import build_genome


@pytest.fixture()
def genome(tmp_path):
    return build_genome(tmp_path)
