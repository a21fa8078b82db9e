"""MultiQC custom content: the allele-aware sections, from tiny hand-made inputs."""
import json
import math

import pandas as pd
import pytest
import yaml

from deepallele.reads import multiqc as mq

QC_ROWS = [  # sample, stage, part, pairs, fraction (as deepallele.reads.qc.sample_qc writes them)
    ("S", "sequenced", "both", 100, 1.0), ("S", "trimmed", "both", 90, 0.9),
    ("S", "aligned", "ref genome", 80, 0.8), ("S", "aligned", "strain genome", 78, 0.78),
    ("S", "assigned", "ref", 30, 0.3), ("S", "assigned", "alt", 20, 0.2),
    ("S", "assigned", "tie", 25, 0.25), ("S", "assigned", "unassigned", 15, 0.15),
    ("S", "deduplicated", "ref", 40, 0.4), ("S", "duplicates", "ref", 5, 0.05), ("S", "in peaks", "ref", 20, 0.2),
    ("S", "deduplicated", "alt", 30, 0.3), ("S", "duplicates", "alt", 4, 0.04), ("S", "in peaks", "alt", 12, 0.12),
    ("S", "FRiP", "ref", 20, 0.5), ("S", "FRiP", "alt", 12, 0.4),
]


@pytest.fixture
def reads_qc():
    df = pd.DataFrame(QC_ROWS, columns=["sample", "stage", "part", "pairs", "fraction"])
    df.insert(0, "dataset", "d")
    return df


@pytest.fixture
def per_sample():
    # A: p1 10/5, p2 0/0, p3 5/5 (alt row of p3 listed before ref); B: p1 1/3
    rows = [("p1", "A", "ref", 10), ("p1", "A", "alt", 5), ("p2", "A", "ref", 0), ("p2", "A", "alt", 0),
            ("p3", "A", "alt", 5), ("p3", "A", "ref", 5), ("p1", "B", "ref", 1), ("p1", "B", "alt", 3)]
    return pd.DataFrame(rows, columns=["peak", "sample", "allele", "count"])


def test_funnel_section_keeps_the_qc_table_stages_in_order(reads_qc):
    s = mq.funnel_section(reads_qc)
    assert s["plot_type"] == "table" and s["id"] == "allele_funnel" and s["parent_id"] == "deepallele"
    assert s["data"] == {"S": {
        "sequenced": 100, "trimmed": 90, "aligned_ref_genome": 80, "aligned_strain_genome": 78,
        "assigned_ref": 30, "assigned_alt": 20, "assigned_tie": 25, "assigned_unassigned": 15,
        "deduplicated_ref": 40, "duplicates_ref": 5, "in_peaks_ref": 20,
        "deduplicated_alt": 30, "duplicates_alt": 4, "in_peaks_alt": 12,
        "frip_ref": 0.5, "frip_alt": 0.4}}
    assert list(s["headers"]) == list(s["data"]["S"])
    assert s["headers"]["aligned_ref_genome"]["title"] == "aligned: ref genome"
    assert s["headers"]["sequenced"]["title"] == "sequenced"
    assert s["headers"]["frip_alt"]["max"] == 1


def test_assignment_section_is_a_bar_graph_of_the_split(reads_qc):
    s = mq.assignment_section(reads_qc)
    assert s["plot_type"] == "bargraph"
    assert s["data"] == {"S": {"ref": 30, "alt": 20, "tie": 25, "unassigned": 15}}
    assert list(s["categories"]) == ["ref", "alt", "tie", "unassigned"]


def test_count_balance_section(per_sample):
    s = mq.count_balance_section(per_sample)
    a, b = s["data"]["A"], s["data"]["B"]
    # A: ref 15, alt 10 -> 0.6; ln ratios ln(11/6), 0, 0 -> median 0; one peak of three ref > alt; p2 empty
    assert a == {"peaks": 3, "ref_reads": 15, "alt_reads": 10, "ref_fraction": 0.6, "median_ln_ratio": 0.0,
                 "peaks_ref_higher": 0.3333, "peaks_alt_higher": 0.0, "peaks_without_reads": 1}
    # B: one peak, 1 vs 3 -> ref fraction 0.25, ln(2/4)
    assert b["ref_fraction"] == 0.25 and b["median_ln_ratio"] == round(math.log(0.5), 4)
    assert b["peaks_alt_higher"] == 1.0 and b["peaks"] == 1
    assert set(s["headers"]) == set(a)


def test_ln_ratio_histogram_bins_and_clips():
    h = mq.ln_ratio_histogram([10, 0, 5, 1000], [5, 0, 5, 0], width=0.25, limit=4.0)
    assert len(h) == 32 and min(h) == -3.875 and max(h) == 3.875
    # ln(11/6) = 0.606 -> bin [0.5, 0.75); two zeros -> [0, 0.25); ln(1001) = 6.9 -> last bin
    assert h[0.625] == 1 and h[0.125] == 2 and h[3.875] == 1 and sum(h.values()) == 4


def test_count_balance_histogram_section(per_sample):
    s = mq.count_balance_histogram_section(per_sample)
    assert s["plot_type"] == "linegraph" and set(s["data"]) == {"A", "B"}
    assert s["data"]["B"][-0.625] == 1 and sum(s["data"]["B"].values()) == 1  # ln(2/4) = -0.69


STATS = """# samtools stats
SN\tsequences:\t8
IS\t0\t5\t5\t0\t0
IS\t100\t1\t1\t0\t0
IS\t200\t3\t3\t0\t0
IS\t1200\t2\t2\t0\t0
COV\t[1-1]\t1\t10
"""


