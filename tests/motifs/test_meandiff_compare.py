"""MeanDiff against DeepAllele's main variants (deepallele.motifs.meandiff.compare)."""
from __future__ import annotations

import pandas as pd
import pytest

from deepallele.motifs.meandiff.compare import compare_with_deepallele, read_main_variants
from deepallele.motifs.meandiff.effects import sequence_effects
from deepallele.motifs.meandiff.significance import motif_tests


def test_comparison_with_and_without_deepallele(scan, tmp_path):
    eff = sequence_effects(scan, motif_tests(scan))
    alone = compare_with_deepallele(eff, None).set_index("category")
    assert alone.loc["affected", "n"] == 18 and alone.loc["meandiff_explains", "n"] == 16
    assert alone.loc["both", "status"] == "not available"
    path = tmp_path / "main_variants.tsv"
    # DeepAllele explains p0, p8 and p20 (the MeanDiff "No motif hit"); p1 is outside any motif
    pd.DataFrame({"peak": ["p0", "p1", "p8", "p20"], "in_motif": ["True", "False", "true", "1"],
                  "motif_name": ["SPI1", "", "cluster 7", "JUN"]}).to_csv(path, sep="\t", index=False)
    cmp = compare_with_deepallele(eff, read_main_variants(path)).set_index("category")
    assert cmp.loc["deepallele_explains", "n"] == 3 and cmp.loc["both", "n"] == 2
    assert cmp.loc["deepallele_explains_tf_named", "n"] == 2
    assert cmp.loc["deepallele_only", "n"] == 1 and cmp.loc["meandiff_only", "n"] == 14
    assert cmp.loc["neither", "n"] == 1
    assert cmp.loc["both", "status"].startswith("ok (4 of 18")


def test_read_main_variants_errors(tmp_path):
    path = tmp_path / "mv.tsv"
    path.write_text("peak\tin_motif\np0\tTrue\n")
    with pytest.raises(ValueError, match="mv.tsv: missing column"):
        read_main_variants(path)
    path.write_text("peak\tin_motif\tmotif_name\np0\tmaybe\tX\n")
    with pytest.raises(ValueError, match="in_motif must be true/false"):
        read_main_variants(path)
