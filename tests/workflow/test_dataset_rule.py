"""Paired-allele dataset rules, run by Snakemake on the tiny simulated config.

The simulator and the pseudogenome rule build both genomes; the allele counts table is
placed by the test (the simulator's known peaks with made-up counts), so the read pipeline
is not needed. The validation table compares the HDF5 with the simulator's truth.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "tests/workflow/data/Snakefile_dataset"
TINY_CONFIG = REPO / "tests/data/tiny_config.yaml"
DATASETS = {"tiny_chip": 551, "tiny_atac": 330}
SIM = "resources/simulated"
ENV = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
EXACT = ["padding_consistent", "ref_length_is_window", "ref_matches_fasta", "strain_interval_matches_truth",
         "strain_sequence_matches_truth", "variants_snp_check", "variants_edit_check",
         "length_difference_matches_variants", "peaks_with_truth_region", "truth_variants_listed",
         "targets_match_counts"]


def _snakemake(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), "--configfile",
                           str(TINY_CONFIG), *args], capture_output=True, text=True, cwd=cwd, env=ENV)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    work = tmp_path_factory.mktemp("dataset_rules")
    peaks = [f"{SIM}/datasets/{d}/known_peaks.bed" for d in DATASETS]
    res = _snakemake("--directory", str(work), "--cores", "2", *peaks, cwd=work)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    rng = np.random.default_rng(1)
    for ds in DATASETS:
        bed = pd.read_csv(work / f"{SIM}/datasets/{ds}/known_peaks.bed", sep="\t", header=None,
                          names=["chrom", "start", "end", "peak"])
        bed["ref_count"] = rng.integers(0, 200, len(bed))
        bed["alt_count"] = rng.integers(0, 200, len(bed))
        bed["ln_ratio"] = np.log1p(bed["ref_count"]) - np.log1p(bed["alt_count"])
        out = work / f"results/{ds}/counts/allele_counts.tsv"
        out.parent.mkdir(parents=True)
        bed[["peak", "chrom", "start", "end", "ref_count", "alt_count", "ln_ratio"]].to_csv(out, sep="\t", index=False)
    res = _snakemake("--directory", str(work), "--cores", "2", cwd=work)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    return work


def test_lint_is_clean(tmp_path):
    res = _snakemake("--lint", "--directory", str(tmp_path), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Congratulations" in res.stdout + res.stderr


@pytest.mark.parametrize("dataset", DATASETS)
def test_validation_metrics_exact(work, dataset):
    table = pd.read_csv(work / f"results/{dataset}/validation/dataset.tsv", sep="\t")
    assert list(table.columns) == ["metric", "value", "goal", "n", "ci_low", "ci_high", "status"]
    values = table.set_index("metric")["value"]
    for metric in EXACT:
        assert values[metric] == 1.0, (metric, values[metric])
    assert values["variants"] > 100 and values["truth_variants_in_windows"] > 100
    assert values["peaks_with_indel"] > 0.05
    assert values["n_val"] > 0 and values["n_test"] > 0


@pytest.mark.parametrize("dataset, length", DATASETS.items())
def test_hdf5_layout(work, dataset, length):
    counts = pd.read_csv(work / f"results/{dataset}/counts/allele_counts.tsv", sep="\t")
    with h5py.File(work / f"results/{dataset}/data/pairs.h5") as h5:
        n = len(counts)
        assert h5.attrs["sequence_length"] == length
        assert h5["ref_codes"].shape == h5["alt_codes"].shape == (n, length)
        assert h5["y"].shape == (n, 3) and h5["ref_codes"].compression == "gzip"
        assert h5["peak"].asstr()[()].tolist() == counts["peak"].tolist()
        split = h5["split"].asstr()[()]
        chrom = h5["chrom"].asstr()[()]
        assert set(chrom[split == "val"]) == {"chr16"} and set(chrom[split == "test"]) <= {"chr17", "chr18"}
        assert h5.attrs["split_scheme"] == "heldout" and h5.attrs["strain_name"] in ("PWK", "CAST")
        assert len(h5["variants/id"]) > 0
    summary = pd.read_csv(work / f"results/{dataset}/data/pairs_summary.tsv", sep="\t").set_index("split")
    assert summary.loc["all", "n_peaks"] == n and summary.loc["all", "sequence_length"] == length
    assert summary.loc[["train", "val", "test"], "n_peaks"].sum() == n
    assert (work / f"results/benchmarks/jobs/paired_dataset/{dataset}.tsv").exists()
    assert "variants in the windows" in (work / f"results/logs/paired_dataset/{dataset}.log").read_text()


def test_rerun_is_a_no_op(work):
    res = _snakemake("-n", "--directory", str(work), cwd=work)
    assert res.returncode == 0, res.stderr
    assert "Nothing to be done" in res.stdout + res.stderr
