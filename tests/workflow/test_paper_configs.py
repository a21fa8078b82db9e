"""config/paper/*.yaml: each paper dataset's whole DAG resolves in a dry run, downloads first,
through every figure (no network: nothing runs), and a missing hand-placed file stops the
workflow before any job with what to get."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAPER = REPO / "config/paper"
CONFIGS = sorted(p.stem for p in PAPER.glob("*.yaml"))
# figure jobs every paper dataset must reach (Fig 1c/d, S2; Fig 2/3 and S3-S6; Fig S7)
FIGURE_RULES = {"figure_performance", "interpret_figures", "figure_meandiff"}

# recorded run table (made-up run accessions of the documented format; fixture only)
RUNS = (
    "sample\taccession\trun_accession\texperiment_accession\texperiment_alias\tsample_title\tlibrary_layout\t"
    "read_count\tfastq_urls\tfastq_md5\tfastq_bytes\n"
    "GSM0000001\t{series}\tSRR0000001\tSRX0000001\tGSM0000001\tF1 test sample 1\tPAIRED\t1000\t"
    "https://example.org/SRR0000001_1.fastq.gz;https://example.org/SRR0000001_2.fastq.gz\t"
    "0123456789abcdef0123456789abcdef;fedcba9876543210fedcba9876543210\t100;100\n"
    "GSM0000002\t{series}\tSRR0000002\tSRX0000002\tGSM0000002\tF1 test sample 2\tPAIRED\t1000\t"
    "https://example.org/SRR0000002_1.fastq.gz;https://example.org/SRR0000002_2.fastq.gz\t"
    "0123456789abcdef0123456789abcdef;fedcba9876543210fedcba9876543210\t100;100\n"
)
# files each config asks the user to place (no public URL known)
PLACED = {
    "pu1_b6xpwk": {"resources/paper/peaks_F1_BMDM_FPC_PWK_C57_PU1_notx.txt":
                   "ID\tF1_FPC_PU1_C57\tF1_FPC_PU1_PWK\nchr1-3000000-3000300\t10\t12.5\n"},
    "pu1_b6xspret": {"resources/paper/peaks_F1_BMDM_FSC_SPRET_C57_PU1_notx.txt":
                     "ID\tF1_FSC_PU1_C57\tF1_FSC_PU1_SPRET\nchr1-3000000-3000300\t10\t12.5\n"},
    "atac_b6xcast": {"resources/paper/treg_pks.saf":
                     "GeneID\tChr\tStart\tEnd\tStrand\nocr1\tchr1\t3000001\t3000251\t+\n"},
    # the first file is the one the missing-file test leaves out
    "scatac_b6xcast_reads": {
        "resources/paper/treg_pks.saf": "GeneID\tChr\tStart\tEnd\tStrand\nocr1\tchr1\t3000001\t3000251\t+\n",
        "resources/paper/scatac/samples.tsv":
            "sample\tunit\tfastq_1\tfastq_barcode\tfastq_2\tfastq_index\n"
            + "".join(f"F1\tL00{n}\tF1_S1_L00{n}_R1_001.fastq.gz\tF1_S1_L00{n}_R2_001.fastq.gz\t"
                      f"F1_S1_L00{n}_R3_001.fastq.gz\tF1_S1_L00{n}_I1_001.fastq.gz\n" for n in (1, 2)),
        **{f"resources/paper/scatac/F1_S1_L00{n}_{r}_001.fastq.gz": "" for n in (1, 2) for r in ("R1", "R2", "R3", "I1")},
        "resources/paper/scatac/737K-cratac-v1.txt.gz": "",
        "resources/paper/scatac/treg_barcodes.tsv": "barcode\tcell_type\nAAACGAAAGAAAGGGT-1\tTreg\n",
    },
}
SERIES = {"atac_b6xcast": "GSE154680", "pu1_b6xpwk_reads": "GSE109965"}


def dry_run(config: str, cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--configfile",
         str(PAPER / f"{config}.yaml"), "-n", "--quiet", "rules", *extra],
        capture_output=True, text=True, cwd=cwd)


def place(config: str, cwd: Path) -> None:
    for rel, text in PLACED.get(config, {}).items():
        (cwd / rel).parent.mkdir(parents=True, exist_ok=True)
        (cwd / rel).write_text(text)


def test_every_paper_dataset_has_a_config():
    assert {"pu1_b6xpwk", "pu1_b6xspret", "atac_b6xcast", "scatac_b6xcast"} <= set(CONFIGS)


@pytest.mark.parametrize("config", sorted(PLACED))
def test_missing_hand_placed_file_stops_before_any_job(tmp_path, config):
    res = dry_run(config, tmp_path)
    assert res.returncode != 0
    out = res.stdout + res.stderr
    rel = next(iter(PLACED[config]))
    assert f"file not found: {rel}" in out and "what to get:" in out, out[-3000:]
    assert not (tmp_path / "resources/downloads").exists()


@pytest.mark.parametrize("config", CONFIGS)
def test_paper_config_dry_run(tmp_path, config, job_counts):
    place(config, tmp_path)
    res = dry_run(config, tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    jobs = job_counts(res.stdout)
    if config in SERIES:
        # samples come from the GEO series: the resolution job runs first, the rest follows it
        assert "resolve_runs" in jobs, jobs
        (tmp_path / "resources/runs").mkdir(parents=True)
        (tmp_path / f"resources/runs/{config}.tsv").write_text(RUNS.format(series=SERIES[config]))
        res = dry_run(config, tmp_path)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
        jobs = job_counts(res.stdout)
        assert "resolve_runs" not in jobs
        assert jobs["download_run"] == 2 and jobs["split_alleles"] == 2, jobs
    assert FIGURE_RULES <= set(jobs), (config, jobs)
    assert jobs["train"] >= 20, jobs  # 4 model types x 5 seeds
    if config == "scatac_b6xcast_reads":
        # per lane: barcodes; per sample: both alignments, the split; per dataset: fragments, counts
        assert jobs["sc_barcodes"] == 2 and jobs["split_alleles"] == 1, jobs
        assert jobs["sc_fragments"] == 1 and jobs["sc_counts"] == 1 and jobs["bowtie2"] == 2, jobs
        assert "mark_duplicates" not in jobs and "allele_counts" not in jobs, jobs
        assert jobs["download"] == 3, jobs
    elif config.startswith("scatac") or config.endswith("_authors"):
        assert jobs["download"] == 1 and jobs["import_authors_h5"] == 1, jobs
        assert "pseudogenome" not in jobs
    else:
        # mm10 + the strain's SNP and indel VCFs (+ the blacklist for read-based datasets)
        assert jobs["download"] == (4 if config in SERIES else 3), jobs
        assert {"prepare_reference", "prepare_strain_vcf", "pseudogenome", "paired_dataset"} <= set(jobs), jobs
    if config.startswith("pu1") and config not in SERIES and not config.endswith("_authors"):
        assert jobs["import_count_table"] == 1 and "split_alleles" not in jobs, jobs
