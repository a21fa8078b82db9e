"""Per-dataset model types and seeds (``datasets.<name>.models.types`` / ``.seeds``): resolution
(deepallele.workflow.dataset_models), config errors, and the jobs a dry run of the whole workflow
plans when one dataset trains a smaller model set than the other."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from deepallele.cli import main
from deepallele.workflow import ConfigError, check_config, dataset_models


def _copy(config: dict) -> dict:
    return yaml.safe_load(yaml.safe_dump(config))


# ---------------------------------------------------------------------------------------------
# resolution


def test_without_a_block_both_lists_are_the_top_level_ones(tiny_config):
    for ds in ("tiny_chip", "tiny_atac"):
        m = dataset_models(tiny_config, ds)
        assert m["types"] == tiny_config["models"]["types"] and m["seeds"] == tiny_config["models"]["seeds"]


def test_types_and_seeds_replace_the_top_level_lists(tiny_config):
    cfg = _copy(tiny_config)
    cfg["datasets"]["tiny_atac"]["models"] = {"types": ["deepallele"], "seeds": [0]}
    atac, chip = dataset_models(cfg, "tiny_atac"), dataset_models(cfg, "tiny_chip")
    assert atac["types"] == ["deepallele"] and atac["seeds"] == [0]
    assert chip["types"] == ["deepallele", "direct", "ref_only", "two_genome"] and chip["seeds"] == [0, 1]
    # everything else stays the top-level block's
    assert atac["preset"] == "demo" and atac["architecture"] == tiny_config["models"]["architecture"]
    assert atac["training"] == tiny_config["models"]["training"]
    assert cfg["models"]["types"] == tiny_config["models"]["types"]  # the config itself is not modified


def test_only_seeds(tiny_config):
    cfg = _copy(tiny_config)
    cfg["datasets"]["tiny_atac"]["models"] = {"seeds": [3, 1]}
    m = dataset_models(cfg, "tiny_atac")
    assert m["seeds"] == [3, 1]  # config order, not sorted
    assert m["types"] == tiny_config["models"]["types"]


def test_only_types(tiny_config):
    cfg = _copy(tiny_config)
    cfg["datasets"]["tiny_atac"]["models"] = {"types": ["ref_only", "deepallele"], "training": {"max_epochs": 5}}
    m = dataset_models(cfg, "tiny_atac")
    assert m["types"] == ["ref_only", "deepallele"] and m["seeds"] == [0, 1]
    assert m["training"]["max_epochs"] == 5 and m["training"]["lr"] == 0.001


def test_seeds_are_ints(tiny_config):
    cfg = _copy(tiny_config)
    cfg["datasets"]["tiny_atac"]["models"] = {"seeds": [2.0]}  # a valid JSON-schema integer
    assert dataset_models(cfg, "tiny_atac")["seeds"] == [2]
    assert all(type(s) is int for s in dataset_models(cfg, "tiny_atac")["seeds"])


def test_valid_block_passes_the_checks(tiny_config):
    cfg = _copy(tiny_config)
    cfg["datasets"]["tiny_atac"]["models"] = {"types": ["deepallele"], "seeds": [0]}
    check_config(cfg)


# ---------------------------------------------------------------------------------------------
# errors


@pytest.mark.parametrize("models,words", [
    ({"types": []}, ["datasets.tiny_atac.models.types", "empty"]),
    ({"seeds": []}, ["datasets.tiny_atac.models.seeds", "empty"]),
    ({"seeds": [0, 0]}, ["datasets.tiny_atac.models.seeds", "more than once"]),
    ({"types": ["deepallele", "deepallele"]}, ["datasets.tiny_atac.models.types", "more than once"]),
])
def test_check_config_names_bad_lists(tiny_config, models, words):
    cfg = _copy(tiny_config)
    cfg["datasets"]["tiny_atac"]["models"] = models
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    for word in words:
        assert word in str(err.value)
    assert "tiny_chip" not in str(err.value)


@pytest.mark.parametrize("models,word", [
    ({"types": []}, "datasets.tiny_atac.models.types"),
    ({"types": ["cnn"]}, "cnn"),
    ({"seeds": [-1]}, "seeds"),
    ({"seeds": ["a"]}, "seeds"),
])
def test_check_config_command_rejects_bad_lists(tmp_path, tiny_config, capsys, models, word):
    cfg = _copy(tiny_config)
    cfg["datasets"]["tiny_atac"]["models"] = models
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and word in err and "tiny_atac" in err


# ---------------------------------------------------------------------------------------------
# the workflow (dry runs of the whole Snakefile on the tiny config)

SMALL = {"types": ["deepallele"], "seeds": [0]}


@pytest.fixture(scope="module")
def small_atac_config(tmp_path_factory, tiny_config_path) -> Path:
    """The tiny config with tiny_atac training DeepAllele with seed 0 only (tiny_chip keeps the
    top-level 4 types x 2 seeds)."""
    cfg = yaml.safe_load(tiny_config_path.read_text())
    cfg["datasets"]["tiny_atac"]["models"] = dict(SMALL)
    path = tmp_path_factory.mktemp("dataset_models") / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _model_refs(stdout: str, dataset: str) -> set[tuple[str, int]]:
    """(model, seed) of every per-model path of a dataset in a dry run's job listing."""
    refs = set()
    for m in re.finditer(rf"results/{dataset}/(?:models|interpret/variant_effects|interpret/attributions)/"
                         r"(\w+)/seed(\d+)", stdout):
        refs.add((m.group(1), int(m.group(2))))
    return refs


