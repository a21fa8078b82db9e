"""Benchmark table assembly (the measuring subprocesses replaced by a stub) and one tiny measurement."""
from __future__ import annotations

import pytest

from deepallele.models import benchmark as bm


def test_table_columns_speedups_and_malloc_env(monkeypatch):
    seen = []

    def fake(spec, env=None):
        seen.append((spec, env))
        return {"train_pairs_per_s": 78.0, "forward_pairs_per_s": 204.0, "params": 2_512_898}

    monkeypatch.setattr(bm, "_run_worker", fake)
    t = bm.benchmark_training(presets=["paper_atac"], device="cpu", repeats=2)
    assert list(t.columns) == bm.COLUMNS
    assert t["malloc"].tolist() == ["default", "tuned", "tuned", "tuned"]
    assert t["layout"].tolist() == ["stacked", "stacked", "stacked", "per_allele"]
    assert t["precision"].tolist() == ["fp32", "fp32", "bf16", "fp32"]
    assert t["speedup_train"].iloc[0] == pytest.approx(2.0) and t["speedup_forward"].iloc[0] == pytest.approx(2.0)
    assert seen[0][1] == {} and seen[1][1] == bm.MALLOC_TUNED


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_measure_runs_on_the_demo_model(precision):
    r = bm.measure("demo", batch=4, repeats=1, steps=1, threads=1, precision=precision)
    assert r["train_pairs_per_s"] > 0 and r["forward_pairs_per_s"] > 0 and r["params"] > 0
