"""Named targets (rules/targets.smk) and reruns: one rule per stage and per figure family, every
figure file a target, and a plotting-only parameter change reruns only that figure's job."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests/data/tiny_config.yaml"
STAGES = ["simulate", "reads", "counts", "datasets", "models", "interpret", "meandiff", "qc", "validation", "figures"]


def snakemake(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args],
                          capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def target_rules(tmp_path_factory) -> list[str]:
    work = tmp_path_factory.mktemp("targets")
    res = snakemake("--configfile", str(TINY), "--list-target-rules", cwd=work)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout.split()


def test_stage_and_figure_targets_exist(target_rules):
    for name in STAGES + ["fig1", "fig2", "fig3", "figS2", "figS7", "qc_plots", "training_curves"]:
        assert name in target_rules, (name, target_rules)


@pytest.mark.parametrize("target,rules,absent", [
    ("fig1", {"figure_performance", "train"}, {"interpret_figures", "figure_meandiff", "reads_qc"}),
    ("qc_plots", {"reads_qc"}, {"train", "figure_performance"}),
    ("counts", {"allele_counts", "bigwig"}, {"paired_dataset", "train"}),
])
def test_named_target_plans_only_its_stage(tmp_path, target, rules, absent, job_counts):
    res = snakemake("--configfile", str(TINY), "-n", target, "--quiet", "rules", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    jobs = job_counts(res.stdout)
    assert rules <= set(jobs), (target, jobs)
    assert not absent & set(jobs), (target, jobs)


def test_target_datasets_restrict_rule_all(tmp_path):
    """A second config file that adds a dataset and names only it in target_datasets."""
    extra = {"target_datasets": ["tiny_atac"]}
    (tmp_path / "extra.yaml").write_text(yaml.safe_dump(extra))
    res = snakemake("--configfile", str(TINY), str(tmp_path / "extra.yaml"), "-n", "--quiet", "all",
                    cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    res = snakemake("--configfile", str(TINY), str(tmp_path / "extra.yaml"), "-n", "validation", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "results/tiny_atac/validation/model.tsv" in res.stdout
    assert "tiny_chip" not in res.stdout
    # a file of a dataset outside target_datasets is still a target
    res = snakemake("--configfile", str(TINY), str(tmp_path / "extra.yaml"), "-n",
                    "results/tiny_chip/data/pairs.h5", cwd=tmp_path)
    assert res.returncode == 0 and "tiny_chip" in res.stdout, res.stderr[-3000:]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"target_datasets": ["nope"]}))
    res = snakemake("--configfile", str(TINY), str(tmp_path / "bad.yaml"), "-n", cwd=tmp_path)
    assert res.returncode != 0 and "target_datasets: nope" in res.stdout + res.stderr


def test_validation_config_builds_only_its_datasets(tmp_path, job_counts):
    """`make validate`: the demo config plus config/validation.yaml plans the two larger
    simulated datasets end to end and nothing of the demo's."""
    res = snakemake("--configfile", str(REPO / "config/config.yaml"), str(REPO / "config/validation.yaml"),
                    "-n", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "demo_chip" not in res.stdout and "demo_atac" not in res.stdout
    for ds in ("big_chip", "big_atac"):
        for table in ("model", "interpretation", "meandiff"):
            assert f"results/{ds}/validation/{table}.tsv" in res.stdout
    train = [line for line in res.stdout.splitlines() if "models/deepallele/seed0" in line]
    assert train, "no DeepAllele training job planned"


def test_every_figure_file_is_a_target(tmp_path):
    """All figure files (PNG/PDF/TSV) of both tiny datasets as targets of one dry run."""
    res = snakemake("--configfile", str(TINY), "-n", "figures", "--quiet", "rules", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    figures = [f"results/{ds}/figures/fig1c_counts.png" for ds in ("tiny_chip", "tiny_atac")]
    figures += ["results/tiny_atac/figures/figS7_pie.tsv", "results/tiny_chip/figures/fig2a_locus.pdf",
                "results/tiny_chip/qc/reads_qc.png"]
    res = snakemake("--configfile", str(TINY), "-n", *figures, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]


@pytest.mark.slow
def test_plot_parameter_change_reruns_only_that_figure(tiny_run, tmp_path, job_counts):
    """After a complete run, changing the read-QC plot's dpi (a param of rule reads_qc, nothing
    else reads it) makes a dry run list exactly the reads_qc jobs, one per dataset."""
    before = snakemake("-n", "--configfile", str(TINY), "--directory", str(tiny_run), cwd=tmp_path)
    assert before.returncode == 0 and "Nothing to be done" in before.stdout + before.stderr, before.stdout[-3000:]

    config = yaml.safe_load(TINY.read_text())
    config["plots"] = {"reads_qc": {"dpi": 90}}
    changed = tmp_path / "config.yaml"
    changed.write_text(yaml.safe_dump(config))
    res = snakemake("-n", "--configfile", str(changed), "--directory", str(tiny_run), "--quiet", "rules",
                    cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert job_counts(res.stdout) == {"reads_qc": len(config["datasets"]), "all": 1}, res.stdout
    reasons = snakemake("-n", "--configfile", str(changed), "--directory", str(tiny_run), "qc_plots",
                        cwd=tmp_path)
    assert re.search(r"[Pp]arams have changed", reasons.stdout + reasons.stderr), \
        reasons.stdout[-3000:]


def test_figures_target_of_a_scatac_dataset_plans(tmp_path):
    """`snakemake figures` on a scATAC dataset: its figures, and no bulk read-QC plot (which needs
    per-sample bulk counts a scATAC dataset does not make)."""
    res = snakemake("--configfile", str(REPO / "tests/data/tiny_scatac.yaml"), "-n", "figures", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert "fig1c_counts.png" in res.stdout
    assert "rule reads_qc:" not in res.stdout
