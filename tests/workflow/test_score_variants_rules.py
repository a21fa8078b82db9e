"""score-variants rules on the demo config (dry runs): the new SNVs of a simulated dataset are drawn
by their own rule and scored beside the strain VCF, and the validation reads both."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _snakemake(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args],
                          capture_output=True, text=True, cwd=cwd)


def test_demo_validation_plans_new_snvs_and_both_vcfs(tmp_path, job_counts):
    target = "results/demo_chip/validation/score_variants.tsv"
    res = _snakemake("--configfile", str(REPO / "config/config.yaml"), "-n", target, cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    jobs = job_counts(res.stdout)
    assert jobs["simulate_new_snvs"] == 1 and jobs["validate_score_variants"] == 1
    assert jobs["score_vcf"] == 4  # {strain, new_snvs} x {deepallele, ref_only}
    for path in ("resources/simulated/datasets/demo_chip/new_snvs.vcf.gz",
                 "resources/simulated/datasets/demo_chip/truth/new_snvs.tsv",
                 "results/demo_chip/score_variants/new_snvs/deepallele.tsv",
                 "results/demo_chip/score_variants/new_snvs/ref_only.tsv",
                 "results/demo_chip/score_variants/strain/ref_only.tsv"):
        assert path in res.stdout, path
    assert "demo_atac/new_snvs" not in res.stdout


def test_new_snvs_are_scored_by_the_stage_target_and_validated_when_not_listed(tmp_path):
    """Named target score_variants: new_snvs beside strain for the simulated datasets; with a VCF list
    without it, the validation still scores (and validates on) both."""
    extra = {"score_variants": {"vcfs": ["strain"], "new_snvs": {"n": 50, "seed": 3}}}
    (tmp_path / "extra.yaml").write_text(yaml.safe_dump(extra))
    res = _snakemake("--configfile", str(REPO / "config/config.yaml"), "-n", "score_variants", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    for ds in ("demo_chip", "demo_atac"):
        assert f"results/{ds}/score_variants/new_snvs/deepallele.vcf.gz" in res.stdout
    res = _snakemake("--configfile", str(REPO / "config/config.yaml"), str(tmp_path / "extra.yaml"), "-n",
                     "score_variants", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert "results/demo_chip/score_variants/new_snvs/deepallele.tsv" in res.stdout  # the validation's input
    assert "resources/simulated/datasets/demo_atac/truth/new_snvs.tsv" in res.stdout
