"""The authors' processed HDF5 <-> our pairs.h5: exact codes, counts, split, derived variants,
errors, round trip, and an export their loader reads."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest

from deepallele.alphabet import PAD_CODE, encode
from deepallele.datasets.authors_h5 import (export_authors_h5, import_authors_h5, one_hot_to_codes,
                                            sequence_diff)
from deepallele.datasets.pairs import VARIANT_COLUMNS, check_variants
from deepallele.datasets.store import read_pairs_h5

L = 12
ONE = {"A": [1, 0, 0, 0], "C": [0, 1, 0, 0], "G": [0, 0, 1, 0], "T": [0, 0, 0, 1], "N": [0.25] * 4}
# peak 0: SNP T->A at index 3; peak 1: 2-bp deletion (GG at 4..5); peak 2: identical, with an N;
# peak 3: identical, full length
B6 = ["ACGTACGTAC", "AACCGGTTAACC", "ACNT", "TTTTGGGGCCCC"]
CAST = ["ACGAACGTAC", "AACCTTAACC", "ACNT", "TTTTGGGGCCCC"]
NAMES = ["chr1-100-400", "chr16-500-900", "chr17-10-20", "chr5-7-9"]
B6_SUM, CAST_SUM = [10, 3, 0, 1], [5, 2.5, 0, 1]
B6_SC, CAST_SC = [1, 2, 3, 4], [4, 3, 2, 1]


def _one_hot(seqs, length=L):
    x = np.zeros((len(seqs), length, 4), dtype=np.float64)
    for i, s in enumerate(seqs):
        for j, base in enumerate(s):
            x[i, j] = ONE[base]
    return x


def _write_atac(path, names=NAMES, b6=B6, cast=CAST, ratio_shift=0.0, bytes_names=False):
    with h5py.File(path, "w") as h5:
        h5["B6_sequence"] = _one_hot(b6)
        h5["Cast_sequence"] = _one_hot(cast)
        if bytes_names:
            h5["peak_name"] = np.array(names, dtype="S")
        else:
            h5.create_dataset("peak_name", data=np.array(names, dtype=object), dtype=h5py.string_dtype("utf-8"))
        for t, ref, alt in (("sum", B6_SUM, CAST_SUM), ("sc", B6_SC, CAST_SC)):
            h5[f"{t}.B6"], h5[f"{t}.CAST"] = np.log1p(ref), np.log1p(alt)
            h5[f"{t}.ratio"] = np.log((1 + np.array(ref)) / (1 + np.array(alt))) + ratio_shift
        h5.attrs["data_type"] = "ATAC-seq"
        h5.attrs["sequence_length"] = L
    return path


def _write_chip(path, names):
    with h5py.File(path, "w") as h5:
        h5["B6_sequence"] = _one_hot(B6)
        h5["Cast_sequence"] = _one_hot(CAST)
        h5.create_dataset("peak_name", data=np.array(names, dtype=object), dtype=h5py.string_dtype("utf-8"))
        h5["B6_counts"], h5["Cast_counts"] = np.log1p(B6_SC), np.log1p(CAST_SC)
        h5["ratio"] = h5["B6_counts"][()] - h5["Cast_counts"][()]
        h5.attrs["data_type"] = "ChIP-seq PWK/B6"
        h5.attrs["sequence_length"] = L
    return path


def _codes(seqs):
    out = np.full((len(seqs), L), PAD_CODE, dtype=np.uint8)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = encode(s)
    return out


def test_import_atac_exact(tmp_path):
    src = _write_atac(tmp_path / "ATAC-seq-preprocessed.hdf5")
    out, summary = tmp_path / "pairs.h5", tmp_path / "summary.tsv"
    import_authors_h5(src, out, summary=summary)
    data = read_pairs_h5(out)
    np.testing.assert_array_equal(data["ref_codes"], _codes(B6))
    np.testing.assert_array_equal(data["alt_codes"], _codes(CAST))
    assert data["ref_codes"][2].tolist() == [0, 1, 4, 3] + [5] * 8  # A C N T, padding
    assert data["ref_length"].tolist() == [10, 12, 4, 12] and data["alt_length"].tolist() == [10, 10, 4, 12]
    # auto target = sum; 2.5 makes both count arrays float64; expm1 gives the counts back
    assert data["attrs"]["authors_target"] == "sum"
    assert data["ref_count"].dtype == np.float64 and data["ref_count"].tolist() == B6_SUM
    assert data["alt_count"].tolist() == CAST_SUM
    np.testing.assert_allclose(data["y"][:, 0], np.log1p(B6_SUM), rtol=1e-6)
    assert data["peak"].tolist() == NAMES and data["chrom"].tolist() == ["chr1", "chr16", "chr17", "chr5"]
    assert data["peak_start"].tolist() == [100, 500, 10, 7] and data["peak_end"].tolist() == [400, 900, 20, 9]
    assert data["start"].tolist() == [-1] * 4 and data["strain_end"].tolist() == [-1] * 4
    assert data["split"].tolist() == ["train", "val", "test", "train"]
    attrs = data["attrs"]
    assert attrs["variants_source"] == "sequence_diff" and attrs["windows_known"] is False
    assert attrs["strain_name"] == "CAST" and attrs["reference_name"] == "B6" and attrs["sequence_length"] == L
    assert attrs["authors_h5"] == str(src) and attrs["val_chroms"] == ["chr16"]
    table = pd.read_csv(summary, sep="\t")
    assert table.set_index("split").loc["all", "n_peaks"] == 4 and (table["n_clipped"] == 0).all()


def test_derived_variants(tmp_path):
    out = tmp_path / "pairs.h5"
    import_authors_h5(_write_atac(tmp_path / "a.h5"), out)
    data = read_pairs_h5(out)
    got = data["variants"]
    assert list(got.columns) == VARIANT_COLUMNS
    assert got.values.tolist() == [
        [0, "chr1-100-400:4:T:A", "snp", 3, 3, "T", "A", "T", "A", True],
        # GG deleted after the anchor C (1-based array position 4)
        [1, "chr16-500-900:4:CGG:C", "del", 4, 4, "CGG", "C", "GG", "", True],
    ]
    assert check_variants(data["ref_codes"], data["alt_codes"], got).all()


def test_sequence_diff_kinds_and_edges():
    def diff(a, b):
        return sequence_diff(_codes([a]), _codes([b]), [len(a)], [len(b)], ["p"])[
            ["kind", "ref_pos", "alt_pos", "ref_edit", "alt_edit", "complete"]].values.tolist()

    assert diff("ACGTACGTAC", "ACCAACGTAC") == [["mnp", 2, 2, "GT", "CA", True]]
    assert diff("ACGTAC", "ACGTTTAC") == [["ins", 4, 4, "", "TT", True]]
    # an indel at the end (or sliding there through a repeat) may be a window edge: incomplete
    assert diff("ACGTAC", "ACGTACGG") == [["ins", 6, 6, "", "GG", False]]
    assert diff("ACGTACGG", "ACGTAC") == [["del", 6, 6, "GG", "", False]]
    assert diff("TTACGTAC", "ACGTAC") == [["del", 0, 0, "TT", "", False]]
    assert diff("ACGTAC", "ACGTAC") == []


def test_import_sc_and_chip(tmp_path):
    out = tmp_path / "pairs.h5"
    import_authors_h5(_write_atac(tmp_path / "a.h5"), out, target="sc", scheme="paper")
    data = read_pairs_h5(out)
    assert data["ref_count"].dtype == np.int64 and data["ref_count"].tolist() == B6_SC
    assert data["alt_count"].tolist() == CAST_SC and data["split"].tolist() == ["train", "val", "val", "train"]
    assert data["attrs"]["test_is_val"]

    chip = _write_chip(tmp_path / "sequence_datasets_chip_PWK_B6.hdf5",
                       ["Merged-chr1-1", "Merged-chr16-2", "Merged-chr17-3", "Merged-chr5-4"])
    with pytest.raises(ValueError, match=r"4 of 4 peak name\(s\) do not match .*row 0: 'Merged-chr1-1'"):
        import_authors_h5(chip, out)
    import_authors_h5(chip, out, peak_pattern=r"^Merged-(?P<chrom>chr[^-]+)-.*$")
    data = read_pairs_h5(out)
    assert data["attrs"]["authors_target"] == "plain" and data["attrs"]["strain_name"] == "PWK"
    assert data["chrom"].tolist() == ["chr1", "chr16", "chr17", "chr5"]
    assert data["peak_start"].tolist() == [-1] * 4 and data["peak_end"].tolist() == [-1] * 4
    assert data["ref_count"].tolist() == B6_SC and data["split"].tolist() == ["train", "val", "test", "train"]


def test_bytes_names(tmp_path):
    out = tmp_path / "pairs.h5"
    import_authors_h5(_write_atac(tmp_path / "a.h5", bytes_names=True), out)
    assert read_pairs_h5(out)["peak"].tolist() == NAMES


def test_errors(tmp_path):
    out = tmp_path / "pairs.h5"
    bad_names = _write_atac(tmp_path / "n.h5", names=["chr1-100-400", "nan", "OCR_7", "chr5-7-9"])
    with pytest.raises(ValueError, match=r"n\.h5: peak_name: 2 of 4 .*row 1: 'nan', row 2: 'OCR_7'"):
        import_authors_h5(bad_names, out)
    shifted = _write_atac(tmp_path / "r.h5", ratio_shift=1e-3)
    with pytest.raises(ValueError, match=r"r\.h5: sum\.ratio is not sum\.B6 - sum\.CAST .* in 4 row"):
        import_authors_h5(shifted, out)
    assert len(import_authors_h5(_write_atac(tmp_path / "ok.h5", ratio_shift=1e-8), out)) > 0  # within 1e-6
    with h5py.File(tmp_path / "bad.h5", "w") as h5:
        x = _one_hot(B6)
        x[2, 1] = [0.5, 0.5, 0, 0]
        h5["B6_sequence"], h5["Cast_sequence"] = x, _one_hot(CAST)
        h5["peak_name"] = np.array(NAMES, dtype="S")
    with pytest.raises(ValueError, match=r"no target datasets .*present: \['B6_sequence', 'Cast_sequence'"):
        import_authors_h5(tmp_path / "bad.h5", out)
    with h5py.File(tmp_path / "bad.h5", "a") as h5:
        h5["B6_counts"] = h5["Cast_counts"] = h5["ratio"] = np.zeros(4)
    with pytest.raises(ValueError, match=r"B6_sequence: row 2, position 1 is not one-hot"):
        import_authors_h5(tmp_path / "bad.h5", out)
    with pytest.raises(ValueError, match=r"target 'sc' needs dataset"):
        import_authors_h5(_write_chip(tmp_path / "c.h5", NAMES), out, target="sc")
    dup = _write_atac(tmp_path / "d.h5", names=["chr1-1-2", "chr1-1-2", "chr2-1-2", "chr3-1-2"])
    with pytest.raises(ValueError, match="duplicated peak name"):
        import_authors_h5(dup, out)
    with pytest.raises(ValueError, match="not one-hot"):
        one_hot_to_codes(np.full((1, 2, 4), 0.5))


def test_round_trip_and_their_loader(tmp_path):
    first, exported, second = tmp_path / "p1.h5", tmp_path / "ATAC-seq-preprocessed.hdf5", tmp_path / "p2.h5"
    import_authors_h5(_write_atac(tmp_path / "a.h5"), first)
    export_authors_h5(first, exported, layout="atac", target="sum")
    import_authors_h5(exported, second)
    a, b = read_pairs_h5(first), read_pairs_h5(second)
    for key in ("ref_codes", "alt_codes", "ref_length", "alt_length", "ref_count", "alt_count", "peak", "chrom",
                "peak_start", "peak_end", "split", "y"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        assert a[key].dtype == b[key].dtype, key
    pd.testing.assert_frame_equal(a["variants"], b["variants"])

    # read it as DeepAllele's load_h5 does (h5py >= 3: bytes names, decode, chrom after "chr")
    with h5py.File(exported, "r") as h5:
        assert h5.attrs["data_type"] == "ATAC-seq" and h5.attrs["sequence_length"] == L
        x6, xc = h5["B6_sequence"][()], h5["Cast_sequence"][()]
        assert x6.dtype == np.float64 and x6.shape == (4, L, 4) and xc.shape == (4, L, 4)
        assert x6[2, 2].tolist() == [0.25] * 4 and x6[2, 4:].sum() == 0 and x6[0, 3].tolist() == [0, 0, 0, 1]
        names = [n.decode("utf-8") for n in h5["peak_name"][:]]
        assert names == NAMES
        assert [n.split("chr")[1].split("-")[0] for n in names] == ["1", "16", "17", "5"]
        y = np.stack([h5["sum.B6"][()], h5["sum.CAST"][()], h5["sum.ratio"][()]], axis=1)
        assert y.dtype == np.float64 and y.shape == (4, 3)
        np.testing.assert_allclose(y[:, 0], np.log1p(B6_SUM), rtol=1e-12)
        np.testing.assert_allclose(y[:, 2], np.log1p(B6_SUM) - np.log1p(CAST_SUM), rtol=1e-12)
    mh = np.stack([x6, xc], -1)
    assert mh.shape == (4, L, 4, 2)

    chip = tmp_path / "sequence_datasets_chip_CAST_B6.hdf5"
    export_authors_h5(first, chip, layout="chip")
    with h5py.File(chip, "r") as h5:
        assert h5.attrs["data_type"] == "ChIP-seq CAST/B6" and h5["B6_counts"].shape == (4,)
        np.testing.assert_allclose(h5["ratio"][()], h5["B6_counts"][()] - h5["Cast_counts"][()])
    import_authors_h5(chip, second)
    c = read_pairs_h5(second)
    np.testing.assert_array_equal(c["ref_codes"], a["ref_codes"])
    assert c["ref_count"].tolist() == a["ref_count"].tolist() and c["attrs"]["strain_name"] == "CAST"
    with pytest.raises(ValueError, match="layout"):
        export_authors_h5(first, chip, layout="bed")
