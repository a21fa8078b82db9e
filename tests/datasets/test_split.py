"""Chromosome split: heldout and paper schemes, chr-prefix matching, attributes, row selection."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.datasets.split import assign_split, split_attrs, split_rows

CHROMS = ["chr1", "chr16", "chr17", "chr18", "chrX", "chr16", "chr2"]


def test_heldout_default():
    assert assign_split(CHROMS).tolist() == ["train", "val", "test", "test", "train", "val", "train"]


def test_heldout_custom_lists():
    out = assign_split(CHROMS, "heldout", val=["chr1"], test=["chrX"])
    assert out.tolist() == ["val", "train", "train", "train", "test", "train", "train"]


def test_paper_marks_val_and_test_chromosomes_val():
    out = assign_split(CHROMS, "paper", val=["chr16"], test=["chr17", "chr18"])
    assert out.tolist() == ["train", "val", "val", "val", "train", "val", "train"]
    assert "test" not in set(out)
    attrs = split_attrs("paper", ["chr16"], ["chr17", "chr18"])
    assert attrs == {"split_scheme": "paper", "val_chroms": ["chr16", "chr17", "chr18"],
                     "test_chroms": ["chr16", "chr17", "chr18"], "test_is_val": True}
    assert split_attrs()["test_is_val"] is False


def test_chr_prefix_is_optional():
    assert assign_split(["16", "chr17", "1"]).tolist() == ["val", "test", "train"]
    assert assign_split(["chr16"], val=["16"], test=["17"]).tolist() == ["val"]


def test_errors():
    with pytest.raises(ValueError, match="scheme"):
        assign_split(CHROMS, "random")
    with pytest.raises(ValueError, match="both val and test"):
        assign_split(CHROMS, "heldout", val=["chr16"], test=["chr16"])
    assert assign_split([], "heldout").shape == (0,)


def test_split_rows():
    split = np.array(["train", "val", "test", "val"])
    assert split_rows(split, None).tolist() == [0, 1, 2, 3]
    assert split_rows(split, "val").tolist() == [1, 3]
    assert split_rows(split, "test").tolist() == [2]
    paper = np.array(["train", "val", "val"])
    assert split_rows(paper, "test", test_is_val=True).tolist() == [1, 2]
    with pytest.raises(ValueError):
        split_rows(split, "holdout")
