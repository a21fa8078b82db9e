import numpy as np
import pytest

from deepallele.simulate import reads as R
from deepallele.simulate.genome import CHRM_LENGTH, background_sequence, chromosome_sizes, composition
from deepallele.simulate.run import read_fasta_codes, write_fasta


def test_chromosome_sizes_scale_and_names():
    sizes = chromosome_sizes(5_000_000)
    assert list(sizes)[:3] == ["chr1", "chr2", "chr3"]
    assert list(sizes)[-2:] == ["chrX", "chrM"]
    assert len(sizes) == 21
    nuclear = sum(v for k, v in sizes.items() if k != "chrM")
    assert abs(nuclear - 5_000_000) < 100
    assert sizes["chrM"] == CHRM_LENGTH
    assert sizes["chr1"] > sizes["chr19"]  # mouse proportions kept


def test_background_has_mouse_like_composition():
    seq = background_sequence(400_000, np.random.default_rng(0), gc=0.42, cpg_obs_exp=0.22)
    comp = composition(seq)
    assert comp["gc"] == pytest.approx(0.42, abs=0.01)
    assert comp["cpg_obs_exp"] == pytest.approx(0.22, abs=0.08)
    # not uniform random: a uniform sequence has CpG o/e ~1
    uniform = np.random.default_rng(0).integers(0, 4, 400_000).astype(np.uint8)
    assert composition(uniform)["cpg_obs_exp"] > 0.9


def test_background_is_deterministic():
    a = background_sequence(10_000, np.random.default_rng(3))
    b = background_sequence(10_000, np.random.default_rng(3))
    assert np.array_equal(a, b)


def test_fasta_codes_round_trip_and_reject_n(tmp_path):
    # the simulator writes and reads its genomes through deepallele.alphabet: A=0 C=1 G=2 T=3,
    # soft-masked letters read as upper case; an N cannot be in a simulated genome
    write_fasta(tmp_path / "g.fa", {"chr1": "ACGTacgt"})
    assert read_fasta_codes(tmp_path / "g.fa")["chr1"].tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
    write_fasta(tmp_path / "n.fa", {"chr1": "ACGT", "chr2": "ACNT"})
    with pytest.raises(ValueError, match=r"n\.fa: chr2: letter 'N' at position 3"):
        read_fasta_codes(tmp_path / "n.fa")


def test_adapter_codes_and_letter_bytes():
    r1, r2 = R.adapter_codes("nextera", 3)
    # CTGTCTCTTATACACATCT... then the A tail: C=1 T=3 G=2, A=0
    assert r1[:4].tolist() == [1, 3, 2, 3] and r1[-3:].tolist() == [0, 0, 0]
    assert r1.size == len(R.ADAPTERS["nextera"][0]) + 3 and r2.size == len(R.ADAPTERS["nextera"][1]) + 3
    letters = R.letter_bytes(np.array([[0, 1, 2], [3, 4, 0]], dtype=np.uint8))
    assert letters.shape == (2, 3) and letters.dtype == np.uint8
    assert [row.tobytes() for row in letters] == [b"ACG", b"TNA"]
