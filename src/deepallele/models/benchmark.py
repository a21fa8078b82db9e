"""Training and forward throughput of paper-size DeepAllele, next to the performance anchors.

Training step = forward + 3-term MSE + backward + Adam step on a batch of random one-hot
pairs (batch 32, train mode); forward = eval mode under ``torch.inference_mode``. Each figure
is ``batch / median(seconds per step)`` over ``repeats`` timings of ``steps`` steps. CPU rows
are fp32 with the default and the tuned allocator, bf16 autocast (tuned), and the reference
layout (tuned).

Every configuration is measured in a fresh Python process so the glibc allocator settings
(``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_``, read at process start) can differ:
with the defaults, large CPU tensors are mmapped and unmapped on every allocation and a
large share of the time goes to page faults. On a GPU the rows are fp32, bf16 autocast and
bf16 autocast + ``torch.compile``.

A reference-layout row calls the trunk once per allele (two calls of B sequences, as the
reference implementation) instead of once on the 2B stacked sequences.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import pandas as pd
import torch

from ..alphabet import one_hot
from . import build_model, count_parameters
from .presets import resolve_architecture

#: the authors' model code on a machine of the project's kind (2 CPU threads, batch 32)
ANCHORS = {"paper_atac": {"L": 330, "params": 2_512_898, "train": 39.0, "forward": 102.0},
           "paper_chip": {"L": 551, "params": 4_152_834, "train": 14.7, "forward": 57.0},
           "demo": {"L": 330, "params": None, "train": float("nan"), "forward": float("nan")}}
MALLOC_TUNED = {"MALLOC_MMAP_THRESHOLD_": "4294967296", "MALLOC_TRIM_THRESHOLD_": "68719476736"}
COLUMNS = ["device", "model", "preset", "L", "params", "batch", "threads", "precision", "compiled", "layout",
           "malloc", "train_pairs_per_s", "forward_pairs_per_s", "anchor_train", "anchor_forward", "speedup_train",
           "speedup_forward", "repeats", "load_avg_1min"]


class _PerAlleleCalls(torch.nn.Module):
    """DeepAllele run as the reference does: the trunk called once per allele."""

    def __init__(self, model):
        super().__init__()
        self.m = model

    def forward(self, x):
        m = self.m
        e_ref, e_alt = m.trunk(x[:, 0]), m.trunk(x[:, 1])
        c_ref, c_alt = m.count_head(e_ref), m.count_head(e_alt)
        return torch.cat([c_ref, c_alt, m.ratio_head(torch.cat([e_ref, e_alt], dim=1))], dim=1)


def measure(preset: str = "paper_atac", batch: int = 32, repeats: int = 5, steps: int = 3, device: str = "cpu",
            threads: int | None = 2, precision: str = "fp32", compiled: bool = False, layout: str = "stacked",
            seed: int = 0) -> dict:
    """Throughput of one configuration in this process.

    Parameters
    ----------
    preset : str
        Architecture preset; L from :data:`ANCHORS` (330 ATAC / demo, 551 ChIP).
    batch, repeats, steps : int
        Pairs per batch; timings; steps per timing.
    device : str
        ``cpu`` or ``cuda``.
    threads : int, optional
        torch CPU threads.
    precision : str
        ``fp32`` or ``bf16`` (autocast).
    compiled : bool
        Wrap the model in ``torch.compile``.
    layout : str
        ``stacked`` (both alleles in one trunk call) or ``per_allele`` (reference layout).

    Returns
    -------
    dict
        ``train_pairs_per_s``, ``forward_pairs_per_s``, ``params``.
    """
    if threads:
        torch.set_num_threads(int(threads))
    torch.manual_seed(seed)
    length = ANCHORS[preset]["L"]
    model = build_model("deepallele", length, resolve_architecture(preset)).to(device)
    params = count_parameters(model)
    net = _PerAlleleCalls(model) if layout == "per_allele" else model
    if compiled:
        net = torch.compile(net)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-5)
    codes = torch.randint(0, 4, (batch, 2, length))
    x = one_hot(codes).to(device)
    y = torch.randn(batch, 3, device=device)
    amp = torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16,
                         enabled=precision == "bf16")

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    def train_step():
        opt.zero_grad(set_to_none=True)
        with amp:
            loss = torch.nn.functional.mse_loss(net(x).float(), y)
        loss.backward()
        opt.step()

    def forward_step():
        with torch.inference_mode(), amp:
            net(x)

    def timed(fn, warmup: int) -> float:
        for _ in range(warmup):
            fn()
        sync()
        per = []
        for _ in range(repeats):
            t = time.perf_counter()
            for _ in range(steps):
                fn()
            sync()
            per.append((time.perf_counter() - t) / steps)
        return batch / statistics.median(per)

    model.train()
    train = timed(train_step, 3 if compiled else 2)
    model.eval()
    fwd = timed(forward_step, 3 if compiled else 2)
    return {"train_pairs_per_s": train, "forward_pairs_per_s": fwd, "params": params}


def _run_worker(spec: dict, env_extra: dict | None = None) -> dict:
    env = {**os.environ, **(env_extra or {})}
    out = subprocess.run([sys.executable, "-m", "deepallele.models.benchmark", json.dumps(spec)], env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark worker failed ({spec}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def benchmark_training(threads: int = 2, repeats: int = 5, malloc: str = "both", presets: list[str] | None = None,
                       device: str = "auto", batch: int = 32, reference_layout: bool = True,
                       compile_rows: bool = True) -> pd.DataFrame:
    """The benchmark table (:data:`COLUMNS`), one row per configuration.

    Parameters
    ----------
    threads : int
        torch CPU threads (the anchors used 2).
    repeats : int
        Timings per figure (median reported).
    malloc : str
        ``default``, ``tuned`` (:data:`MALLOC_TUNED`) or ``both`` (CPU rows).
    presets : list of str, optional
        Default ``paper_atac`` and ``paper_chip``.
    device : str
        ``auto`` (CUDA when available, plus CPU rows), ``cpu`` or ``cuda``.
    batch : int
        Pairs per batch.
    reference_layout : bool
        Add CPU rows with the trunk called once per allele (default allocator settings).
    compile_rows : bool
        Add the GPU rows with ``torch.compile`` (compilation takes minutes).
    """
    presets = presets or ["paper_atac", "paper_chip"]
    configs = []
    if device in ("auto", "cpu"):
        variants = {"default": {}, "tuned": MALLOC_TUNED}
        chosen = ["default", "tuned"] if malloc == "both" else [malloc]
        for p in presets:
            for v in chosen:
                configs.append(({"preset": p, "device": "cpu", "threads": threads}, v, variants[v]))
            # bf16 autocast on the CPU (oneDNN uses AVX512-BF16 / AMX where the CPU has them) and the
            # reference layout, both with the last allocator variant asked for
            v = chosen[-1]
            configs.append(({"preset": p, "device": "cpu", "threads": threads, "precision": "bf16"}, v, variants[v]))
            if reference_layout:
                configs.append(({"preset": p, "device": "cpu", "threads": threads, "layout": "per_allele"}, v,
                                variants[v]))
    if device == "cuda" or (device == "auto" and torch.cuda.is_available()):
        for p in presets:
            for prec, comp in (("fp32", False), ("bf16", False)) + ((("bf16", True),) if compile_rows else ()):
                configs.append(({"preset": p, "device": "cuda", "threads": threads, "precision": prec,
                                 "compiled": comp, "repeats": max(repeats, 10), "steps": 10}, "default", {}))
    rows = []
    for spec, mname, env in configs:
        spec = {"batch": batch, "repeats": repeats, **spec}
        res = _run_worker(spec, env)
        a = ANCHORS[spec["preset"]]
        dev = "cpu" if spec["device"] == "cpu" else f"cuda ({res.get('device_name', '')})"
        rows.append({"device": dev, "model": "deepallele", "preset": spec["preset"], "L": a["L"],
                     "params": res["params"], "batch": batch, "threads": threads if spec["device"] == "cpu" else None,
                     "precision": spec.get("precision", "fp32"), "compiled": bool(spec.get("compiled", False)),
                     "layout": spec.get("layout", "stacked"), "malloc": mname,
                     "train_pairs_per_s": round(res["train_pairs_per_s"], 2),
                     "forward_pairs_per_s": round(res["forward_pairs_per_s"], 2),
                     "anchor_train": a["train"], "anchor_forward": a["forward"],
                     "speedup_train": round(res["train_pairs_per_s"] / a["train"], 3),
                     "speedup_forward": round(res["forward_pairs_per_s"] / a["forward"], 3),
                     "repeats": spec["repeats"], "load_avg_1min": round(os.getloadavg()[0], 2)})
    return pd.DataFrame(rows, columns=COLUMNS)


def _worker_main(arg: str) -> None:
    spec = json.loads(arg)
    res = measure(**spec)
    if spec.get("device", "cpu").startswith("cuda"):
        res["device_name"] = torch.cuda.get_device_name(0)
    print(json.dumps(res))


if __name__ == "__main__":
    _worker_main(sys.argv[1])
