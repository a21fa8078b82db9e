"""Attributions (ISM or TISM) of one trained model on the interpreted split of a dataset.

Run by rule interpret_attributions as a command (so the allocator settings in its environment
apply from process start)::

    python scripts/interpret_attributions.py --ckpt best.ckpt --pairs pairs.h5 --out seed0.tism.npz \\
        --method tism --split test --threads 2 --log job.log
"""
import argparse
import time

import torch

from deepallele.interpret.data import load_interpret_set, save_attributions
from deepallele.interpret.ism import ism
from deepallele.interpret.readout import default_target
from deepallele.interpret.tism import tism
from deepallele.logutil import job_logging
from deepallele.models.module import load_module


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--method", choices=["ism", "tism"], required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log")
    a = ap.parse_args(argv)
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
            attr = tism(module.model, x, target=target, batch_size=64)
        secs = time.perf_counter() - t0
        save_attributions(a.out, attr, data.rows, data.peak, a.method, target, secs)
        log.info("%s %s (%s target): %d pairs of split %s in %.1f s (%.3f s/pair)", module.model_type, a.method,
                 target, len(x), data.split, secs, secs / max(len(x), 1))


if __name__ == "__main__":
    main()
