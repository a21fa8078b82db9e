import numpy as np
import pytest

from deepallele.simulate.genome import (CHRM_LENGTH, background_sequence, chromosome_sizes, composition,
                                        decode, encode)


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


def test_encode_decode_round_trip_and_error():
    assert decode(encode("ACGTacgt")) == "ACGTACGT"
    with pytest.raises(ValueError):
        encode("ACNT")
