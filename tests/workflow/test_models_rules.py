"""The model-stage rules (train, evaluate_models, figure_performance, validate_models) run by Snakemake
on toy pairs.h5 files placed where the dataset stage writes them: tiny architecture, 2 model
types x 2 seeds x 2 epochs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from deepallele.models.data import synthetic_pairs

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "tests/workflow/data/Snakefile_models"
TINY_ARCH = {"conv_layers": 1, "kernel_number": 8, "kernel_length": 7, "filter_number": 8, "kernel_size": 3,
             "pooling_size": 4, "h_layers": 1, "hidden_size": 16, "dropout": 0.1}


def _snakemake(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), *args],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("models_rules")
    config = yaml.safe_load((REPO / "tests/data/tiny_config.yaml").read_text())
    config["models"] = {"types": ["deepallele", "ref_only"], "seeds": [0, 1], "preset": "demo",
                        "architecture": TINY_ARCH, "training": {"max_epochs": 2, "accelerator": "cpu"}}
    config["threads"] = {"train": 2}  # the job's threads reach torch (checked below)
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    for i, ds in enumerate(config["datasets"]):
        (work / "results" / ds / "data").mkdir(parents=True)
        synthetic_pairs(work / "results" / ds / "data" / "pairs.h5", n=160, length=48, seed=i)
    return work


def test_lint(workdir):
    res = _snakemake("--configfile", "config.yaml", "--lint", cwd=workdir)
    assert res.returncode == 0, res.stdout + res.stderr


def test_dry_run_jobs(workdir, job_counts):
    res = _snakemake("--configfile", "config.yaml", "-n", "--quiet", "rules", cwd=workdir)
    assert res.returncode == 0, res.stderr[-3000:]
    counts = job_counts(res.stdout)
    # 2 datasets x 2 model types x 2 seeds; one evaluation, figure set and validation per dataset
    assert counts["train"] == 8 and counts["evaluate_models"] == 2 and counts["figure_performance"] == 2
    assert counts["validate_models"] == 2


def test_dataset_models_reach_the_training_job(workdir):
    """``datasets.<name>.models`` changes that dataset's training jobs only."""
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["datasets"]["tiny_chip"]["models"] = {"training": {"max_epochs": 7}}
    (workdir / "override.yaml").write_text(yaml.safe_dump(config))
    res = _snakemake("--configfile", "override.yaml", "-n", "--printshellcmds", "--forceall",
                     "results/tiny_chip/models/ref_only/seed0/best.ckpt",
                     "results/tiny_atac/models/ref_only/seed0/best.ckpt", cwd=workdir)
    assert res.returncode == 0, res.stderr[-3000:]
    epochs = {}
    for line in res.stdout.splitlines():
        if "deepallele train" in line:
            ds = "tiny_chip" if "tiny_chip" in line else "tiny_atac"
            training = json.loads(line.split("--training-json ")[1].split("' --threads")[0].strip("'"))
            epochs[ds] = training["max_epochs"]
    assert epochs == {"tiny_chip": 7, "tiny_atac": 2}


@pytest.mark.slow
def test_model_stage_runs(workdir):
    ds = "tiny_atac"
    res = _snakemake("--configfile", "config.yaml", "--cores", "2", f"results/{ds}/validation/model.tsv",
                     f"results/{ds}/figures/fig1d_ratio.png", cwd=workdir)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    base = workdir / "results" / ds
    for model in ("deepallele", "ref_only"):
        for seed in (0, 1):
            run = base / "models" / model / f"seed{seed}"
            s = json.loads((run / "train_summary.json").read_text())
            assert s["epochs"] == 2 and s["threads"] == 2 and s["architecture"]["hidden_size"] == 16
            assert (run / "checkpoints" / "last.ckpt").exists()
            assert (workdir / "results/benchmarks/jobs/train" / ds / model / f"seed{seed}.tsv").exists()
    perf = pd.read_csv(base / "metrics/performance.tsv", sep="\t")
    assert set(perf["model"]) == {"deepallele", "ref_only"} and set(perf["seed"]) == {0, 1}
    assert set(perf["target"]) == {"count", "count_ref", "count_alt", "ratio"}
    val = pd.read_csv(base / "validation/model.tsv", sep="\t")
    assert "ratio_gain_vs_ref_only" in set(val["metric"])
    assert (base / "figures/training_curves.tsv").exists()
