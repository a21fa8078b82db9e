"""ISM/TISM benchmark (results/benchmarks/interpretation.tsv): speed at paper ATAC size, agreement on a trained model.

Run by rule benchmark_interpretation as a command (allocator settings apply from process start).
"""
import argparse

import pandas as pd
import torch

from deepallele.interpret.benchmark import agreement_table, speed_table
from deepallele.interpret.data import load_interpret_set
from deepallele.interpret.readout import default_target
from deepallele.logutil import job_logging
from deepallele.models.module import load_module


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n-pairs", type=int, default=4)
    ap.add_argument("--n-agreement", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--log")
    a = ap.parse_args(argv)
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


if __name__ == "__main__":
    main()