def test_fragment_sizes_from_samtools_stats(tmp_path):
    p = tmp_path / "x.stats.txt"
    p.write_text(STATS)
    assert mq.parse_samtools_insert_sizes(p) == {100: 1, 200: 3}  # size 0 and > 1000 bp left out
    empty = tmp_path / "e.stats.txt"
    empty.write_text("SN\tsequences:\t0\n")
    s = mq.fragment_size_section({"S.ref": p, "S.alt": empty})
    assert s["plot_type"] == "linegraph"
    assert s["data"] == {"S.ref": {100: 0.25, 200: 0.75}, "S.alt": {}}


def test_tn5_section(tmp_path):
    p = tmp_path / "s.shift.json"
    p.write_text(json.dumps({"input": "x.bam", "pairs": 7, "skipped_reads": 1, "orphan_reads": 0, "clamped_reads": 2,
                             "reads_differing_from_alignmentsieve": 3, "forward_shift": 4, "reverse_shift": -5}))
    s = mq.tn5_section({"S.ref": p})
    assert s["data"] == {"S.ref": {"pairs": 7, "skipped_reads": 1, "orphan_reads": 0, "clamped_reads": 2,
                                   "reads_differing_from_alignmentsieve": 3, "forward_shift": 4, "reverse_shift": -5}}


def test_versions_section_groups_tools_and_python():
    t = pd.DataFrame([("tool", "samtools", "1.16.1", "samtools --version"), ("python", "python", "3.11.7", ""),
                      ("python", "numpy", "2.4.6", "")], columns=["kind", "name", "version", "command"])
    assert mq.versions_section(t) == {"Tools": {"samtools": "1.16.1"},
                                      "Python packages": {"python": "3.11.7", "numpy": "2.4.6"}}


def test_write_custom_content(tmp_path, reads_qc, per_sample):
    versions = pd.DataFrame([("tool", "bowtie2", "2.5.0", "bowtie2 --version")],
                            columns=["kind", "name", "version", "command"])
    written = mq.write_custom_content(tmp_path / "cc", "d", reads_qc=reads_qc, per_sample_counts=per_sample,
                                      versions=versions, assay="chip")
    names = [p.name for p in written]
    assert names == ["allele_funnel_mqc.yaml", "allele_assignment_mqc.yaml", "count_balance_mqc.yaml",
                     "count_balance_ln_ratio_mqc.yaml", "software_versions_mqc_versions.yaml", "multiqc_config.yaml"]
    funnel = yaml.safe_load((tmp_path / "cc/allele_funnel_mqc.yaml").read_text())
    assert funnel["data"]["S"]["frip_ref"] == 0.5
    # versions stay strings ('1.10' must not become 1.1)
    assert (tmp_path / "cc/software_versions_mqc_versions.yaml").read_text() == "Tools:\n  bowtie2: 2.5.0\n"
    config = yaml.safe_load((tmp_path / "cc/multiqc_config.yaml").read_text())
    assert config["title"] == "DeepAllele QC: d" and config["no_version_check"] is True
    fastqc = [m["fastqc"] for m in config["module_order"] if isinstance(m, dict)]
    assert [f["anchor"] for f in fastqc] == ["fastqc_raw", "fastqc_trimmed"]
    assert config["custom_content"]["order"] == list(mq.SECTIONS)
    # a dataset without reads (given allele BAMs): no funnel, no assignment
    names = [p.name for p in mq.write_custom_content(tmp_path / "bams", "d", per_sample_counts=per_sample)]
    assert names == ["count_balance_mqc.yaml", "count_balance_ln_ratio_mqc.yaml", "multiqc_config.yaml"]


def test_dataset_custom_content_from_the_rule_inputs(tmp_path, per_sample):
    # a dataset started from allele BAMs (no reads: no funnel), Tn5-shifted: files of sample A, then B
    per_sample.to_csv(tmp_path / "counts.tsv", sep="\t", index=False)
    pd.DataFrame([("tool", "samtools", "1.10", "samtools --version")],
                 columns=["kind", "name", "version", "command"]).to_csv(tmp_path / "versions.tsv", sep="\t",
                                                                       index=False)
    stats, tn5 = [], []
    for name in ("A.ref", "A.alt", "B.ref", "B.alt"):
        (tmp_path / f"{name}.stats").write_text(STATS if name == "B.alt" else "SN\tsequences:\t0\n")
        (tmp_path / f"{name}.json").write_text(json.dumps({"pairs": len(tn5) + 1}))
        stats.append(tmp_path / f"{name}.stats")
        tn5.append(tmp_path / f"{name}.json")
    inputs = {"counts_per_sample": tmp_path / "counts.tsv", "versions": tmp_path / "versions.tsv",
              "fragment_stats": stats, "tn5": tn5}
    written = mq.dataset_custom_content(tmp_path / "cc", "d", ["A", "B"], inputs, assay="atac")
    assert [p.name for p in written] == ["count_balance_mqc.yaml", "count_balance_ln_ratio_mqc.yaml",
                                         "fragment_sizes_mqc.yaml", "tn5_shift_mqc.yaml",
                                         "software_versions_mqc_versions.yaml", "multiqc_config.yaml"]
    sizes = yaml.safe_load((tmp_path / "cc/fragment_sizes_mqc.yaml").read_text())["data"]
    assert sizes["B.alt"] == {100: 0.25, 200: 0.75} and sizes["A.ref"] == {}
    shifts = yaml.safe_load((tmp_path / "cc/tn5_shift_mqc.yaml").read_text())["data"]
    assert {k: v["pairs"] for k, v in shifts.items()} == {"A.ref": 1, "A.alt": 2, "B.ref": 3, "B.alt": 4}
    assert (tmp_path / "cc/software_versions_mqc_versions.yaml").read_text() == "Tools:\n  samtools: '1.10'\n"
