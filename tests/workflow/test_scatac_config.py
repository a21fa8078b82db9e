"""scATAC configs and sample sheets: what a 10x dataset needs is checked before any job runs."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deepallele.cli import main
from deepallele.workflow import ConfigError, read_sample_sheet, scatac_settings

REPO = Path(__file__).resolve().parents[2]


def _files(tmp: Path, names: list[str]) -> None:
    for name in names:
        (tmp / name).write_bytes(b"")


def _tenx_sheet(tmp: Path, barcode: bool = True, extra: str = "") -> Path:
    lanes = [f"F1_S1_L00{n}_{r}_001.fastq.gz" for n in (1, 2) for r in ("R1", "R2", "R3")]
    _files(tmp, lanes)
    header = "sample\tunit\tfastq_1\tfastq_2" + ("\tfastq_barcode" if barcode else "") + extra + "\n"
    rows = "".join(f"F1\tL00{n}\tF1_S1_L00{n}_R1_001.fastq.gz\tF1_S1_L00{n}_R3_001.fastq.gz"
                   + (f"\tF1_S1_L00{n}_R2_001.fastq.gz" if barcode else "") + "\n" for n in (1, 2))
    path = tmp / "samples.tsv"
    path.write_text(header + rows)
    return path


def _config(tmp: Path, **scatac) -> dict:
    (tmp / "ref.fa").write_text(">chr1\n" + "ACGT" * 100 + "\n")
    _files(tmp, ["strain.vcf.gz", "whitelist.txt.gz", "peaks.bed"])
    (tmp / "cells.tsv").write_text("barcode\tcell_type\nAAACGAAAGAAAGGGT-1\tTreg\n")
    settings = {"whitelist": str(tmp / "whitelist.txt.gz"), "cell_types": str(tmp / "cells.tsv"), **scatac}
    return {"genomes": {"g": {"reference_fasta": str(tmp / "ref.fa"), "strain_vcf": str(tmp / "strain.vcf.gz")}},
            "datasets": {"sc": {"genome": "g", "assay": "scatac", "samples": str(_tenx_sheet(tmp)),
                                "peaks": str(tmp / "peaks.bed"), "scatac": settings}}}


def _check(tmp: Path, config: dict, capsys) -> tuple[int, str]:
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    code = main(["check-config", "--config", str(path)])
    return code, capsys.readouterr().err


def test_a_complete_scatac_dataset_is_valid(tmp_path, capsys):
    code, err = _check(tmp_path, _config(tmp_path), capsys)
    assert code == 0, err


@pytest.mark.parametrize("key,word", [("whitelist", "whitelist"), ("cell_types", "barcode<TAB>cell_type")])
def test_missing_whitelist_or_cell_table_is_named(tmp_path, capsys, key, word):
    config = _config(tmp_path)
    del config["datasets"]["sc"]["scatac"][key]
    code, err = _check(tmp_path, config, capsys)
    assert code == 2 and f"datasets.sc.scatac.{key}: required" in err and word in err


def test_scatac_needs_a_peak_set(tmp_path, capsys):
    config = _config(tmp_path)
    del config["datasets"]["sc"]["peaks"]
    code, err = _check(tmp_path, config, capsys)
    assert code == 2 and "datasets.sc.peaks" in err and "peak set" in err


def test_tn5_shift_on_reads_would_shift_twice(tmp_path, capsys):
    config = _config(tmp_path)
    config["datasets"]["sc"]["tn5_shift"] = True
    code, err = _check(tmp_path, config, capsys)
    assert code == 2 and "twice" in err


def test_scatac_settings_on_a_bulk_dataset_are_refused(tmp_path, capsys):
    config = _config(tmp_path)
    config["datasets"]["sc"]["assay"] = "atac"
    code, err = _check(tmp_path, config, capsys)
    assert code == 2 and "only an assay 'scatac' dataset" in err


def test_sheet_without_the_barcode_read_is_named(tmp_path):
    sheet = _tenx_sheet(tmp_path, barcode=False)
    with pytest.raises(ConfigError, match="fastq_barcode, the 10x cell-barcode read"):
        read_sample_sheet(sheet, assay="scatac")
    # a bulk dataset reads the same sheet without complaint
    assert len(read_sample_sheet(sheet, assay="atac")) == 2


def test_barcode_columns_on_a_bulk_sheet_are_refused(tmp_path):
    sheet = _tenx_sheet(tmp_path)
    with pytest.raises(ConfigError, match="only apply to a scATAC dataset"):
        read_sample_sheet(sheet, assay="chip")


def test_missing_barcode_file_is_named(tmp_path):
    sheet = _tenx_sheet(tmp_path)
    (tmp_path / "F1_S1_L002_R2_001.fastq.gz").unlink()
    with pytest.raises(ConfigError, match="fastq_barcode file not found: .*F1_S1_L002_R2_001"):
        read_sample_sheet(sheet, assay="scatac")


def test_settings_defaults_and_overrides(tmp_path):
    config = _config(tmp_path, fragments={"min_mapq": 10}, cell_type="Tconv")
    config.setdefault("alignment", {})["min_mapq"] = 2
    s = scatac_settings(config, "sc")
    # fragments merged key by key; a single type becomes a list; the split MAPQ follows the bulk one
    assert s["fragments"] == {"min_mapq": 10, "min_length": 10, "max_length": 5000, "dedup": "sinto",
                              "contigs": "(?i)^chr"}
    assert s["cell_type"] == ["Tconv"] and s["split_min_mapq"] == 2 and s["tie_split"] == "binomial_reads"


def test_schema_defaults_match_the_settings_defaults():
    """The schema (docs/config.md) and daw.SCATAC_DEFAULTS spell the same defaults."""
    from deepallele.workflow import SCATAC_DEFAULTS, config_schema

    block = config_schema()["properties"]["datasets"]["additionalProperties"]["properties"]["scatac"]["properties"]
    for key, value in SCATAC_DEFAULTS.items():
        if key == "fragments":
            assert {k: v["default"] for k, v in block[key]["properties"].items()} == value
        else:
            assert block[key]["default"] == value, key
