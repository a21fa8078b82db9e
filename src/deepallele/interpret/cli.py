"""Command line of the interpretation jobs run as shell commands (so allocator settings in their
environment apply from process start)::

    python -m deepallele.interpret.cli attributions --ckpt best.ckpt --pairs pairs.h5 --out seed0.tism.npz \\
        --method tism --split test --threads 2 --log job.log
    python -m deepallele.interpret.cli benchmark --ckpt best.ckpt --pairs pairs.h5 --out interpretation.tsv
"""
from __future__ import annotations

import argparse
import time

import pandas as pd
import torch

from ..logutil import job_logging
from ..models.module import load_module
from .benchmark import agreement_table, speed_table
from .data import load_interpret_set, save_attributions
from .ism import ism
from .readout import default_target
from .tism import tism


def attributions(a: argparse.Namespace) -> None:
    """ISM or TISM of one trained model on the interpreted split."""
    with job_logging(a.log) as log:
        torch.set_num_threads(a.threads)
        module = load_module(a.ckpt)
        target = default_target(module.model_type)
        data = load_interpret_set(a.pairs, a.split)
        x = data.one_hot()
        t0 = time.perf_counter()
        if a.method == "ism":
            attr = ism(module.model, x, target=target, batch_size=a.batch_size)
        else:
            attr = tism(module.model, x, target=target)
        secs = time.perf_counter() - t0
        save_attributions(a.out, attr, data.rows, data.peak, a.method, target, secs)
        log.info("%s %s (%s target): %d pairs of split %s in %.1f s (%.3f s/pair)", module.model_type, a.method,
                 target, len(x), data.split, secs, secs / max(len(x), 1))


def benchmark(a: argparse.Namespace) -> None:
    """Speed at paper ATAC size (random weights) and ISM-TISM agreement on a trained model."""
    with job_logging(a.log) as log:
        torch.set_num_threads(a.threads)
        speed = speed_table(a.n_pairs)
        module = load_module(a.ckpt)
        x = load_interpret_set(a.pairs, "test", max_pairs=a.n_agreement).one_hot()
        agree = agreement_table(module.model, x, default_target(module.model_type))
        table = pd.concat([speed, agree], ignore_index=True)
        table.insert(0, "threads", a.threads)
        table.to_csv(a.out, sep="\t", index=False, float_format="%.6g")
        log.info("\n%s", table.to_string(index=False))


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m deepallele.interpret.cli", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("attributions", help=attributions.__doc__)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--method", choices=["ism", "tism"], required=True)
    p.add_argument("--split", default="test")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--log")
    p.set_defaults(func=attributions)
    p = sub.add_parser("benchmark", help=benchmark.__doc__)
    p.add_argument("--ckpt", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--n-pairs", type=int, default=4)
    p.add_argument("--n-agreement", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log")
    p.set_defaults(func=benchmark)
    return ap


def main(argv=None) -> None:
    a = parser().parse_args(argv)
    a.func(a)


if __name__ == "__main__":
    main()
