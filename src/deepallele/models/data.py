"""Paired-allele data for training: ``pairs.h5`` held in memory as uint8 codes, batched by index tensors.

``pairs.h5`` (written by the dataset stage, read by :func:`deepallele.datasets.store.open_pairs`)
holds ``ref_codes``/``alt_codes`` (N, L) uint8 with A=0, C=1, G=2, T=3, N=4, padding=5
(:mod:`deepallele.alphabet`); ``y`` (N, 3) float32 = [ln(1+ref), ln(1+alt), ln ratio];
``split`` (train/val/test) and ``peak``, ``chrom``, ``start``, ``end`` strings/integers.

Batches are built by indexing whole tensors (codes -> one-hot through
:func:`deepallele.alphabet.one_hot`, a 6 x 4 table lookup), so there is no per-item Python
work; the training order is a permutation drawn from a ``torch.Generator`` seeded by (seed,
epoch), so it is reproducible and a resumed run sees the same order as an uninterrupted one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from ..alphabet import PAD_CODE, decode, encode, one_hot
from ..datasets.store import open_pairs, write_minimal_pairs


@dataclass
class Pairs:
    """A pairs.h5 in memory.

    Attributes
    ----------
    codes : torch.Tensor
        (N, 2, L) uint8 codes, allele 0 = reference, 1 = strain.
    y : torch.Tensor
        (N, 3) float32 [ln(1+ref), ln(1+alt), ln ratio].
    split : numpy.ndarray
        (N,) split labels.
    peak, chrom : numpy.ndarray
        (N,) peak names and chromosomes.
    sequence_length : int
        L.
    """

    codes: torch.Tensor
    y: torch.Tensor
    split: np.ndarray
    peak: np.ndarray
    chrom: np.ndarray
    sequence_length: int

    def __len__(self) -> int:
        return len(self.y)

    def indices(self, split: str | None) -> torch.Tensor:
        """Row indices of a split (all rows for ``None``), in file order."""
        if split is None:
            return torch.arange(len(self))
        return torch.from_numpy(np.flatnonzero(self.split == split))


def load_pairs(path: str | Path) -> Pairs:
    """Read ``pairs.h5`` into memory (codes stay uint8; :func:`~deepallele.datasets.store.open_pairs`)."""
    stored = open_pairs(path, ("ref_codes", "alt_codes", "y", "split"), optional=("peak", "chrom"))
    n = len(stored["y"])
    peak = stored["peak"] if "peak" in stored else np.array([str(i) for i in range(n)], dtype=object)
    chrom = stored["chrom"] if "chrom" in stored else np.full(n, "", dtype=object)
    return Pairs(torch.from_numpy(stored.codes), torch.from_numpy(stored["y"].astype(np.float32)),
                 stored["split"].astype(object), peak, chrom, stored.sequence_length)


# Items of a split as seen by one model type: (row of the pairs, allele or -1 for the pair).
def example_index(pairs: Pairs, split: str | None, mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows and alleles of the examples of ``split`` for a training ``mode``.

    ``pair`` -> every pair once (allele -1); ``ref``/``alt`` -> one allele of every pair;
    ``both`` -> the reference alleles then the strain alleles (2N examples, as the
    two-genome baseline is trained).
    """
    rows = pairs.indices(split)
    if mode == "pair":
        return rows, torch.full_like(rows, -1)
    if mode == "ref":
        return rows, torch.zeros_like(rows)
    if mode == "alt":
        return rows, torch.ones_like(rows)
    if mode == "both":
        return torch.cat([rows, rows]), torch.cat([torch.zeros_like(rows), torch.ones_like(rows)])
    raise ValueError(f"unknown mode {mode!r}")


class BatchDataset(Dataset):
    """Indexed by a 1-D tensor of example positions; returns a whole batch ``(x, y)``.

    Pair examples give ``x`` (B, 2, 4, L) and ``y`` (B, 3); single-allele examples give ``x``
    (B, 4, L) and ``y`` (B, 1), the allele's ln count.
    """

    def __init__(self, pairs: Pairs, rows: torch.Tensor, alleles: torch.Tensor):
        self.codes, self.y = pairs.codes, pairs.y
        self.rows, self.alleles = rows, alleles
        self.paired = bool((alleles < 0).all()) if len(alleles) else True

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, pos: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        rows = self.rows[pos]
        if self.paired:
            return one_hot(self.codes[rows]), self.y[rows]
        al = self.alleles[pos]
        return one_hot(self.codes[rows, al]), self.y[rows, al].unsqueeze(1)


