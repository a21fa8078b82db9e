"""Throughput of the allele split (filter + assign + lift) next to bowtie2 on the same reads."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def _seconds(path: str | Path) -> float:
    """Wall-clock seconds of a Snakemake ``benchmark:`` file (first repeat)."""
    return float(pd.read_csv(path, sep="\t")["s"].iloc[0])


def split_vs_bowtie2(dataset: str, samples: list[str], bowtie2_benchmarks: list[list[str]],
                     split_benchmarks: list[str], split_summaries: list[str]) -> pd.DataFrame:
    """One row per sample: pairs, bowtie2 seconds (both genomes), split seconds and their ratio.

    The split's time includes its Python start-up and the sorting and indexing of its four
    output BAMs, so the figure is what a user waits for, not just the per-pair loop.
    """
    rows = []
    for sample, bt, sp, summary in zip(samples, bowtie2_benchmarks, split_benchmarks, split_summaries):
        pairs = json.loads(Path(summary).read_text())["pairs"]
        bowtie2_s = sum(_seconds(p) for p in bt)
        split_s = _seconds(sp)
        rows.append({"dataset": dataset, "sample": sample, "read_pairs": pairs,
                     "bowtie2_s_both_genomes": round(bowtie2_s, 2),
                     "bowtie2_pairs_per_s": round(2 * pairs / bowtie2_s, 1) if bowtie2_s else float("nan"),
                     "split_s": round(split_s, 2),
                     "split_pairs_per_s": round(pairs / split_s, 1) if split_s else float("nan"),
                     "split_share_of_bowtie2": round(split_s / bowtie2_s, 4) if bowtie2_s else float("nan"),
                     "goal": "split_share_of_bowtie2 <= 0.10"})
    return pd.DataFrame(rows)
