"""PyTorch datasets over a ``pairs.h5`` file, held in memory as compact base codes.

* :class:`PairedAlleleDataset` (DeepAllele and its direct variant): ``x`` float32
  ``(2, 4, L)``, allele 0 = reference, allele 1 = strain; ``y`` float32 ``(3,)`` =
  ``[ln(1+ref), ln(1+alt), ln ratio]``.
* :class:`SingleAlleleDataset` (single-genome baselines): ``x`` float32 ``(4, L)`` and
  ``y`` float32 ``(1,)`` = ln(1+count) of that allele. ``alleles=("ref",)`` or ``("alt",)``
  gives one genome; ``("ref", "alt")`` the two-genome baseline: both alleles as separate
  examples, all reference examples first, then all strain examples (example ``i`` of allele
  ``k`` is at ``k * n_peaks + i``).

The codes stay ``uint8`` in memory (1 byte per base); one-hot encoding (A, C, G, T; N = 0.25;
padding = 0, see :func:`deepallele.alphabet.one_hot`) happens per **batch**, in one
vectorised table lookup, on the dataset's device.

Batch access (no per-item Python work)
--------------------------------------
* ``ds.batches(batch_size, shuffle=True, generator=g)`` yields ``(x, y)`` batches directly;
  the fastest path, e.g. for a training loop or a LightningDataModule's iterable.
* ``ds[indices]`` with a list, array, tensor or slice returns a whole batch, so a
  ``DataLoader(ds, sampler=BatchSampler(RandomSampler(ds), 64, drop_last=False),
  batch_size=None)`` builds every batch with one call.
* ``__getitems__`` (used by ``DataLoader(ds, batch_size=64)`` in PyTorch >= 2.1) encodes the
  batch in one call and hands the default collate a list of per-item views.
* ``ds[i]`` with an int returns one example.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..alphabet import one_hot
from .split import split_rows
from .store import read_pairs_h5

ALLELES = ("ref", "alt")


class _CodesDataset(Dataset):
    """Examples ``codes[i]`` (uint8, (..., L)) with targets ``y[i]`` (float32)."""

    codes: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def _index(self, index) -> torch.Tensor:
        if isinstance(index, slice):
            return torch.arange(len(self), device=self.codes.device)[index]
        return torch.as_tensor(np.asarray(index) if not torch.is_tensor(index) else index,
                               dtype=torch.long, device=self.codes.device)

    def get_batch(self, index) -> tuple[torch.Tensor, torch.Tensor]:
        """``(x, y)`` of several examples (list, array, tensor or slice of indices)."""
        rows = self._index(index)
        return one_hot(self.codes[rows]), self.y[rows]

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)) or (torch.is_tensor(index) and index.ndim == 0):
            i = int(index)
            if not -len(self) <= i < len(self):
                raise IndexError(f"index {i} out of range for {len(self)} examples")
            return one_hot(self.codes[i]), self.y[i]
        return self.get_batch(index)

    def __getitems__(self, indices: Sequence[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        x, y = self.get_batch(list(indices))
        return list(zip(x.unbind(0), y.unbind(0)))

    def batches(self, batch_size: int, shuffle: bool = False, generator: torch.Generator | None = None,
                drop_last: bool = False) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Iterate over ``(x, y)`` batches.

        Parameters
        ----------
        batch_size : int
        shuffle : bool
            Random order (a fresh permutation per call).
        generator : torch.Generator, optional
            Source of the permutation (seed it for reproducible batch order).
        drop_last : bool
            Leave out a last, smaller batch.
        """
        n = len(self)
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        order = order.to(self.codes.device)
        stop = n - n % batch_size if drop_last else n
        for lo in range(0, stop, batch_size):
            rows = order[lo:min(lo + batch_size, stop)]
            yield one_hot(self.codes[rows]), self.y[rows]

    @property
    def sequence_length(self) -> int:
        return int(self.codes.shape[-1])


def _load(source) -> dict:
    return source if isinstance(source, dict) else read_pairs_h5(source)


class PairedAlleleDataset(_CodesDataset):
    """Paired alleles of one split: ``x`` (2, 4, L) [reference, strain], ``y`` (3,).

    Parameters
    ----------
    source : str, pathlib.Path or dict
        ``pairs.h5`` or its :func:`~deepallele.datasets.store.read_pairs_h5` contents.
    split : {"train", "val", "test"} or None
        Rows to hold (None: all). With the paper scheme (``test_is_val``) ``"test"`` gives the
        validation rows.
    device : str or torch.device, optional
        Where codes and targets live and batches are built (e.g. ``"cuda"``).

    Attributes
    ----------
    codes : torch.Tensor of uint8, shape (n, 2, L)
    y : torch.Tensor of float32, shape (n, 3)
    rows : numpy.ndarray
        Row of each example in the file.
    peak : numpy.ndarray of str
    attrs : dict
        File attributes.
    """

    def __init__(self, source: str | Path | dict, split: str | None = None, device=None):
        data = _load(source)
        self.attrs = data["attrs"]
        self.rows = split_rows(data["split"], split, bool(self.attrs.get("test_is_val", False)))
        self.split = split
        self.peak = data["peak"][self.rows]
        codes = np.stack([data["ref_codes"][self.rows], data["alt_codes"][self.rows]], axis=1)
        self.codes = torch.from_numpy(np.ascontiguousarray(codes)).to(device)
        self.y = torch.from_numpy(np.ascontiguousarray(data["y"][self.rows], dtype=np.float32)).to(device)


class SingleAlleleDataset(_CodesDataset):
    """One allele per example, for the single-input baselines: ``x`` (4, L), ``y`` (1,).

    Parameters
    ----------
    source : str, pathlib.Path or dict
        ``pairs.h5`` or its contents.
    split : {"train", "val", "test"} or None
        As for :class:`PairedAlleleDataset`.
    alleles : tuple of {"ref", "alt"}
        ``("ref",)``: reference genome only; ``("alt",)``: strain genome only;
        ``("ref", "alt")``: two-genome model, reference examples first, then strain examples.
    device : str or torch.device, optional

    Attributes
    ----------
    codes : torch.Tensor of uint8, shape (n * len(alleles), L)
    y : torch.Tensor of float32, shape (n * len(alleles), 1)
        ln(1 + count) of the example's allele.
    allele : numpy.ndarray of int8
        0 (reference) or 1 (strain) per example.
    rows, peak : numpy.ndarray
        File row and peak name per example.
    """

    def __init__(self, source: str | Path | dict, split: str | None = None,
                 alleles: Sequence[str] = ("ref",), device=None):
        alleles = tuple(alleles)
        if not alleles or any(a not in ALLELES for a in alleles) or len(set(alleles)) != len(alleles):
            raise ValueError(f"alleles must be distinct values of {ALLELES}, not {alleles!r}")
        data = _load(source)
        self.attrs = data["attrs"]
        rows = split_rows(data["split"], split, bool(self.attrs.get("test_is_val", False)))
        self.split, self.alleles = split, alleles
        codes = [data[f"{a}_codes"][rows] for a in alleles]
        ys = [data["y"][rows, ALLELES.index(a)] for a in alleles]
        self.rows = np.tile(rows, len(alleles))
        self.peak = data["peak"][self.rows]
        self.allele = np.repeat(np.array([ALLELES.index(a) for a in alleles], dtype=np.int8), len(rows))
        self.codes = torch.from_numpy(np.ascontiguousarray(np.concatenate(codes, axis=0))).to(device)
        self.y = torch.from_numpy(np.concatenate(ys).astype(np.float32)[:, None]).to(device)
