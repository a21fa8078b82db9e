"""Torch datasets: item and batch shapes, values, splits, single-allele ordering, DataLoader use."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from tiny_genome import L, PEAKS
from torch.utils.data import BatchSampler, DataLoader, SequentialSampler

from deepallele.alphabet import one_hot
from deepallele.datasets.pairs import paired_sequences, variant_table
from deepallele.datasets.split import assign_split
from deepallele.datasets.store import read_pairs_h5, write_pairs_h5
from deepallele.datasets.torchdata import PairedAlleleDataset, SingleAlleleDataset


@pytest.fixture()
def h5(genome):
    pairs = paired_sequences(genome["peaks"], genome["ref_fa"], genome["strain_fa"], genome["cmap"], L)
    variants = variant_table(pairs, genome["vcf"], genome["cmap"], genome["strain_fa"])
    split = assign_split(pairs.chrom, "heldout", val=["c2"], test=[])
    path = genome["tmp"] / "pairs.h5"
    write_pairs_h5(path, pairs, PEAKS["ref_count"], PEAKS["alt_count"], split, variants, {"sequence_length": L})
    return path


def test_paired_item_shapes_and_values(h5):
    data = read_pairs_h5(h5)
    ds = PairedAlleleDataset(h5)
    assert len(ds) == 5 and ds.sequence_length == L
    x, y = ds[1]
    assert x.shape == (2, 4, L) and x.dtype == torch.float32
    assert y.shape == (3,) and y.dtype == torch.float32
    np.testing.assert_array_equal(x[0].numpy(), one_hot(data["ref_codes"][1]))   # allele 0 = reference
    np.testing.assert_array_equal(x[1].numpy(), one_hot(data["alt_codes"][1]))   # allele 1 = strain
    assert x[1, :, 10:].sum() == 0                                               # padding = zeros
    np.testing.assert_allclose(y.numpy(), data["y"][1])
    assert ds[-1][1].tolist() == ds[4][1].tolist()
    with pytest.raises(IndexError):
        ds[5]


def test_paired_splits(h5):
    train, val = PairedAlleleDataset(h5, "train"), PairedAlleleDataset(h5, "val")
    assert len(train) == 3 and len(val) == 2 and len(PairedAlleleDataset(h5, "test")) == 0
    assert val.peak.tolist() == ["start", "end"] and val.rows.tolist() == [3, 4]


def test_paper_scheme_test_is_val(h5):
    data = read_pairs_h5(h5)
    data["attrs"]["test_is_val"] = True
    assert PairedAlleleDataset(data, "test").peak.tolist() == ["start", "end"]


def test_batches_and_getitem_batch(h5):
    ds = PairedAlleleDataset(h5)
    x, y = ds[[0, 2, 4]]
    assert x.shape == (3, 2, 4, L) and y.shape == (3, 3)
    torch.testing.assert_close(x[1], ds[2][0])
    xs, ys = ds[1:3]
    assert xs.shape[0] == 2
    batches = list(ds.batches(2))
    assert [b[0].shape[0] for b in batches] == [2, 2, 1]
    torch.testing.assert_close(torch.cat([b[1] for b in batches]), ds.y)
    assert [b[0].shape[0] for b in ds.batches(2, drop_last=True)] == [2, 2]
    a = [b[1] for b in ds.batches(2, shuffle=True, generator=torch.Generator().manual_seed(3))]
    b = [b[1] for b in ds.batches(2, shuffle=True, generator=torch.Generator().manual_seed(3))]
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert sorted(torch.cat(a)[:, 0].tolist()) == sorted(ds.y[:, 0].tolist())


def test_dataloaders(h5):
    ds = PairedAlleleDataset(h5)
    x, y = next(iter(DataLoader(ds, batch_size=4)))                     # __getitems__ + default collate
    assert x.shape == (4, 2, 4, L) and y.shape == (4, 3)
    torch.testing.assert_close(x, ds[[0, 1, 2, 3]][0])
    loader = DataLoader(ds, sampler=BatchSampler(SequentialSampler(ds), 4, drop_last=False), batch_size=None)
    shapes = [xb.shape[0] for xb, _ in loader]                         # whole batches from ds[list]
    assert shapes == [4, 1]


def test_single_allele_datasets(h5):
    data = read_pairs_h5(h5)
    ref = SingleAlleleDataset(h5, alleles=("ref",))
    x, y = ref[0]
    assert x.shape == (4, L) and y.shape == (1,)
    assert y.item() == pytest.approx(np.log1p(PEAKS["ref_count"][0]))
    alt = SingleAlleleDataset(h5, "train", alleles=("alt",))
    assert len(alt) == 3
    np.testing.assert_array_equal(alt[2][0].numpy(), one_hot(data["alt_codes"][2]))
    assert alt[2][1].item() == pytest.approx(np.log1p(PEAKS["alt_count"][2]))
    both = SingleAlleleDataset(h5, alleles=("ref", "alt"))
    assert len(both) == 10 and both.allele.tolist() == [0] * 5 + [1] * 5
    np.testing.assert_array_equal(both[5][0].numpy(), one_hot(data["alt_codes"][0]))   # ref first, then alt
    np.testing.assert_allclose(both.y[:, 0].numpy(), np.concatenate([data["y"][:, 0], data["y"][:, 1]]))
    assert both.peak.tolist() == PEAKS["peak"].tolist() * 2
    xb, yb = both[[0, 5]]
    assert xb.shape == (2, 4, L) and yb.shape == (2, 1)
    with pytest.raises(ValueError):
        SingleAlleleDataset(h5, alleles=("ref", "ref"))
