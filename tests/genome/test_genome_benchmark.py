"""benchmark_genome_prep: one row per step, positive rates, the TSV written as returned."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from deepallele.genome.benchmark import COLUMNS, STEPS, benchmark_genome_prep

pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in ("bcftools", "tabix", "bowtie2-build")),
                                reason="needs bcftools, tabix and bowtie2-build")


def test_benchmark_genome_prep_small(tmp_path):
    out = tmp_path / "bench" / "genome_prep.tsv"
    table = benchmark_genome_prep(out, chrom_mb=0.2, seed=1)

    assert list(table.columns) == COLUMNS
    assert list(table["step"]) == STEPS
    assert dict(zip(table["step"], table["unit"])) == {
        "prepare_reference_fasta": "Mb", "prepare_strain_vcf": "records", "pseudogenome": "records",
        "bowtie2_build": "Mb"}
    sizes = dict(zip(table["step"], table["input_size"]))
    assert sizes["prepare_reference_fasta"] == sizes["bowtie2_build"] == pytest.approx(0.2)
    # ~200 kb / 140 bp SNPs + / 1500 bp indels; the filters drop a few % before the pseudogenome
    assert 1000 < sizes["pseudogenome"] < sizes["prepare_strain_vcf"] < 2500
    assert (table["seconds"] > 0).all()
    assert (table["per_unit_rate"] > 0).all()
    assert table["per_unit_rate"].tolist() == pytest.approx((table["input_size"] / table["seconds"]).tolist())
    assert (table["peak_rss_mb"] > 0).all()
    assert table["note"].str.contains("cpus=").all()

    written = pd.read_csv(out, sep="\t")
    assert list(written.columns) == COLUMNS
    assert list(written["step"]) == STEPS
    assert written["per_unit_rate"].tolist() == pytest.approx(table["per_unit_rate"].tolist(), rel=1e-4)
    assert not list(out.parent.glob("*.part"))  # written atomically, nothing left over
