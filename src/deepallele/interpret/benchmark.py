"""ISM and TISM speed at the paper's ATAC size, and their agreement on a trained model.

Speed is measured on a randomly initialised paper-size ATAC DeepAllele (L = 330, 4 residual
blocks, pool 4, 256/256; its speed does not depend on the weights) in eval mode on the CPU
threads given; agreement (per-sequence Pearson r of ISM and TISM maps) on a trained model.
The reference point is the authors' ISM: 29 s per ATAC pair on 2 CPU threads
(docs/results.md, "Performance anchors").
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch

from ..models.deepallele import DeepAllele
from ..models.presets import PRESETS
from .correlation import per_sequence_correlation
from .ism import ism
from .tism import tism

AUTHORS_ISM_S_PER_PAIR = 29.0
#: the authors' plain loop over the same forward passes at batch 32 on the same machine (15.8 s)
AUTHORS_PAIR_LOOP_S_PER_PAIR = 15.8


def random_pairs(n: int, length: int, seed: int = 0) -> torch.Tensor:
    """``(n, 2, 4, L)`` random one-hot pairs."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, 2, 4, length)
    x.scatter_(2, torch.randint(0, 4, (n, 2, 1, length), generator=g), 1.0)
    return x


def paper_atac_model(seed: int = 0) -> DeepAllele:
    """Paper-size ATAC DeepAllele with random weights, eval mode."""
    torch.manual_seed(seed)
    return DeepAllele(330, **PRESETS["paper_atac"]).eval()


def seconds_per_pair(fn, x: torch.Tensor, repeats: int = 3) -> float:
    """Median over ``repeats`` of the wall time of ``fn(x)`` divided by the number of pairs."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) / len(x)


@torch.inference_mode()
def pair_loop(model: torch.nn.Module, x: torch.Tensor, batch_size: int = 32) -> None:
    """The authors' way, for timing: every single-base mutant of either allele as a full pair forward pass."""
    from .ism import alternatives

    for n in range(len(x)):
        alt = alternatives(x[n:n + 1])[0]
        a, b, p = torch.nonzero(alt, as_tuple=True)
        for i in range(0, len(a), batch_size):
            xb = x[n:n + 1].repeat(len(a[i:i + batch_size]), 1, 1, 1)
            k = torch.arange(len(xb))
            xb[k, a[i:i + batch_size], :, p[i:i + batch_size]] = 0
            xb[k, a[i:i + batch_size], b[i:i + batch_size], p[i:i + batch_size]] = 1
            model(xb)


def speed_table(n_pairs: int = 4, batch_size: int = 512, repeats: int = 3) -> pd.DataFrame:
    """ISM (windowed, full-trunk, the authors' pair loop) and TISM speed at paper ATAC size.

    The machine may be shared, so the authors' pair loop is timed in the same run and the
    speed-up against their 29 s ISM is also given as measured-loop-time x 29 / 15.8 over ours
    (the ratio of their ISM to their loop on the anchor machine).
    """
    model = paper_atac_model()
    x = random_pairs(n_pairs, 330)
    # TISM is a batched backward pass: time it on a full batch, not on the few ISM pairs
    xt = random_pairs(max(n_pairs, 64), 330, seed=1)
    # ISM and TISM alternate, so both see the same machine load (a shared machine varies a lot)
    t_ism, t_tism = [], []
    for _ in range(repeats):
        t_ism.append(seconds_per_pair(lambda v: ism(model, v, batch_size=batch_size), x, 1))
        t_tism.append(seconds_per_pair(lambda v: tism(model, v), xt, 1))
    s_ism, s_tism = float(np.median(t_ism)), float(np.median(t_tism))
    s_full = seconds_per_pair(lambda v: ism(model, v, batch_size=batch_size, fast=False), x[:1], 1)
    s_loop = seconds_per_pair(lambda v: pair_loop(model, v), x[:1], 1)
    rows = [
        ("ism_pairs_per_s", 1 / s_ism, "pairs/s", f">= {10 / AUTHORS_ISM_S_PER_PAIR:.3f} (10x the authors' 29 s/pair)"),
        ("ism_s_per_pair", s_ism, "s", "<= 2.9"),
        ("ism_speedup_vs_authors", AUTHORS_ISM_S_PER_PAIR / s_ism, "x", ">= 10 (against the anchor's 29 s)"),
        ("pair_loop_s_per_pair", s_loop, "s", "context (authors' batch-32 loop, this run)"),
        ("ism_speedup_vs_pair_loop", s_loop / s_ism, "x", "context (same run, same machine load)"),
        ("ism_speedup_vs_authors_same_run", s_loop * AUTHORS_ISM_S_PER_PAIR / AUTHORS_PAIR_LOOP_S_PER_PAIR / s_ism, "x",
         ">= 10 (loop time x 29/15.8)"),
        ("ism_full_trunk_s_per_pair", s_full, "s", "context (other allele fixed, no windowing)"),
        ("tism_pairs_per_s", 1 / s_tism, "pairs/s", "context"),
        ("tism_speedup_over_ism", s_ism / s_tism, "x", ">= 50"),
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "unit", "target"])


def agreement_table(model: torch.nn.Module, x: torch.Tensor, target: str = "ratio", batch_size: int = 512) -> pd.DataFrame:
    """Per-sequence Pearson r of ISM and TISM maps (positions holding a base) on a trained model."""
    a = ism(model, x, target=target, batch_size=batch_size).numpy()
    b = tism(model, x, target=target).numpy()
    r = per_sequence_correlation(a, b, x.numpy())
    rows = [("ism_tism_median_r", float(np.nanmedian(r)), "r", ">= 0.7"),
            ("ism_tism_mean_r", float(np.nanmean(r)), "r", "context"),
            ("ism_tism_n_pairs", len(r), "pairs", "context")]
    return pd.DataFrame(rows, columns=["metric", "value", "unit", "target"])
