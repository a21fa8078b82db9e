"""The base alphabet: letters <-> codes <-> one-hot, the unknown-letter policy, shapes (values by hand)."""
import doctest
import re

import numpy as np
import pytest
import torch

from deepallele import alphabet
from deepallele.alphabet import (BASE_CODES, N_CODE, ONE_HOT_TABLE, PAD_CODE, decode, encode, from_one_hot,
                                 one_hot)


def test_doctests():
    assert doctest.testmod(alphabet).failed == 0


def test_codes_are_the_stored_layout():
    assert BASE_CODES == {"A": 0, "C": 1, "G": 2, "T": 3, "N": 4}
    assert (N_CODE, PAD_CODE) == (4, 5)
    assert alphabet.ENCODING == "A=0,C=1,G=2,T=3,N=4,padding=5"


def test_encode_bases_any_case_and_bytes():
    assert encode("ACGTNacgtn").tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]
    assert encode(b"gaTc").tolist() == [2, 0, 3, 1]
    assert encode("").tolist() == []
    assert encode("ACGT").dtype == np.uint8


def test_iupac_letters_are_n():
    assert encode("RYSWKMBDHV").tolist() == [N_CODE] * 10
    assert encode("ryswkmbdhv").tolist() == [N_CODE] * 10


@pytest.mark.parametrize("seq, letter, position", [("AC-GT", "-", 3), ("ACGT*", "*", 5), ("A CG", " ", 2),
                                                   ("ACGU", "U", 4), ("AC1", "1", 3), ("ACé", "é", 3)])
def test_other_letters_are_errors_naming_the_sequence(seq, letter, position):
    with pytest.raises(ValueError, match=re.escape(f"peak p1: letter {letter!r} at position {position} is not")):
        encode(seq, name="peak p1")


def test_acgt_only_rejects_n_and_iupac():
    assert encode("ACgt", acgt_only=True).tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match=r"sequence: letter 'N' at position 3 is not A, C, G or T; 2 such"):
        encode("ACNR", acgt_only=True)


def test_encode_pads_to_length():
    assert encode("AC", 5).tolist() == [0, 1, 5, 5, 5]
    assert encode("", 2).tolist() == [5, 5]
    assert encode("ACG", 3).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"r1: sequence of 4 bp is longer than 3"):
        encode("ACGT", 3, name="r1")


def test_decode_and_padding():
    assert decode(np.array([0, 1, 2, 3, 4, 5, 5], dtype=np.uint8)) == "ACGTN"
    assert decode(np.array([0, 5, 3], dtype=np.uint8), pad="-") == "A-T"
    assert decode(np.array([], dtype=np.uint8)) == ""
    assert decode(encode("acgtr")) == "ACGTN"   # upper case; IUPAC reads back as N
    with pytest.raises(ValueError, match="0..5"):
        decode(np.array([0, 6]))
    with pytest.raises(ValueError, match=r"shape \(L,\)"):
        decode(np.zeros((2, 3), dtype=np.uint8))


def test_one_hot_by_hand():
    x = one_hot(np.array([0, 1, 2, 3, 4, 5], dtype=np.uint8))
    assert x.shape == (4, 6) and x.dtype == np.float32
    expected = [[1, 0, 0, 0, 0.25, 0],
                [0, 1, 0, 0, 0.25, 0],
                [0, 0, 1, 0, 0.25, 0],
                [0, 0, 0, 1, 0.25, 0]]
    np.testing.assert_array_equal(x, expected)
    assert x.flags.c_contiguous


def test_one_hot_shapes():
    assert one_hot(np.zeros((3, 7), dtype=np.uint8)).shape == (3, 4, 7)
    assert one_hot(np.zeros((3, 2, 7), dtype=np.uint8)).shape == (3, 2, 4, 7)
    assert one_hot(np.zeros((0, 5), dtype=np.uint8)).shape == (0, 4, 5)
    with pytest.raises(ValueError, match="0..5"):
        one_hot(np.array([6]))
    with pytest.raises(ValueError, match="0..5"):
        one_hot(np.array([-1]))


def test_one_hot_n_value_and_dtype():
    x = one_hot(np.array([[3, 4, 5]]), n=0, dtype=np.int8)   # MeanDiff's FIMO input
    assert x.dtype == np.int8
    assert x.tolist() == [[[0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0]]]
    assert one_hot(np.array([4]), dtype=np.float64).tolist() == [[0.25], [0.25], [0.25], [0.25]]
    with pytest.raises(ValueError, match="integer one-hot"):
        one_hot(np.array([4]), dtype=np.int8)
    assert ONE_HOT_TABLE[N_CODE].tolist() == [0.25] * 4   # the table is not changed by n=0 calls


def test_one_hot_torch_matches_numpy():
    codes = np.array([[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]], dtype=np.uint8)
    x = one_hot(torch.from_numpy(codes))
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float32 and x.shape == (2, 4, 6)
    assert x.is_contiguous()
    np.testing.assert_array_equal(x.numpy(), one_hot(codes))
    np.testing.assert_array_equal(one_hot(torch.from_numpy(codes), n=0, dtype=torch.int8).numpy(),
                                  one_hot(codes, n=0, dtype=np.int8))
    assert one_hot(torch.zeros(3, 2, 5, dtype=torch.long)).shape == (3, 2, 4, 5)


def test_from_one_hot_inverts_one_hot():
    codes = np.array([[0, 1, 2, 3, 4, 5], [3, 3, 4, 5, 5, 5]], dtype=np.uint8)
    np.testing.assert_array_equal(from_one_hot(one_hot(codes)), codes)
    authors = np.moveaxis(one_hot(codes, dtype=np.float64), -2, -1)    # (N, L, 4), their layout
    np.testing.assert_array_equal(from_one_hot(authors, channel_axis=-1), codes)


def test_from_one_hot_names_a_bad_position():
    x = np.zeros((3, 2, 4))
    x[2, 1] = 0.5
    with pytest.raises(ValueError, match=r"B6: row 12, position 1 is not one-hot, all 0.25 \(N\) or all zero"):
        from_one_hot(x, channel_axis=-1, what="B6", first_row=10)
    with pytest.raises(ValueError, match="4 channels"):
        from_one_hot(np.zeros((2, 3)))


def test_reverse_complement_of_str_and_bytes():
    from deepallele.alphabet import reverse_complement

    assert reverse_complement("AACGTN") == "NACGTT"
    assert reverse_complement("aacGt") == "aCgtt"  # case kept
    assert reverse_complement(b"AAACGGCG") == b"CGCCGTTT"
    assert reverse_complement("") == ""
