"""Fixtures of the motif tests: the hand-built MeanDiff pairs and their scan (``meandiff_toys``)."""
from __future__ import annotations

import pytest

from deepallele.motifs.meandiff.pairs import PairSet
from deepallele.motifs.meandiff.scan import Scan, scan_pairs

from meandiff_toys import EPS, MOTIFS, toy_pair_set


@pytest.fixture(scope="module")
def pairs() -> PairSet:
    return toy_pair_set()


@pytest.fixture(scope="module")
def scan(pairs) -> Scan:
    return scan_pairs(MOTIFS, pairs, bin_size=0.1, eps=EPS)
