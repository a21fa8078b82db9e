"""The workflow as a whole: lint, the demo DAG, and a real run of everything on the tiny config."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest


def snakemake(repo: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(repo / "Snakefile"), *args],
                          capture_output=True, text=True, cwd=cwd or repo)


def test_lint_is_clean(repo):
    res = snakemake(repo, "--lint")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Congratulations" in res.stdout + res.stderr


def test_demo_dag_resolves(repo, tmp_path):
    # dry run of the shipped demo config in an empty directory: every job must be schedulable
    res = snakemake(repo, "-n", "--directory", str(tmp_path), "--configfile", str(repo / "config/config.yaml"))
    assert res.returncode == 0, res.stdout + res.stderr
    for rule in ("simulate_genome", "simulate_fragments", "simulate_fastq", "validate_simulation"):
        assert rule in res.stdout


def _metrics(path: Path) -> dict:
    table = pd.read_csv(path, sep="\t")
    assert list(table.columns) == ["metric", "value", "goal", "n", "ci_low", "ci_high", "status"]
    # numbers where a value is one (a table may also hold names, e.g. a TomTom match)
    return {k: pd.to_numeric(v, errors="coerce") if pd.notna(pd.to_numeric(v, errors="coerce")) else v
            for k, v in table.set_index("metric")["value"].items()}


@pytest.mark.parametrize("dataset", ["tiny_chip", "tiny_atac"])
def test_tiny_workflow_validation_tables(tiny_run, dataset):
    m = _metrics(tiny_run / f"results/{dataset}/validation/simulation.tsv")
    assert m["genome_gc"] == pytest.approx(0.42, abs=0.01)
    assert m["genome_cpg_obs_exp"] < 0.4
    assert m["duplicate_rate"] == pytest.approx(0.12, abs=0.01)
    assert m["read_ratio_vs_true_pearson_depth100"] >= 0.9
    assert m["min_regions_on_chr16_chr17_chr18"] > 0
    assert m["mean_abs_effect_variant_in_motif"] > 10 * m["mean_abs_effect_variant_outside_motif"]
    primary = {"tiny_chip": "SPI1", "tiny_atac": "ETS1"}[dataset]
    assert m["primary_truth_tomtom_rank"] >= 1  # the primary is among the truth's TomTom matches
    if primary == "SPI1":
        assert m["primary_truth_tomtom_best"] == "SPI1"


def test_tiny_workflow_writes_pipeline_inputs_and_logs(tiny_run):
    sim = tiny_run / "resources/simulated"
    sheet = pd.read_csv(sim / "datasets/tiny_chip/samples.tsv", sep="\t")
    for col in ("fastq_1", "fastq_2"):
        for f in sheet[col]:
            assert (sim / "datasets/tiny_chip" / f).stat().st_size > 0
    assert (sim / "genomes/tiny_pwk/strain.vcf.gz.tbi").exists()
    assert (tiny_run / "results/logs/simulate_genome/tiny_pwk.log").read_text().strip()


def test_rerun_is_a_no_op(repo, tiny_run):
    res = snakemake(repo, "-n", "--directory", str(tiny_run), "--configfile",
                    str(repo / "tests/data/tiny_config.yaml"))
    assert res.returncode == 0
    assert "Nothing to be done" in res.stdout + res.stderr
