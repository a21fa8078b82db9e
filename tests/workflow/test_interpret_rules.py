"""The interpretation and motif rules run by Snakemake on a toy pairs.h5 with a planted motif and an
exact variant table: tiny models (2 types x 2 seeds x 2 epochs), attributions, variant effects,
seqlets, clustering, TomTom, groups, validation against toy truth tables, figures."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "tests/workflow/data/Snakefile_interpret"
TINY_ARCH = {"conv_layers": 1, "kernel_number": 8, "kernel_length": 7, "filter_number": 8, "kernel_size": 3,
             "pooling_size": 4, "h_layers": 1, "hidden_size": 16, "dropout": 0.1}
MOTIF = "AAAGAGGAAGTG"  # SPI1-like
VARIANT_COLUMNS = ["peak_index", "id", "kind", "ref_pos", "alt_pos", "ref", "alt", "ref_edit", "alt_edit", "complete"]


def _snakemake(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), *args],
                          capture_output=True, text=True, cwd=cwd)


def write_toy_dataset(h5_path: Path, truth_dir: Path, n: int = 240, length: int = 64, seed: int = 0) -> None:
    """Pairs with a planted SPI1-like motif; the causal SNP breaks it in the strain allele."""
    rng = np.random.default_rng(seed)
    ref = rng.integers(0, 4, (n, length - 4))
    has = rng.random(n) < 0.7
    mpos = rng.integers(5, length - 4 - len(MOTIF) - 5, n)
    for i in np.flatnonzero(has):
        ref[i, mpos[i]:mpos[i] + len(MOTIF)] = ["ACGT".index(c) for c in MOTIF]
    alt = ref.copy()
    variants, regions, truth_vars = [], [], []
    chroms = np.where(np.arange(n) < 0.6 * n, "chr1", np.where(np.arange(n) < 0.8 * n, "chr16", "chr17"))
    ratio = np.zeros(n)
    for i in range(n):
        snps = set(rng.choice(length - 4, 3, replace=False).tolist())
        causal = None
        if has[i] and rng.random() < 0.6:
            causal = int(mpos[i] + 5)  # the GG of GGAA
            snps.add(causal)
        main = ""
        for p in sorted(snps):
            alt[i, p] = (ref[i, p] + 1 + rng.integers(0, 3)) % 4
            vid = f"{chroms[i]}:{1000 * i + p + 1}:{'ACGT'[ref[i, p]]}:{'ACGT'[alt[i, p]]}"
            variants.append((i, vid, "snp", p, p, "ACGT"[ref[i, p]], "ACGT"[alt[i, p]], "ACGT"[ref[i, p]],
                             "ACGT"[alt[i, p]], True))
            is_causal = p == causal
            truth_vars.append({"variant_id": vid, "effect": 1.5 if is_causal else 0.0, "causal": is_causal,
                               "planted_site": "SPI1" if is_causal else ""})
            main = vid if is_causal else main
        ratio[i] = 1.5 if causal is not None else 0.0
        regions.append({"region_id": f"r{i}", "chrom": chroms[i], "summit": 1000 * i + 30,
                        "main_causal_variant": main})
    y_ref = 2 + 1.5 * has + rng.normal(0, 0.1, n)
    y = np.stack([y_ref, y_ref - ratio, ratio + rng.normal(0, 0.05, n)], 1).astype(np.float32)
    pad = np.full((n, 4), 5)
    split = np.where(chroms == "chr1", "train", np.where(chroms == "chr16", "val", "test"))
    s = h5py.string_dtype("utf-8")
    with h5py.File(h5_path, "w") as h5:
        h5.attrs["format"] = "deepallele-pairs"
        h5.attrs["sequence_length"] = length
        h5.create_dataset("ref_codes", data=np.concatenate([ref, pad], 1).astype(np.uint8))
        h5.create_dataset("alt_codes", data=np.concatenate([alt, pad], 1).astype(np.uint8))
        h5.create_dataset("y", data=y)
        h5.create_dataset("split", data=list(split), dtype=s)
        h5.create_dataset("peak", data=[f"{c}-{1000 * i}-{1000 * i + 60}" for i, c in enumerate(chroms)], dtype=s)
        h5.create_dataset("chrom", data=list(chroms), dtype=s)
        h5.create_dataset("peak_start", data=1000 * np.arange(n))
        h5.create_dataset("peak_end", data=1000 * np.arange(n) + 60)
        g = h5.create_group("variants")
        v = pd.DataFrame(variants, columns=VARIANT_COLUMNS)
        for c in VARIANT_COLUMNS:
            data = v[c].to_numpy()
            if data.dtype == object:
                g.create_dataset(c, data=list(data), dtype=s)
            else:
                g.create_dataset(c, data=data)
    truth_dir.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(regions).to_csv(truth_dir / "regions.tsv", sep="\t", index=False)
    pd.DataFrame(truth_vars).to_csv(truth_dir / "variants.tsv", sep="\t", index=False)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("interpret_rules")
    config = yaml.safe_load((REPO / "tests/data/tiny_config.yaml").read_text())
    config["datasets"] = {"tiny_chip": config["datasets"]["tiny_chip"]}
    config["models"] = {"types": ["deepallele", "ref_only"], "seeds": [0, 1], "preset": "demo",
                        "architecture": TINY_ARCH, "training": {"max_epochs": 2, "accelerator": "cpu"}}
    config["interpretation"] = {"cluster": {"min_seqlets": 3}, "benchmark": {"n_pairs": 1, "n_agreement": 10}}
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    (work / "results/tiny_chip/data").mkdir(parents=True)
    write_toy_dataset(work / "results/tiny_chip/data/pairs.h5", work / "resources/simulated/datasets/tiny_chip/truth")
    return work


def test_lint(workdir):
    res = _snakemake("--configfile", "config.yaml", "--lint", cwd=workdir)
    assert res.returncode == 0, res.stdout + res.stderr


def test_dry_run_jobs(workdir, job_counts):
    res = _snakemake("--configfile", "config.yaml", "-n", "--quiet", "rules", cwd=workdir)
    assert res.returncode == 0, res.stderr[-3000:]
    counts = job_counts(res.stdout)
    # one job per trained model (2 models x 2 seeds); DeepAllele's also run ISM
    assert counts["interpret_model_ism"] == 2 and counts["interpret_model"] == 2
    assert counts["motifs_cluster"] == 2 and counts["motifs_tomtom"] == 2 and counts["validate_interpretation"] == 1
    assert counts["interpret_figures"] == 1


def test_interpretation_seeds_one_model(workdir, job_counts):
    """interpretation.seeds: 1 analyses seed 1 only (the paper's one model); every seed's
    attributions are still computed and kept; an untrained seed stops before any job."""
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["interpretation"]["seeds"] = 1
    (workdir / "config_seed1.yaml").write_text(yaml.safe_dump(config))
    res = _snakemake("--configfile", "config_seed1.yaml", "-n", cwd=workdir)
    assert res.returncode == 0, res.stderr[-3000:]
    trusted_inputs = res.stdout.split("rule interpret_trusted:")[1].split("output:")[0]
    assert "deepallele/seed1/predictions.tsv" in trusted_inputs and "seed0" not in trusted_inputs
    main_inputs = res.stdout.split("rule interpret_main_variants:")[1].split("output:")[0]
    assert "seed1.tsv" in main_inputs and "seed0" not in main_inputs
    counts = job_counts(_snakemake("--configfile", "config_seed1.yaml", "-n", "--quiet", "rules", cwd=workdir).stdout)
    assert counts["interpret_model_ism"] == 2     # both seeds' ISM kept (and S3a compares them)
    config["interpretation"]["seeds"] = 7
    (workdir / "config_seed7.yaml").write_text(yaml.safe_dump(config))
    res = _snakemake("--configfile", "config_seed7.yaml", "-n", cwd=workdir)
    assert res.returncode != 0 and "interpretation.seeds: seed 7 is not trained" in res.stdout + res.stderr


@pytest.mark.slow
def test_interpretation_stage_runs(workdir):
    res = _snakemake("--configfile", "config.yaml", "--cores", "2", cwd=workdir)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    base = workdir / "results/tiny_chip"
    main = pd.read_csv(base / "interpret/main_variants.tsv", sep="\t", keep_default_na=False)
    assert {"peak", "main_variant", "effect", "in_motif", "motif_name"} <= set(main.columns)
    assert len(main) == 48  # every test pair has variants
    val = pd.read_csv(base / "validation/interpretation.tsv", sep="\t")
    assert {"main_variant_is_causal", "main_variant_in_motif", "top_tf_group", "top_tf_group_names",
            "top_tf_group_is_primary", "truth_attr_top_match", "truth_attr_primary_rank"} <= set(val["metric"])
    for f in ("fig2a_locus", "fig2c_main_variant_groups", "figS3b_cluster_logos", "figS4_main_variant_additive",
              "fig3b_joint_groups", "figS6_joint_clusters"):
        for ext in ("pdf", "png", "tsv"):
            assert (base / f"figures/{f}.{ext}").stat().st_size > 0
    clusters = pd.read_csv(base / "motifs/joint/clusters.tsv", sep="\t")
    assert set(clusters["model"]) <= {"deepallele", "ref_only"} and len(clusters) > 0
    # seqlets carry their 5-bp flanks (schema default) into the cluster CWMs
    from deepallele.motifs.seqlets import load_cwms, load_flanked_cwms
    _, spans = load_cwms(base / "motifs/seqlets/deepallele.npz")
    flank, flanked = load_flanked_cwms(base / "motifs/seqlets/deepallele.npz")
    assert flank == 5 and [f.shape[1] for f in flanked] == [s.shape[1] + 10 for s in spans]
    assert "cluster CWMs from the spans +- 5 bp" in (workdir / "results/logs/motifs_cluster/tiny_chip/joint.log").read_text()
    res = _snakemake("--configfile", "config.yaml", "--cores", "2", "results/benchmarks/interpretation.tsv",
                     cwd=workdir)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    bench = pd.read_csv(workdir / "results/benchmarks/interpretation.tsv", sep="\t")
    assert {"ism_pairs_per_s", "tism_speedup_over_ism", "ism_tism_median_r"} <= set(bench["metric"])
