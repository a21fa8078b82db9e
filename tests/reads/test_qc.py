"""QC parsing (trim_galore reports, Picard metrics) and the stage table."""
import json

import pandas as pd
import pytest

from deepallele.reads.benchmark import split_vs_bowtie2
from deepallele.reads.qc import parse_picard_metrics, parse_trim_reports, plot_qc, reads_qc_table, sample_qc

TRIM_R1 = "SUMMARISING RUN PARAMETERS\n...\nTotal reads processed:                 340,545\nReads with adapters:  12\n"
TRIM_R2 = ("Total reads processed:                 340,545\n...\nNumber of sequence pairs removed because at least "
           "one read was shorter than the length cutoff (20 bp): 2,045 (0.60%)\n")
PICARD = """## htsjdk.samtools.metrics.StringHeader
# MarkDuplicates --INPUT x.bam
## METRICS CLASS	picard.sam.DuplicationMetrics
LIBRARY	UNPAIRED_READS_EXAMINED	READ_PAIRS_EXAMINED	SECONDARY_OR_SUPPLEMENTARY_RDS	UNMAPPED_READS	UNPAIRED_READ_DUPLICATES	READ_PAIR_DUPLICATES	READ_PAIR_OPTICAL_DUPLICATES	PERCENT_DUPLICATION	ESTIMATED_LIBRARY_SIZE
s	0	1000	0	0	0	120	0	0.12	4000

## HISTOGRAM	java.lang.Double
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_parse_trim_reports(tmp_path):
    got = parse_trim_reports(write(tmp_path, "r1.txt", TRIM_R1), write(tmp_path, "r2.txt", TRIM_R2))
    assert got == {"pairs_in": 340545, "pairs_trimmed": 338500}
    with pytest.raises(ValueError, match="r2.txt"):
        parse_trim_reports(write(tmp_path, "r2.txt", "nothing"), write(tmp_path, "r1.txt", TRIM_R1))


def test_parse_picard_metrics(tmp_path):
    m = parse_picard_metrics(write(tmp_path, "m.txt", PICARD))
    assert m["READ_PAIRS_EXAMINED"] == 1000 and m["READ_PAIR_DUPLICATES"] == 120
    assert m["PERCENT_DUPLICATION"] == pytest.approx(0.12)
    with pytest.raises(ValueError, match="no METRICS"):
        parse_picard_metrics(write(tmp_path, "bad.txt", "# nothing\n"))


def test_sample_qc_table_and_plot(tmp_path):
    split = {"pairs": 340545, "ref_filter": {"pairs_kept": 330000}, "strain_filter": {"pairs_kept": 329000},
             "ref": 90000, "alt": 85000, "tie": 160000, "unassigned": 300}
    (tmp_path / "split.json").write_text(json.dumps(split))
    metrics = {"ref": write(tmp_path, "ref.txt", PICARD), "alt": write(tmp_path, "alt.txt", PICARD)}
    counts = pd.DataFrame({"peak": ["p1", "p1"], "sample": ["s", "s"], "allele": ["ref", "alt"], "count": [500, 440]})
    table = sample_qc("s", (write(tmp_path, "r1.txt", TRIM_R1), write(tmp_path, "r2.txt", TRIM_R2)),
                      tmp_path / "split.json", metrics, counts)
    get = table.set_index(["stage", "part"])
    assert get.loc[("sequenced", "both"), "pairs"] == 340545
    assert get.loc[("deduplicated", "ref"), "pairs"] == 880
    assert get.loc[("in peaks", "alt"), "pairs"] == 440
    assert get.loc[("FRiP", "ref"), "fraction"] == pytest.approx(500 / 880, abs=1e-4)
    plot_qc(table, tmp_path / "qc.png", tmp_path / "qc.pdf", "test")
    assert (tmp_path / "qc.png").stat().st_size > 1000 and (tmp_path / "qc.pdf").exists()


def test_split_vs_bowtie2(tmp_path):
    bench = "s\th:m:s\tmax_rss\n{}\t0:00:10\t100\n"
    b1, b2, sp = (write(tmp_path, n, bench.format(v)) for n, v in (("a", 40.0), ("b", 60.0), ("c", 8.0)))
    (tmp_path / "j.json").write_text(json.dumps({"pairs": 200000}))
    t = split_vs_bowtie2("d", ["s"], [[b1, b2]], [sp], [tmp_path / "j.json"])
    row = t.iloc[0]
    assert row["bowtie2_s_both_genomes"] == 100.0 and row["split_share_of_bowtie2"] == 0.08
    assert row["split_pairs_per_s"] == 25000.0


def test_reads_qc_table_stacks_the_samples(tmp_path):
    split = {"ref_filter": {"pairs_kept": 300}, "strain_filter": {"pairs_kept": 290}, "ref": 90, "alt": 80,
             "tie": 100, "unassigned": 3}
    (tmp_path / "split.json").write_text(json.dumps(split))
    r1, r2 = write(tmp_path, "r1.txt", TRIM_R1), write(tmp_path, "r2.txt", TRIM_R2)
    m = write(tmp_path, "m.txt", PICARD)
    counts = pd.DataFrame({"peak": ["p1"] * 4, "sample": ["a", "a", "b", "b"], "allele": ["ref", "alt"] * 2,
                           "count": [500, 440, 7, 3]})
    table = reads_qc_table(["a", "b"], [r1, r1], [r2, r2], [tmp_path / "split.json"] * 2, [m, m], [m, m], counts,
                           dataset="d")
    assert list(table.columns) == ["dataset", "sample", "stage", "part", "pairs", "fraction"]
    assert (table["dataset"] == "d").all() and table["sample"].tolist() == ["a"] * 16 + ["b"] * 16
    in_peaks = table[table["stage"] == "in peaks"].set_index(["sample", "part"])["pairs"]
    assert in_peaks.to_dict() == {("a", "ref"): 500, ("a", "alt"): 440, ("b", "ref"): 7, ("b", "alt"): 3}
    assert "dataset" not in reads_qc_table(["a"], [r1], [r2], [tmp_path / "split.json"], [m], [m], None).columns
    with pytest.raises(ValueError, match="2 samples but per-sample file lists of lengths"):
        reads_qc_table(["a", "b"], [r1], [r2, r2], [tmp_path / "split.json"] * 2, [m, m], [m, m], counts)