def test_dry_run_plans_each_datasets_own_models(small_atac_config, tmp_path, snakemake_run, job_counts):
    res = snakemake_run("all", "score_variants", "--configfile", str(small_atac_config), "-n", "--quiet", "rules",
                        cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    jobs = job_counts(res.stdout)
    # training: tiny_chip 4 types x 2 seeds (top level) + tiny_atac 1 type x 1 seed
    assert jobs["train"] == 4 * 2 + 1 * 1
    assert jobs["evaluate_models"] == 2 and jobs["figure_performance"] == 2 and jobs["validate_models"] == 2
    # interpretation (interpretation.models deepallele + ref_only, ISM for deepallele, baseline
    # ref_only): tiny_chip ISM deepallele x 2 seeds, TISM-only ref_only x 2 seeds; tiny_atac
    # deepallele x seed 0 and no ref_only, so no joint clustering
    assert jobs["interpret_model_ism"] == 2 + 1
    assert jobs["interpret_model"] == 2
    assert jobs["interpret_trusted"] == 2 and jobs["interpret_figures"] == 2
    assert jobs["interpret_main_variants"] == 2 + 1      # {deepallele, ref_only} + {deepallele}
    assert jobs["motifs_seqlets"] == 2 + 1
    assert jobs["motifs_cluster"] == 2 + 1               # {deepallele, joint} + {deepallele}
    assert jobs["interpret_motif_variants"] == 2 + 1
    # score-variants (model deepallele, baseline ref_only, VCFs strain + new_snvs; both datasets
    # simulated, so both validated): tiny_chip 2 VCFs x 2 models, tiny_atac 2 VCFs x deepallele
    assert jobs["score_vcf"] == 2 * 2 + 2 * 1
    assert jobs["export_model"] == (2 + 2) + 1           # every seed of each scored model
    assert jobs["validate_score_variants"] == 2


def test_no_job_references_an_untrained_model(small_atac_config, tmp_path, snakemake_run):
    res = snakemake_run("--configfile", str(small_atac_config), "-n", "all", "score_variants", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert _model_refs(res.stdout, "tiny_atac") == {("deepallele", 0)}
    assert _model_refs(res.stdout, "tiny_chip") == {(m, s) for m in ("deepallele", "direct", "ref_only", "two_genome")
                                                    for s in (0, 1)}
    # tiny_atac's score-variants validation scores with DeepAllele only (ref_only is not trained there)
    assert "results/tiny_atac/score_variants/strain/deepallele.tsv" in res.stdout
    assert not re.search(r"results/tiny_atac/score_variants/\w+/ref_only", res.stdout)
    assert "results/tiny_chip/score_variants/strain/ref_only.tsv" in res.stdout
    assert "results/tiny_atac/motifs/joint" not in res.stdout and "results/tiny_chip/motifs/joint" in res.stdout


def test_dataset_without_deepallele_is_not_interpreted(tiny_config_path, tmp_path, snakemake_run, job_counts):
    """types without deepallele: no interpretation of that dataset, and its MeanDiff figure does
    not wait for DeepAllele's main variants; the other dataset is interpreted as before."""
    cfg = yaml.safe_load(tiny_config_path.read_text())
    cfg["datasets"]["tiny_atac"]["models"] = {"types": ["ref_only"]}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    res = snakemake_run("--configfile", str(path), "-n", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert "results/tiny_atac/interpret/" not in res.stdout
    assert "results/tiny_chip/interpret/main_variants.tsv" in res.stdout
    assert _model_refs(res.stdout, "tiny_atac") == {("ref_only", 0), ("ref_only", 1)}
    jobs = job_counts(snakemake_run("--configfile", str(path), "-n", "--quiet", "rules", cwd=tmp_path).stdout)
    assert jobs["train"] == 4 * 2 + 1 * 2 and jobs["interpret_trusted"] == 1 and jobs["figure_meandiff"] == 2


def test_single_interpretation_seed_must_be_trained_for_each_dataset(small_atac_config, tmp_path, snakemake_run):
    cfg = yaml.safe_load(small_atac_config.read_text())
    cfg["interpretation"] = {"seeds": 1}  # trained for tiny_chip (0, 1), not for tiny_atac (0)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    res = snakemake_run("--configfile", str(path), "-n", cwd=tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "interpretation.seeds: seed 1 is not trained for dataset tiny_atac" in out
    cfg["interpretation"] = {"seeds": 0}  # trained for both
    path.write_text(yaml.safe_dump(cfg))
    res = snakemake_run("--configfile", str(path), "-n", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
