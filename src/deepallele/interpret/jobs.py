"""The interpretation stage's jobs, run by the workflow's rules as ``deepallele`` subcommands (shell
commands, so allocator settings in their environment apply from process start)::

    deepallele interpret-checkpoint --ckpt best.ckpt --pairs pairs.h5 --effects seed0.tsv \\
        --tism seed0.tism.npz [--ism seed0.ism.npz] --split test --threads 2 --log job.log
    deepallele benchmark-interpretation --ckpt best.ckpt --pairs pairs.h5 --out interpretation.tsv

They read a training checkpoint and write the stage's file layout (parsers in
:func:`deepallele.interpret.commands.add_job_parsers`). To put trained models to work
on your own inputs use ``deepallele predict`` / ``deepallele interpret``
(:mod:`deepallele.interpret.commands`).
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
from .variant_effects import variant_effects


def _attribute(module, data, method: str, out: str, batch_size: int, log) -> None:
    """ISM or TISM of ``module`` on ``data`` saved to ``out``."""
    target = default_target(module.model_type)
    x = data.one_hot()
    t0 = time.perf_counter()
    if method == "ism":
        attr = ism(module.model, x, target=target, batch_size=batch_size)
    else:
        attr = tism(module.model, x, target=target)
    secs = time.perf_counter() - t0
    save_attributions(out, attr, data.rows, data.peak, method, target, secs)
    log.info("%s %s (%s target): %d pairs of split %s in %.1f s (%.3f s/pair)", module.model_type, method,
             target, len(x), data.split, secs, secs / max(len(x), 1))


def model_outputs(a: argparse.Namespace) -> int:
    """Everything per trained model: variant effects, TISM and (optionally) ISM, one checkpoint load."""
    with job_logging(a.log) as log:
        torch.set_num_threads(a.threads)
        module = load_module(a.ckpt)
        data = load_interpret_set(a.pairs, a.split)
        t0 = time.perf_counter()
        table = variant_effects(module.model, data.codes, data.variants)
        table.insert(1, "peak", table["peak_index"].map(dict(zip(data.rows, data.peak))))
        table.to_csv(a.effects, sep="\t", index=False, float_format="%.6g")
        log.info("%s variant effects: %d variants (%d scored) in %d sequences, %.1f s", module.model_type,
                 len(table), table["effect"].notna().sum(), len(data.rows), time.perf_counter() - t0)
        _attribute(module, data, "tism", a.tism, a.batch_size, log)
        if a.ism:
            _attribute(module, data, "ism", a.ism, a.batch_size, log)
    return 0


def benchmark(a: argparse.Namespace) -> int:
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
    return 0
