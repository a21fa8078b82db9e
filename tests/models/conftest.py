"""Fixtures of the model tests: a tiny architecture, a toy pairs.h5 with a planted rule, a GPU skip."""
from __future__ import annotations

import pytest
import torch

from deepallele.models.data import synthetic_pairs

TINY_ARCH = {"conv_layers": 2, "kernel_number": 8, "kernel_length": 7, "filter_number": 8, "kernel_size": 3,
             "pooling_size": 4, "h_layers": 1, "hidden_size": 16, "dropout": 0.1, "first_batch_norm": True}


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``gpu`` when no CUDA device is visible."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def tiny_arch() -> dict:
    return dict(TINY_ARCH)


@pytest.fixture(scope="module")
def tiny_arch_module() -> dict:
    return dict(TINY_ARCH)


@pytest.fixture(scope="session")
def toy_pairs(tmp_path_factory):
    """200 pairs, L 64 (last 4 positions padding), a planted motif that raises ln counts by 1 per copy."""
    return synthetic_pairs(tmp_path_factory.mktemp("pairs") / "pairs.h5", n=200, length=64, seed=0)
