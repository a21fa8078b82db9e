"""pairs.h5 in memory, batches by index tensors, seeded shuffling."""
from __future__ import annotations

import numpy as np
import torch

from deepallele.alphabet import encode, one_hot
from deepallele.datasets.store import write_minimal_pairs
from deepallele.models.data import BatchSampler, example_index, load_pairs, make_loader


def test_roundtrip_and_shapes(tmp_path):
    ref = np.stack([encode("ACGT", 6), encode("NNA", 6)])
    alt = np.stack([encode("ACGA", 6), encode("NA", 6)])
    y = np.array([[1, 2, -1], [3, 1, 2]], dtype=np.float32)
    write_minimal_pairs(tmp_path / "p.h5", ref, alt, y, ["train", "val"], peak=["chr1-0-4", "chr16-9-12"])
    p = load_pairs(tmp_path / "p.h5")
    assert p.codes.shape == (2, 2, 6) and p.codes.dtype == torch.uint8
    assert p.sequence_length == 6 and list(p.split) == ["train", "val"] and list(p.chrom) == ["chr1", "chr16"]
    assert torch.equal(p.indices("val"), torch.tensor([1]))
    x = one_hot(p.codes)
    assert isinstance(x, torch.Tensor) and x.shape == (2, 2, 4, 6)
    assert torch.equal(x[1, 1, :, 0], torch.full((4,), 0.25)) and x[1, 1, :, 2:].abs().sum() == 0


def test_example_index_modes(toy_pairs):
    p = load_pairs(toy_pairs)
    n = int((p.split == "train").sum())
    rows, al = example_index(p, "train", "both")
    assert len(rows) == 2 * n and (al[:n] == 0).all() and (al[n:] == 1).all()
    assert torch.equal(rows[:n], rows[n:])
    assert (example_index(p, "train", "pair")[1] == -1).all()


def test_batches_pair_and_single(toy_pairs):
    p = load_pairs(toy_pairs)
    x, y = next(iter(make_loader(p, "train", "pair", 16)))
    assert x.shape == (16, 2, 4, 64) and y.shape == (16, 3)
    rows = p.indices("train")[:16]
    assert torch.equal(y, p.y[rows]) and torch.equal(x, one_hot(p.codes[rows]))
    x, y = next(iter(make_loader(p, "train", "alt", 16)))
    assert x.shape == (16, 4, 64) and torch.equal(y[:, 0], p.y[rows, 1])


def test_sampler_is_seeded_per_epoch_and_covers_everything():
    s = BatchSampler(10, 3, shuffle=True, seed=4)
    a = torch.cat(list(s))
    assert sorted(a.tolist()) == list(range(10)) and [len(b) for b in s] == [3, 3, 3, 1]
    assert torch.equal(a, torch.cat(list(BatchSampler(10, 3, shuffle=True, seed=4))))
    s.set_epoch(1)
    assert not torch.equal(a, torch.cat(list(s)))
    s.epoch_fn = lambda: 0
    assert torch.equal(a, torch.cat(list(s)))


def test_iterating_a_loader_leaves_the_global_rng_alone(toy_pairs):
    p = load_pairs(toy_pairs)
    state = torch.get_rng_state()
    for _ in make_loader(p, "train", "pair", 32, shuffle=True, seed=1):
        pass
    assert torch.equal(state, torch.get_rng_state())
