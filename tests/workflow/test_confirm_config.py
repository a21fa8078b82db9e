"""config/confirm.yaml (make confirm): valid, and independent of everything used in development.

The confirmation run is only evidence if its cross, factors and seeds were never used while the
settings and goals were developed; these tests fail if a later change makes the demo, the
validation run, a test config or a grammar preset share one of them.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from deepallele.cli import main

DEVELOPMENT_CONFIGS = ["config/config.yaml", "config/validation.yaml", "tests/data/tiny_config.yaml",
                       "tests/data/tiny_scatac.yaml"]


def _load(repo: Path, rel: str) -> dict:
    return yaml.safe_load((repo / rel).read_text())


def _deep_merge(base: dict, over: dict) -> dict:
    """What ``snakemake --configfile a b`` does: b's keys over a's, mappings merged recursively."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _grammar_factors(grammar) -> set[str]:
    return set(grammar["motifs"]) if isinstance(grammar, dict) else set()


def _simulate_blocks(config: dict):
    for section in ("genomes", "datasets"):
        for name, entry in (config.get(section) or {}).items():
            if isinstance(entry, dict) and isinstance(entry.get("simulate"), dict):
                yield section, name, entry["simulate"]


def test_confirm_config_is_valid_alone_and_over_the_demo(repo, tmp_path):
    assert main(["check-config", "--config", str(repo / "config/confirm.yaml")]) == 0
    merged = _deep_merge(_load(repo, "config/config.yaml"), _load(repo, "config/confirm.yaml"))
    path = tmp_path / "merged.yaml"
    path.write_text(yaml.safe_dump(merged))
    assert main(["check-config", "--config", str(path)]) == 0
    # only the confirmation dataset is built; the demo's models/interpretation settings apply to it
    assert merged["target_datasets"] == ["confirm_atac"]
    assert merged["models"] == _load(repo, "config/config.yaml")["models"]


def test_confirm_factors_and_seeds_were_never_used_in_development(repo):
    confirm = _load(repo, "config/confirm.yaml")
    (dataset,) = confirm["datasets"].values()
    factors = _grammar_factors(dataset["simulate"]["grammar"])
    assert factors, "the confirmation grammar is inline and names its factors"

    presets = yaml.safe_load((repo / "src/deepallele/data/grammars.yaml").read_text())
    used_factors = set().union(*(_grammar_factors(g) for g in presets.values()))
    used_seeds = set()
    for rel in DEVELOPMENT_CONFIGS:
        for _, _, sim in _simulate_blocks(_load(repo, rel)):
            used_factors |= _grammar_factors(sim.get("grammar"))
            if "seed" in sim:
                used_seeds.add(sim["seed"])
    assert not factors & used_factors, f"factors already used in development: {sorted(factors & used_factors)}"
    confirm_seeds = {sim["seed"] for _, _, sim in _simulate_blocks(confirm)}
    confirm_seeds.add(dataset["simulate"]["grammar"]["perturb"]["seed"])
    assert not confirm_seeds & used_seeds, f"seeds already used in development: {sorted(confirm_seeds & used_seeds)}"


def test_confirm_cross_is_not_a_development_genome(repo):
    confirm = _load(repo, "config/confirm.yaml")
    for rel in DEVELOPMENT_CONFIGS:
        assert not set(confirm["genomes"]) & set(_load(repo, rel).get("genomes") or {}), rel
        assert not set(confirm["datasets"]) & set(_load(repo, rel).get("datasets") or {}), rel
