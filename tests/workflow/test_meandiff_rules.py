"""The MeanDiff-stage rules (jaspar_meme, meandiff_scan, meandiff_tests, figure_meandiff,
validate_meandiff) run by Snakemake on toy pairs.h5 files placed where the dataset stage writes
them. In ``tiny_chip`` the JASPAR SPI1 and FOS::JUN consensus sites are planted in one allele
only, and the ln ratio follows them, so both planted motifs must come out significant."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

from deepallele.motifs.jaspar import jaspar_motifs

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "tests/workflow/data/Snakefile_meandiff"
TINY_CONFIG = REPO / "tests/data/tiny_config.yaml"
L = 120


def _snakemake(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), "--configfile",
                           str(cwd / "config.yaml"), "--directory", str(cwd), *args], capture_output=True, text=True,
                          cwd=cwd)


def _write_pairs(path: Path, ref, alt, ratio, split, test_is_val=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(ratio)
    with h5py.File(path, "w") as h5:
        h5["ref_codes"] = ref
        h5["alt_codes"] = alt
        h5["y"] = np.stack([np.ones(n), np.ones(n) - ratio, ratio], axis=1).astype(np.float32)
        h5.create_dataset("split", data=list(split), dtype=h5py.string_dtype())
        h5.create_dataset("peak", data=[f"peak{i}" for i in range(n)], dtype=h5py.string_dtype())
        h5.attrs["sequence_length"] = L
        h5.attrs["test_is_val"] = test_is_val


def _planted_pairs(rng, n_per_group=30):
    """Random 110 bp + 10 bp padding; SPI1 / FOS::JUN consensus in ref only or alt only."""
    motifs = jaspar_motifs()
    sites = {m: motifs[m].argmax(axis=0).astype(np.uint8) for m in ("SPI1", "FOS::JUN")}
    ref, alt, ratio = [], [], []
    for motif, effect in (("SPI1", 1.5), ("FOS::JUN", 1.0), (None, 0.0)):
        for side in ("ref", "alt"):
            for _ in range(n_per_group):
                r = rng.integers(0, 4, L).astype(np.uint8)
                r[110:] = 5
                a = r.copy()
                if motif is not None:
                    s = sites[motif]
                    pos = rng.integers(0, 100 - s.size)
                    (r if side == "ref" else a)[pos:pos + s.size] = s
                ref.append(r), alt.append(a)
                ratio.append((effect if side == "ref" else -effect) + rng.normal(0, 0.3))
    return np.stack(ref), np.stack(alt), np.array(ratio)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("meandiff_rules")
    rng = np.random.default_rng(3)
    ref, alt, ratio = _planted_pairs(rng)
    n = len(ratio)
    split = np.where(np.arange(n) % 10 == 0, "train", "test")
    _write_pairs(work / "results/tiny_chip/data/pairs.h5", ref, alt, ratio, split)
    # tiny_atac: paper split scheme (held-out rows labelled "val"), random sequences, no signal
    r = rng.integers(0, 4, (60, L)).astype(np.uint8)
    _write_pairs(work / "results/tiny_atac/data/pairs.h5", r, r.copy(), rng.normal(0, 1, 60),
                 ["train"] * 20 + ["val"] * 40, test_is_val=True)
    # this harness has no interpretation stage: the comparison is required and its tables placed.
    # tiny_chip: the first 5 test peaks have their main variant in a named motif; tiny_atac: none.
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["meandiff"] = {"compare_deepallele": "required"}
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    test_peaks = [f"peak{i}" for i in np.flatnonzero(split == "test")]
    mv = work / "results/tiny_chip/interpret/main_variants.tsv"
    mv.parent.mkdir(parents=True)
    pd.DataFrame({"peak": test_peaks[:8], "in_motif": [True] * 5 + [False] * 3,
                  "motif_name": ["SPI1"] * 5 + [""] * 3}).to_csv(mv, sep="\t", index=False)
    mv = work / "results/tiny_atac/interpret/main_variants.tsv"
    mv.parent.mkdir(parents=True)
    pd.DataFrame({"peak": ["peak20", "peak21"], "in_motif": [False, False],
                  "motif_name": ["", ""]}).to_csv(mv, sep="\t", index=False)
    return work


def test_lint(workdir):
    res = _snakemake("--lint", cwd=workdir)
    assert res.returncode == 0, res.stdout + res.stderr


def test_dry_run_jobs(workdir, job_counts):
    res = _snakemake("-n", "--quiet", "rules", cwd=workdir)
    assert res.returncode == 0, res.stderr[-3000:]
    counts = job_counts(res.stdout)
    assert counts["jaspar_meme"] == 1 and counts["meandiff_scan"] == 2 and counts["meandiff_tests"] == 2
    assert counts["figure_meandiff"] == 2 and counts["validate_meandiff"] == 2
    # the validation's second scan over every peak (both tiny datasets are simulated)
    assert counts["meandiff_scan_all_peaks"] == 2 and counts["meandiff_tests_all_peaks"] == 2
    assert counts["figure_meandiff_all_peaks"] == 2


@pytest.mark.slow
def test_meandiff_stage_runs(workdir):
    res = _snakemake("--cores", "2", cwd=workdir)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    meme = (workdir / "resources/motifs/JASPAR2020_CORE_vertebrates_non-redundant.meme").read_text()
    assert meme.count("\nMOTIF ") == 746
    chip = workdir / "results/tiny_chip"
    tests = pd.read_csv(chip / "meandiff/motif_tests.tsv", sep="\t")
    assert len(tests) == 746 and tests["rank"].tolist() == list(range(1, 747))
    sig = set(tests.loc[tests["significant_meandiff"], "motif"])
    assert {"SPI1", "FOS::JUN"} <= sig
    val = pd.read_csv(chip / "validation/meandiff.tsv", sep="\t").set_index("metric")["value"]
    assert float(val["planted_motifs_significant"]) == 1.0
    assert float(val["planted_motifs_significant_all_peaks"]) == 1.0
    assert val["top_motif_planted_or_similar"] == "True"
    assert int(val["n_sequences"]) == 162 and int(val["n_sequences_all_peaks"]) == 180
    seqs = pd.read_csv(chip / "meandiff/sequence_effects.tsv", sep="\t", keep_default_na=False)
    assert len(seqs) == 162  # 180 pairs, every tenth in train
    cmp = pd.read_csv(chip / "meandiff/comparison.tsv", sep="\t").set_index("category")
    affected = set(seqs.loc[seqs["affected"].astype(bool), "peak"])
    assert cmp.loc["deepallele_explains", "n"] == len(affected & {f"peak{i}" for i in (1, 2, 3, 4, 5)}) > 0
    assert cmp.loc["meandiff_explains", "n"] > 0.5 * cmp.loc["affected", "n"]
    for fig in ("figS7_motifs", "figS7_effects", "figS7_pie", "figS7_all_peaks_motifs", "figS7_all_peaks_pie"):
        for ext in ("pdf", "png", "tsv"):
            assert (chip / f"figures/{fig}.{ext}").stat().st_size > 0
    atac = workdir / "results/tiny_atac"
    cmp = pd.read_csv(atac / "meandiff/comparison.tsv", sep="\t").set_index("category")
    assert cmp.loc["deepallele_explains", "n"] == 0
    # without DeepAllele's table ('never'), the input set changes: only that figure job reruns
    res = _snakemake("--cores", "1", "results/tiny_atac/meandiff/comparison.tsv",
                     "--config", "meandiff={compare_deepallele: never}", cwd=workdir)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    assert "figure_meandiff" in res.stdout + res.stderr and "meandiff_scan" not in res.stdout + res.stderr
    cmp = pd.read_csv(atac / "meandiff/comparison.tsv", sep="\t").set_index("category")
    assert cmp.loc["deepallele_explains", "status"] == "not available"
    assert len(pd.read_csv(atac / "meandiff/sequence_effects.tsv", sep="\t")) == 40
    assert (workdir / "results/benchmarks/jobs/meandiff_scan/tiny_chip.tsv").exists()
