"""Bad configs and sample sheets fail before any job runs, with messages naming file and problem."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deepallele.cli import main
from deepallele.workflow import ConfigError, read_sample_sheet


def _write(tmp: Path, config: dict) -> Path:
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _sheet(tmp: Path, rows: list[str]) -> Path:
    (tmp / "a_1.fq.gz").write_bytes(b"")
    (tmp / "a_2.fq.gz").write_bytes(b"")
    path = tmp / "samples.tsv"
    path.write_text("sample\tunit\tfastq_1\tfastq_2\tsra\n" + "\n".join(rows) + "\n")
    return path


def test_tiny_config_is_valid(repo, capsys):
    assert main(["check-config", "--config", str(repo / "tests/data/tiny_config.yaml")]) == 0
    assert "OK" in capsys.readouterr().out


def test_demo_config_is_valid(repo):
    assert main(["check-config", "--config", str(repo / "config/config.yaml")]) == 0


def test_validation_config_is_valid(repo):
    """config/validation.yaml is also a complete config on its own (check-config reads one file)."""
    assert main(["check-config", "--config", str(repo / "config/validation.yaml")]) == 0


def test_unknown_key_is_named(tmp_path, tiny_config, capsys):
    bad = yaml.safe_load(yaml.safe_dump(tiny_config))
    bad["datasets"]["tiny_chip"]["colour"] = "red"
    path = _write(tmp_path, bad)
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "colour" in err and "datasets.tiny_chip" in err


@pytest.mark.parametrize("section,key,value,word", [
    ("models", "training", {"precision": "fp16"}, "precision"),
    ("threads", "interpret", 0, "interpret"),
    ("models", "training", {"min_epochs": 0}, "min_epochs"),
    ("interpretation", "seqlets", {"flank": -1}, "flank"),
])
def test_bad_new_settings_are_named(tmp_path, tiny_config, capsys, section, key, value, word):
    bad = yaml.safe_load(yaml.safe_dump(tiny_config))
    bad.setdefault(section, {})[key] = value
    path = _write(tmp_path, bad)
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and word in err


def test_dataset_models_lay_over_the_top_level_block(tiny_config):
    from deepallele.workflow import dataset_models

    cfg = yaml.safe_load(yaml.safe_dump(tiny_config))
    cfg["datasets"]["tiny_chip"]["models"] = {"preset": "paper", "training": {"max_epochs": 25},
                                              "architecture": {"dropout": 0.0}}
    chip, atac = dataset_models(cfg, "tiny_chip"), dataset_models(cfg, "tiny_atac")
    assert chip["preset"] == "paper" and chip["training"]["max_epochs"] == 25
    assert chip["training"]["lr"] == 0.001  # not named by the dataset: the top-level value
    assert chip["architecture"] == {**tiny_config["models"]["architecture"], "dropout": 0.0}
    assert chip["types"] == tiny_config["models"]["types"] and chip["seeds"] == [0, 1]
    assert atac == tiny_config["models"]  # datasets without a block are unchanged
    assert "models" not in tiny_config["datasets"]["tiny_chip"]  # the config itself is not modified


@pytest.mark.parametrize("models,word", [
    ({"training": {"max_epochs": 0}}, "datasets.tiny_chip.models.training.max_epochs"),
    ({"training": {"epochs": 3}}, "epochs"),
    ({"architecture": {"hidden": 3}}, "hidden"),
    ({"types": ["cnn"]}, "types"),  # per-dataset types are allowed (tests/workflow/test_dataset_models.py), unknown ones not
])
def test_bad_dataset_models_are_named(tmp_path, tiny_config, capsys, models, word):
    bad = yaml.safe_load(yaml.safe_dump(tiny_config))
    bad["datasets"]["tiny_chip"]["models"] = models
    path = _write(tmp_path, bad)
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and word in err and "tiny_chip" in err


@pytest.mark.parametrize("key,value", [("site_sharpness", 0), ("site_min_margin", "high")])
def test_bad_site_sampling_is_named(tmp_path, tiny_config, capsys, key, value):
    bad = yaml.safe_load(yaml.safe_dump(tiny_config))
    bad["datasets"]["tiny_chip"]["simulate"][key] = value
    path = _write(tmp_path, bad)
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and key in err


def test_unknown_genome_reference(tmp_path, tiny_config, capsys):
    bad = yaml.safe_load(yaml.safe_dump(tiny_config))
    bad["datasets"]["tiny_chip"]["genome"] = "nope"
    assert main(["check-config", "--config", str(_write(tmp_path, bad))]) == 2
    assert "'nope' is not a key of 'genomes'" in capsys.readouterr().err


def test_missing_files_are_named(tmp_path, capsys):
    cfg = {"genomes": {"g": {"reference_fasta": str(tmp_path / "missing.fa"), "strain_vcf": str(tmp_path / "x.vcf.gz")}},
           "datasets": {"d": {"genome": "g", "assay": "chip", "samples": str(tmp_path / "nosheet.tsv")}}}
    assert main(["check-config", "--config", str(_write(tmp_path, cfg))]) == 2
    err = capsys.readouterr().err
    assert "genomes.g.reference_fasta: file not found" in err
    assert "datasets.d.samples: file not found" in err


def test_too_many_simulated_regions_fail_early(tmp_path, tiny_config, capsys):
    bad = yaml.safe_load(yaml.safe_dump(tiny_config))
    bad["datasets"]["tiny_chip"]["simulate"]["n_regions"] = 5000
    assert main(["check-config", "--config", str(_write(tmp_path, bad))]) == 2
    assert "do not fit" in capsys.readouterr().err


@pytest.mark.parametrize("row,message", [
    ("bad name!\tL1\ta_1.fq.gz\ta_2.fq.gz\t", "sample 'bad name!' must match"),
    ("s1\tL1\ta_1.fq.gz\t\t", "give both fastq_1 and fastq_2"),
    ("s1\tL1\ta_1.fq.gz\ta_2.fq.gz\tSRR1", "got a FASTQ pair and an SRA run"),
    ("s1\tL1\t\t\t", "got none"),
    ("s1\tL1\t\t\tXYZ1", "not a run accession"),
    ("s1\tL1\tmissing_1.fq.gz\tmissing_2.fq.gz\t", "file not found"),
])
def test_bad_sample_sheets(tmp_path, row, message):
    sheet = _sheet(tmp_path, [row])
    with pytest.raises(ConfigError) as err:
        read_sample_sheet(sheet)
    assert str(sheet) in str(err.value) and message in str(err.value)


def test_sample_sheet_paths_are_relative_to_the_sheet(tmp_path):
    sheet = _sheet(tmp_path, ["s1\tL1\ta_1.fq.gz\ta_2.fq.gz\t", "s1\tL2\t\t\tSRR123"])
    df = read_sample_sheet(sheet)
    assert df.loc[("s1", "L1"), "fastq_1"] == str(tmp_path / "a_1.fq.gz")
    assert df.loc[("s1", "L2"), "sra"] == "SRR123"


def _snakemake(repo: Path, workdir: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(repo / "Snakefile"),
                           "--directory", str(workdir), "--configfile", str(config), "--cores", "1", *args],
                          capture_output=True, text=True)


def test_snakemake_rejects_bad_sample_name_before_any_job(repo, tmp_path, real_genome):
    genome = real_genome(tmp_path)
    sheet = _sheet(tmp_path, ["bad/name\tL1\ta_1.fq.gz\ta_2.fq.gz\t"])
    cfg = _write(tmp_path, {"genomes": {"g": genome},
                            "datasets": {"d": {"genome": "g", "assay": "atac", "samples": str(sheet)}}})
    work = tmp_path / "work"
    work.mkdir()
    res = _snakemake(repo, work, cfg)
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert str(sheet) in out and "must match [A-Za-z0-9_.-]+" in out
    assert not (work / "results").exists()


def test_snakemake_rejects_unknown_key(repo, tmp_path, tiny_config):
    bad = yaml.safe_load(yaml.safe_dump(tiny_config))
    bad["genomes"]["tiny_pwk"]["simulate"]["snp_density"] = 3
    work = tmp_path / "work"
    work.mkdir()
    res = _snakemake(repo, work, _write(tmp_path, bad), "-n")
    assert res.returncode != 0
    assert "snp_density" in res.stdout + res.stderr


def test_canonical_params_ignore_key_order():
    from deepallele.workflow import canonical

    a = {"simulate": {"seed": 1, "genome_size": 5}, "reference_name": "B6", "grid": [{"b": 1, "a": 2}]}
    b = {"reference_name": "B6", "grid": [{"a": 2, "b": 1}], "simulate": {"genome_size": 5, "seed": 1}}
    assert repr(canonical(a)) == repr(canonical(b)) and canonical(a) == a
    assert list(canonical(a)) == ["grid", "reference_name", "simulate"]


# --- paper data: named resources, entry points, accession rows


def test_resource_names_resolve_to_downloads(tmp_path):
    from deepallele import workflow as daw

    cfg = {"references": {"mm10": {"url": "https://mirror.example/mm10.fa.gz"}}}
    assert daw.resource_path(cfg, "mm10") == "resources/downloads/mm10/mm10.fa.gz"
    spec = daw.download_spec(cfg, "mm10", "mm10.fa.gz")
    # a mirror URL overrides the default, the pinned md5 stays
    assert spec == {"url": "https://mirror.example/mm10.fa.gz", "md5": "db005b65828db31735f384e4c5787be5", "md5_url": ""}
    mgp = daw.download_spec({}, "mgp_rel1505", "CAST_EiJ.mgp.v5.snps.dbSNP142.vcf.gz")
    assert mgp["url"].endswith("/strain_specific_vcfs/CAST_EiJ.mgp.v5.snps.dbSNP142.vcf.gz")
    assert mgp["md5"] == "" and mgp["md5_url"] == mgp["url"] + ".md5"
    assert daw.resource_path({}, "authors_figshare/ATAC-seq-preprocessed.hdf5") == \
        "resources/downloads/authors_figshare/ATAC-seq-preprocessed.hdf5"
    assert daw.resource_path({}, "data/my.fa") == "data/my.fa"
    with pytest.raises(ConfigError, match="has no file 'nope.h5'"):
        daw.resource_path({}, "authors_figshare/nope.h5")
    genome = {"genomes": {"g": {"reference_fasta": "mm10", "mgp_strain": "PWK_PhJ"}}}
    assert daw.genome_sources(genome, "g") == {
        "fasta": "resources/downloads/mm10/mm10.fa.gz",
        "vcfs": ["resources/downloads/mgp_rel1505/PWK_PhJ.mgp.v5.snps.dbSNP142.vcf.gz",
                 "resources/downloads/mgp_rel1505/PWK_PhJ.mgp.v5.indels.dbSNP142.normed.vcf.gz"]}
    assert daw.genome_vcf_sample(genome, "g") == "PWK_PhJ"


def test_dataset_entry_points(tmp_path):
    from deepallele import workflow as daw

    bams = tmp_path / "bams.tsv"
    bams.write_text("sample\tunit\tref_bam\talt_bam\ns1\tL1\tr.bam\ta.bam\n")
    cfg = {"datasets": {
        "sim": {"simulate": {}}, "reads": {"samples": str(tmp_path / "x.tsv")}, "bams": {"samples": str(bams)},
        "table": {"count_table": {"path": "t.txt"}}, "h5": {"authors_h5": {"path": "a.h5"}}}}
    assert {d: daw.dataset_entry(cfg, d) for d in cfg["datasets"]} == {
        "sim": "simulate", "reads": "reads", "bams": "allele_bams", "table": "count_table", "h5": "authors_h5"}


def test_accession_rows_and_units_from_a_run_table(tmp_path):
    from deepallele import workflow as daw

    sheet = tmp_path / "samples.tsv"
    (tmp_path / "a_1.fq.gz").write_bytes(b"")
    (tmp_path / "a_2.fq.gz").write_bytes(b"")
    sheet.write_text("sample\tunit\tfastq_1\tfastq_2\taccession\n"
                     "local\tL1\ta_1.fq.gz\ta_2.fq.gz\t\n"
                     "f1\tL1\t\t\tGSM0000001\n")
    cfg = {"datasets": {"d": {"samples": str(sheet), "runs": str(tmp_path / "runs.tsv")}}}
    assert daw.accession_rows(cfg, "d") == [{"sample": "f1", "accession": "GSM0000001", "title_regex": "",
                                             "row": f"{sheet} row 3"}]
    assert daw.runs_pending(cfg, "d")
    with pytest.raises(ConfigError, match="run table .* not found"):
        daw.dataset_units(cfg, "d")
    (tmp_path / "runs.tsv").write_text(
        "sample\taccession\trun_accession\texperiment_accession\texperiment_alias\tsample_title\tlibrary_layout\t"
        "read_count\tfastq_urls\tfastq_md5\tfastq_bytes\n"
        "f1\tGSM0000001\tSRR0000002\tSRX0000001\tGSM0000001\tt\tPAIRED\t10\t"
        "https://x.org/SRR0000002_1.fastq.gz;https://x.org/SRR0000002_2.fastq.gz\t"
        "0123456789abcdef0123456789abcdef;fedcba9876543210fedcba9876543210\t1;1\n"
        "f1\tGSM0000001\tSRR0000003\tSRX0000001\tGSM0000001\tt\tPAIRED\t10\t\t\t\n")
    assert not daw.runs_pending(cfg, "d")
    units = daw.dataset_units(cfg, "d")
    assert units[["sample", "unit", "fastq_1", "sra"]].values.tolist() == [
        ["local", "L1", str(tmp_path / "a_1.fq.gz"), ""],
        ["f1", "SRR0000002", "resources/fastq/SRR0000002_1.fastq.gz", ""],
        # no FASTQ at ENA: through sra-tools
        ["f1", "SRR0000003", "", "SRR0000003"]]


@pytest.mark.parametrize("row,message", [
    ("s1\tL1\t\t\t\tGSX1\t\t", "is not a GEO sample/series"),
    ("s1\tL1\t\t\t\t\tr.bam\t", "give both ref_bam and alt_bam"),
    ("s1\tL1\ta.fq\tb.fq\t\tGSM1\t\t", "got a FASTQ pair and an accession"),
])
def test_bad_accession_and_bam_rows(tmp_path, row, message):
    sheet = tmp_path / "s.tsv"
    sheet.write_text("sample\tunit\tfastq_1\tfastq_2\tsra\taccession\tref_bam\talt_bam\n" + row + "\n")
    with pytest.raises(ConfigError, match=message):
        read_sample_sheet(sheet, check_files=False)


def test_check_config_on_paper_configs(repo, tmp_path, monkeypatch, capsys):
    """check-config names what a paper dataset starts from; runs still to resolve are not an error."""
    from deepallele.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["check-config", "--config", str(repo / "config/paper/scatac_b6xcast.yaml")]) == 0
    assert "scatac_b6xcast: from the authors HDF5" in capsys.readouterr().out
    assert main(["check-config", "--config", str(repo / "config/paper/pu1_b6xpwk_reads.yaml")]) == 0
    assert "runs not resolved yet" in capsys.readouterr().out
    assert main(["check-config", "--config", str(repo / "config/paper/pu1_b6xpwk.yaml")]) == 2
    assert "peaks_F1_BMDM_FPC_PWK_C57_PU1_notx.txt" in capsys.readouterr().err
