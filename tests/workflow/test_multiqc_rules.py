"""The MultiQC report of each tiny dataset (made by the session's tiny run): the tools' modules
found their files, the allele-aware custom content agrees with the read QC table, and the
software versions table names every tool."""
from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def data_dir(run, dataset):
    return run / f"results/{dataset}/qc/multiqc/multiqc_report_data"


@pytest.mark.parametrize("dataset", ["tiny_chip", "tiny_atac"])
def test_multiqc_report_has_every_module(tiny_run, dataset):
    html = tiny_run / f"results/{dataset}/qc/multiqc/multiqc_report.html"
    assert html.stat().st_size > 100_000
    assert f"DeepAllele QC: {dataset}" in html.read_text()
    sources = pd.read_csv(data_dir(tiny_run, dataset) / "multiqc_sources.txt", sep="\t")
    modules = set(sources["Module"])
    assert {"FastQC (raw)", "FastQC (trimmed)", "Cutadapt", "Samtools", "Picard", "MACS2"} <= modules, modules
    assert any(m.startswith("Bowtie 2") for m in modules), modules
    # raw FastQC per unit (two lanes x two mates), trimmed per sample and mate
    raw = sources[sources["Module"] == "FastQC (raw)"]["Sample Name"]
    assert sorted(raw) == ["F1_1.L001_R1", "F1_1.L001_R2", "F1_1.L002_R1", "F1_1.L002_R2"]
    samtools = set(sources[sources["Module"] == "Samtools"]["Sample Name"])
    assert samtools == {"F1_1.genome_ref", "F1_1.genome_strain", "F1_1.ref", "F1_1.alt"}
    files = {p.name for p in data_dir(tiny_run, dataset).iterdir()}
    expected = {"multiqc_fastqc_fastqc_raw.txt", "multiqc_fastqc_fastqc_trimmed.txt", "multiqc_cutadapt.txt",
                "multiqc_bowtie2.txt", "multiqc_samtools_stats.txt", "multiqc_samtools_flagstat.txt",
                "multiqc_samtools_idxstats.txt", "multiqc_picard_dups.txt", "multiqc_macs.txt",
                "multiqc_allele_funnel_table.txt", "multiqc_allele_assignment_plot.txt",
                "multiqc_count_balance_table.txt", "multiqc_count_balance_ln_ratio_plot.txt",
                "multiqc_fragment_sizes_plot.txt", "multiqc_software_versions.txt"}
    assert expected <= files, expected - files
    assert ("multiqc_tn5_shift_table.txt" in files) == (dataset == "tiny_atac")


@pytest.mark.parametrize("dataset", ["tiny_chip", "tiny_atac"])
def test_custom_content_agrees_with_the_read_qc_table(tiny_run, dataset):
    qc = pd.read_csv(tiny_run / f"results/{dataset}/qc/reads_qc.tsv", sep="\t").set_index(["stage", "part"])
    funnel = pd.read_csv(data_dir(tiny_run, dataset) / "multiqc_allele_funnel_table.txt", sep="\t",
                         index_col=0).loc["F1_1"]
    assert funnel["sequenced"] == qc.loc[("sequenced", "both"), "pairs"]
    assert funnel["assigned_tie"] == qc.loc[("assigned", "tie"), "pairs"]
    assert funnel["frip_alt"] == pytest.approx(qc.loc[("FRiP", "alt"), "fraction"])
    balance = pd.read_csv(data_dir(tiny_run, dataset) / "multiqc_count_balance_table.txt", sep="\t",
                          index_col=0).loc["F1_1"]
    assert balance["ref_reads"] == qc.loc[("in peaks", "ref"), "pairs"]
    assert balance["alt_reads"] == qc.loc[("in peaks", "alt"), "pairs"]


def test_software_versions_table(tiny_run):
    t = pd.read_csv(tiny_run / "results/software_versions.tsv", sep="\t", dtype=str, keep_default_na=False)
    tools = t[t["kind"] == "tool"].set_index("name")["version"]
    for name in ("bowtie2", "samtools", "fastqc", "trim_galore", "cutadapt", "picard", "macs3", "multiqc"):
        assert tools[name][0].isdigit(), (name, tools[name])
    python = set(t[t["kind"] == "python"]["name"].str.lower())
    assert {"python", "snakemake", "pandas", "multiqc", "macs3"} <= python
    shown = pd.read_csv(data_dir(tiny_run, "tiny_chip") / "multiqc_software_versions.txt", sep="\t")
    assert {"bowtie2", "samtools", "pandas"} <= set(shown.columns)
