"""HDF5 store: round trip, layout, compression, atomic write, summary, validation metrics."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest
from tiny_genome import L, PEAKS

from deepallele.datasets.pairs import VARIANT_COLUMNS, paired_sequences, variant_table
from deepallele.datasets.split import assign_split
from deepallele.datasets.store import (build_paired_dataset, open_pairs, pairs_summary, read_pairs_h5, replace_split,
                                      targets, write_minimal_pairs, write_pairs_h5)
from deepallele.validation.datasets import dataset_metrics


@pytest.fixture()
def written(genome):
    pairs = paired_sequences(genome["peaks"], genome["ref_fa"], genome["strain_fa"], genome["cmap"], L)
    variants = variant_table(pairs, genome["vcf"], genome["cmap"], genome["strain_fa"])
    split = assign_split(pairs.chrom, "heldout", val=["c2"], test=[])
    path = genome["tmp"] / "pairs.h5"
    write_pairs_h5(path, pairs, PEAKS["ref_count"], PEAKS["alt_count"], split, variants,
                   {"reference_name": "B6", "strain_name": "CAST", "val_chroms": ["c2"], "sequence_length": L})
    return path, pairs, variants, split


def test_targets_natural_log():
    y = targets([0, 9], [4, 0])
    assert y.dtype == np.float32 and y.shape == (2, 3)
    np.testing.assert_allclose(y, [[0, np.log(5), -np.log(5)], [np.log(10), 0, np.log(10)]], rtol=1e-6)


def test_round_trip(written):
    path, pairs, variants, split = written
    data = read_pairs_h5(path)
    np.testing.assert_array_equal(data["ref_codes"], pairs.ref_codes)
    np.testing.assert_array_equal(data["alt_codes"], pairs.alt_codes)
    for name in ("ref_length", "alt_length", "start", "end", "strain_start", "strain_end", "peak_start",
                 "peak_end", "strain_trim_left", "strain_trim_right"):
        np.testing.assert_array_equal(data[name], getattr(pairs, name), err_msg=name)
    assert data["peak"].tolist() == PEAKS["peak"].tolist()
    assert data["chrom"].tolist() == PEAKS["chrom"].tolist()
    assert data["split"].tolist() == ["train", "train", "train", "val", "val"]
    assert data["ref_count"].tolist() == PEAKS["ref_count"].tolist()
    np.testing.assert_allclose(data["y"][:, 2], np.log1p(PEAKS["ref_count"]) - np.log1p(PEAKS["alt_count"]), rtol=1e-6)
    got = data["variants"]
    assert list(got.columns) == VARIANT_COLUMNS
    pd.testing.assert_frame_equal(got, variants, check_dtype=False)
    attrs = data["attrs"]
    assert attrs["sequence_length"] == L and attrs["strain_name"] == "CAST" and attrs["val_chroms"] == ["c2"]
    assert attrs["allele_order"] == ["ref", "alt"] and attrs["format"] == "deepallele-pairs"
    assert attrs["encoding"].startswith("A=0,C=1,G=2,T=3,N=4")


def test_open_pairs_reads_what_is_asked(written):
    path, pairs, variants, split = written
    stored = open_pairs(path, ("ref_codes", "alt_codes", "split"), optional=("chrom", "absent"))
    assert set(stored.arrays) == {"ref_codes", "alt_codes", "split", "chrom"} and stored.variants is None
    assert len(stored) == 5 and stored.sequence_length == L and not stored.test_is_val
    assert stored.codes.shape == (5, 2, L) and stored.codes.dtype == np.uint8
    np.testing.assert_array_equal(stored.codes[:, 1], pairs.alt_codes)
    assert stored.rows("val").tolist() == [3, 4] and stored.rows("all").tolist() == [0, 1, 2, 3, 4]
    assert stored.rows(None).tolist() == [0, 1, 2, 3, 4] and stored.rows("test").tolist() == []
    assert stored["split"].dtype == object and "chrom" in stored
    full = open_pairs(path, variants=True, check_format=True)
    pd.testing.assert_frame_equal(full.variants, variants, check_dtype=False)
    assert full.as_dict().keys() == read_pairs_h5(path).keys()
    with pytest.raises(ValueError, match=r"pairs.h5: no dataset 'nope' \(not a paired dataset"):
        open_pairs(path, ("ref_codes", "nope"))


def test_minimal_pairs_test_is_val_and_relabel(tmp_path):
    codes = np.array([[0, 1, 5], [4, 2, 3], [3, 3, 3]], dtype=np.uint8)
    y = np.arange(9, dtype=np.float32).reshape(3, 3)
    path = tmp_path / "toy.h5"
    write_minimal_pairs(path, codes, codes[::-1], y, ["train", "val", "val"], split_scheme="paper")
    stored = open_pairs(path, ("ref_codes", "alt_codes", "y", "split", "peak", "chrom"))
    assert stored["peak"].tolist() == ["chr1-0-1", "chr1-1-2", "chr1-2-3"] and stored["chrom"].tolist() == ["chr1"] * 3
    assert stored.attrs == {"sequence_length": 3, "split_scheme": "paper"}
    with h5py.File(path, "r+") as h5:
        h5.attrs["test_is_val"] = True
    stored = open_pairs(path, ("split",))
    assert stored.label("test") == "val" and stored.rows("test").tolist() == [1, 2]   # paper scheme: test = val
    with pytest.raises(ValueError, match="not a deepallele-pairs file"):
        read_pairs_h5(path)
    replace_split(path, ["test", "hidden", "train"])
    assert open_pairs(path, ("split",))["split"].tolist() == ["test", "hidden", "train"]
    with pytest.raises(ValueError, match="2 split labels for 3 rows"):
        replace_split(path, ["train", "val"])


def test_layout_dtypes_and_compression(written):
    path = written[0]
    with h5py.File(path) as h5:
        assert h5["ref_codes"].dtype == np.uint8 and h5["ref_codes"].shape == (5, L)
        assert h5["ref_length"].dtype == np.int32 and h5["ref_count"].dtype == np.int64
        assert h5["y"].dtype == np.float32 and h5["y"].shape == (5, 3)
        assert h5["variants/peak_index"].dtype == np.int32 and h5["variants/ref_pos"].dtype == np.int32
        assert h5["peak"].dtype.kind == "O" and h5.file["peak"].asstr()[0] == "ins"
        assert all(h5[name].compression == "gzip" for name in ("ref_codes", "alt_codes", "peak", "y", "variants/id"))
    assert not path.with_name(path.name + ".tmp").exists()


def test_failed_write_leaves_nothing(genome, written, tmp_path):
    _, pairs, variants, split = written
    out = tmp_path / "bad.h5"
    with pytest.raises(ValueError, match="split label"):
        write_pairs_h5(out, pairs, PEAKS["ref_count"], PEAKS["alt_count"], ["x"] * 5, variants)
    with pytest.raises(ValueError, match="shape"):
        write_pairs_h5(out, pairs, PEAKS["ref_count"][:2], PEAKS["alt_count"], split, variants)
    assert not out.exists() and not list(tmp_path.glob("bad.h5*"))


def test_empty_dataset(genome, tmp_path):
    pairs = paired_sequences(genome["peaks"].iloc[:0], genome["ref_fa"], genome["strain_fa"], genome["cmap"], L)
    variants = variant_table(pairs, genome["vcf"], genome["cmap"], genome["strain_fa"])
    write_pairs_h5(tmp_path / "empty.h5", pairs, [], [], [], variants, {"sequence_length": L})
    data = read_pairs_h5(tmp_path / "empty.h5")
    assert data["ref_codes"].shape == (0, L) and len(data["variants"]) == 0


def test_build_and_summary(genome):
    counts = genome["tmp"] / "counts.tsv"
    PEAKS.assign(ln_ratio=np.log1p(PEAKS["ref_count"]) - np.log1p(PEAKS["alt_count"])).to_csv(counts, sep="\t", index=False)
    out, summary = genome["tmp"] / "built.h5", genome["tmp"] / "summary.tsv"
    table = build_paired_dataset(counts, genome["ref_fa"], genome["strain_fa"], genome["chain"], genome["vcf"], out, L,
                                 scheme="paper", val=["c2"], test=["c9"], summary=summary)
    data = read_pairs_h5(out)
    assert data["attrs"]["test_is_val"] is True
    assert data["attrs"]["test_chroms"] == ["c2", "c9"] and data["attrs"]["split_scheme"] == "paper"
    written = pd.read_csv(summary, sep="\t")
    assert written["split"].tolist() == ["train", "val", "all"]
    row = written.set_index("split").loc["all"]
    assert row["n_peaks"] == 5 and row["n_variants"] == 6 and row["n_indel"] == 4 and row["n_snp"] == 2
    assert row["frac_peaks_with_indel"] == pytest.approx(4 / 5) and row["n_trimmed"] == 1 and row["n_clipped"] == 2
    assert row["sequence_length"] == L
    assert row["mean_abs_ln_ratio"] == pytest.approx(np.abs(data["y"][:, 2]).mean(), rel=1e-5)
    pd.testing.assert_frame_equal(pairs_summary(data), table)


def test_dataset_metrics_on_the_tiny_genome(genome, written):
    counts = genome["tmp"] / "counts.tsv"
    PEAKS.assign(ln_ratio=np.log1p(PEAKS["ref_count"]) - np.log1p(PEAKS["alt_count"])).to_csv(counts, sep="\t", index=False)
    t = dataset_metrics(written[0], genome["ref_fa"], genome["vcf"], counts=counts).set_index("metric")
    m = t["value"]
    exact = ["padding_consistent", "ref_matches_fasta", "variants_snp_check", "variants_edit_check",
             "length_difference_matches_variants", "targets_match_counts"]
    for metric in exact:
        assert m[metric] == 1.0, metric
    assert (t.loc[exact, "status"] == "pass").all() and (t.loc[exact, "ci_high"] == 1.0).all()
    assert m["variants_complete"] == pytest.approx(5 / 6)
    assert t.loc["variants_complete", "status"] == "context"  # "≈ 1" names no threshold
