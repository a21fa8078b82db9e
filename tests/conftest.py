"""Shared fixtures: the repository root, a tiny simulated dataset (made once per session)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TINY_CONFIG = REPO / "tests" / "data" / "tiny_config.yaml"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def tiny_config() -> dict:
    return yaml.safe_load(TINY_CONFIG.read_text())


@pytest.fixture(scope="session")
def tiny_sim(tmp_path_factory) -> Path:
    """The tiny config simulated once (CLI path, same code as the rules)."""
    from deepallele.cli import main

    out = tmp_path_factory.mktemp("sim")
    assert main(["simulate", "--config", str(TINY_CONFIG), "--outdir", str(out)]) == 0
    return out