class BatchSampler(Sampler):
    """Yields index tensors of ``batch_size`` (last one may be smaller).

    With ``shuffle``, epoch ``e`` uses the permutation drawn by a generator seeded with
    ``seed * 1_000_003 + e``. The epoch is read when the first batch is drawn, from
    ``epoch_fn`` if set (e.g. ``lambda: trainer.current_epoch``, right also after a resume),
    else from the last :meth:`set_epoch`.
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool = False, seed: int = 0, epoch_fn=None):
        self.n, self.batch_size, self.shuffle, self.seed = int(n), int(batch_size), bool(shuffle), int(seed)
        self.epoch = 0
        self.epoch_fn = epoch_fn

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        if self.shuffle:
            epoch = int(self.epoch_fn()) if self.epoch_fn is not None else self.epoch
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            order = torch.randperm(self.n, generator=g)
        else:
            order = torch.arange(self.n)
        yield from order.split(self.batch_size)


def make_loader(pairs: Pairs, split: str | None, mode: str, batch_size: int, shuffle: bool = False, seed: int = 0,
                num_workers: int = 0) -> DataLoader:
    """A DataLoader of whole batches for one split (``batch_size=None``: the dataset builds each batch).

    The loader has its own generator, so iterating it never draws from the global RNG
    (dropout stays reproducible across resumes).
    """
    rows, alleles = example_index(pairs, split, mode)
    ds = BatchDataset(pairs, rows, alleles)
    return DataLoader(ds, batch_size=None, sampler=BatchSampler(len(ds), batch_size, shuffle, seed),
                      num_workers=num_workers, generator=torch.Generator().manual_seed(seed),
                      persistent_workers=num_workers > 0)


def synthetic_pairs(path: str | Path, n: int = 200, length: int = 64, seed: int = 0, motif: str = "GGAAGT",
                    effect: float = 1.0, splits: tuple[float, float] = (0.7, 0.15)) -> Path:
    """A toy pairs.h5 with a planted rule (tests, benchmarks, timing).

    Each reference sequence is random (length ``length - 4``, so the last 4 positions are
    padding) and gets ``motif`` at a random place with probability 0.6; the strain allele is
    the reference with ~2 % SNPs, and one base of the motif mutated with probability 0.5.
    ln(1 + count) = 1 + ``effect`` x (motif copies) + small noise for each allele; the ratio is
    their difference. Rows are split train/val/test in the proportions ``splits`` (rest test),
    on chromosomes chr1/chr16/chr17.
    """
    rng = np.random.default_rng(seed)
    seq_len = length - 4
    ref = rng.integers(0, 4, (n, seq_len))
    m = encode(motif, acgt_only=True).astype(np.int64)
    has = rng.random(n) < 0.6
    pos = rng.integers(0, seq_len - len(m), n)
    for i in np.flatnonzero(has):
        ref[i, pos[i]:pos[i] + len(m)] = m
    alt = ref.copy()
    snp = rng.random((n, seq_len)) < 0.02
    alt[snp] = (alt[snp] + rng.integers(1, 4, snp.sum())) % 4
    broken = has & (rng.random(n) < 0.5)
    for i in np.flatnonzero(broken):
        j = pos[i] + rng.integers(0, len(m))
        alt[i, j] = (ref[i, j] + 1 + rng.integers(0, 3)) % 4

    def copies(a):
        s = [decode(r.astype(np.uint8)) for r in a]
        return np.array([x.count(motif) for x in s], dtype=np.float32)

    y_ref = 1.0 + effect * copies(ref) + rng.normal(0, 0.05, n).astype(np.float32)
    y_alt = 1.0 + effect * copies(alt) + rng.normal(0, 0.05, n).astype(np.float32)
    y = np.stack([y_ref, y_alt, y_ref - y_alt], axis=1).astype(np.float32)
    pad = np.full((n, 4), PAD_CODE)
    ref_codes = np.concatenate([ref, pad], axis=1).astype(np.uint8)
    alt_codes = np.concatenate([alt, pad], axis=1).astype(np.uint8)
    u = rng.random(n)
    split = np.where(u < splits[0], "train", np.where(u < splits[0] + splits[1], "val", "test"))
    chrom = np.where(split == "train", "chr1", np.where(split == "val", "chr16", "chr17"))
    peak = [f"{c}-{1000 * i}-{1000 * i + seq_len}" for i, c in enumerate(chrom)]
    write_minimal_pairs(path, ref_codes, alt_codes, y, split, peak=peak, chrom=chrom,
                        start=1000 * np.arange(n), end=1000 * np.arange(n) + seq_len)
    return Path(path)
