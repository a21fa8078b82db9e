"""TomTom look-alikes of a planted motif in JASPAR (deepallele.motifs.meandiff.similarity)."""
from __future__ import annotations

from deepallele.motifs.meandiff.similarity import similar_to


def test_similar_to_finds_the_ets_family():
    from deepallele.motifs.jaspar import jaspar_motifs

    motifs = jaspar_motifs()
    similar = similar_to(motifs, ["SPI1"])
    assert "SPIB" in similar and similar["SPIB"] == "SPI1"
    assert "CTCF" not in similar and "SPI1" not in similar
