"""JASPAR 2020 CORE vertebrates non-redundant from pyjaspar, and the MEME writer/reader."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.motifs.jaspar import build_jaspar_meme, jaspar_matrix_ids, jaspar_motifs, read_meme, write_meme


@pytest.fixture(scope="module")
def motifs():
    return jaspar_motifs()


def test_jaspar2020_matches_the_paper_file(motifs):
    # reference-spec §7: 746 motifs, unique TF names, widths 6-24, 46 dimers "A::B"
    assert len(motifs) == 746
    widths = np.array([m.shape[1] for m in motifs.values()])
    assert widths.min() == 6 and widths.max() == 24 and np.median(widths) == 12
    assert sum("::" in n for n in motifs) == 46
    for name in ("SPI1", "SPIB", "JUN", "ETS1", "ELK1", "GABPA", "CTCF", "RUNX1", "TCF7", "KLF4", "FOS::JUN"):
        assert name in motifs
    for m in motifs.values():
        assert m.shape[0] == 4 and np.allclose(m.sum(axis=0), 1.0)
    ids = jaspar_matrix_ids()
    assert list(ids) == list(motifs) and len(set(ids.values())) == 746
    assert ids["SPI1"].startswith("MA0080.")


def test_spi1_consensus_is_the_ets_core(motifs):
    consensus = "".join("ACGT"[i] for i in motifs["SPI1"].argmax(axis=0))
    assert "GGAA" in consensus


def test_meme_round_trip(tmp_path, motifs):
    path = build_jaspar_meme(tmp_path / "jaspar.meme")
    text = path.read_text()
    assert text.startswith("MEME version 4") and text.count("\nMOTIF ") == 746
    assert "URL http://jaspar.genereg.net/matrix/MA0080." in text
    back = read_meme(path)
    assert list(back) == list(motifs)
    for name, m in motifs.items():
        np.testing.assert_allclose(back[name], m, atol=1e-6)


def test_meme_readable_by_memelite(tmp_path):
    from memelite.io import read_meme as memelite_read_meme

    small = {"A1": np.full((4, 3), 0.25), "B::C": np.eye(4)[[0, 1, 2, 3, 3]].T.astype(float)}
    path = write_meme(small, tmp_path / "small.meme")
    got = memelite_read_meme(str(path))
    assert list(got) == ["A1", "B::C"]
    np.testing.assert_allclose(np.asarray(got["B::C"], dtype=float), small["B::C"], atol=1e-6)


@pytest.mark.parametrize("bad, message", [
    (np.full((3, 4), 1 / 3), "expected \\(4, W\\)"),
    (np.full((4, 4), 0.5), "probability matrix"),
])
def test_write_meme_rejects_bad_matrices(tmp_path, bad, message):
    with pytest.raises(ValueError, match=message):
        write_meme({"X": bad}, tmp_path / "x.meme")
    assert not (tmp_path / "x.meme").exists()


def test_read_meme_errors_name_the_file(tmp_path):
    path = tmp_path / "broken.meme"
    path.write_text("MEME version 4\n\nMOTIF X\nletter-probability matrix: alength= 4 w= 2\n0.25 0.25 0.5\n")
    with pytest.raises(ValueError, match="broken.meme:5"):
        read_meme(path)
    path.write_text("not a motif file\n")
    with pytest.raises(ValueError, match="no motifs"):
        read_meme(path)
