"""Subcommands of the ``deepallele`` command for the model stage.

``add_parsers(subparsers)`` adds ``train`` and ``benchmark-training`` to the main parser
(``add_train_parser`` / ``add_benchmark_parser`` add one each). The module also runs on its
own: ``python -m deepallele.models.cli train --pairs ... --model deepallele --seed 0 --outdir ...``.
"""
from __future__ import annotations

import argparse
import json
import sys

import yaml


def _key_values(items: list[str] | None) -> dict:
    """``["a=1", "b=true"]`` -> ``{"a": 1, "b": True}`` (values parsed as YAML scalars)."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"expected KEY=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        out[k.strip()] = yaml.safe_load(v)
    return out


def cmd_train(args: argparse.Namespace) -> int:
    from ..logutil import job_logging

    with job_logging(args.log) as log:
        return _train(args, log)


def _train(args: argparse.Namespace, log) -> int:
    from .presets import resolve_architecture
    from .train import train_model

    models_cfg = {}
    if args.config:
        with open(args.config) as fh:
            models_cfg = (yaml.safe_load(fh) or {}).get("models", {})
    preset = args.preset or models_cfg.get("preset", "demo")
    if args.architecture_json:
        arch = resolve_architecture(preset, json.loads(args.architecture_json), assay=args.assay)
    else:
        arch = resolve_architecture(preset, {**models_cfg.get("architecture", {}), **_key_values(args.arch)},
                                    assay=args.assay)
    training = {**models_cfg.get("training", {}), **json.loads(args.training_json or "{}"), **_key_values(args.train)}
    # precision is the trainer's, not a hyper-parameter of the module: --precision, else the config's
    config_precision = training.pop("precision", None)
    precision = args.precision or config_precision or "32-true"
    summary = train_model(args.pairs, args.model, args.seed, args.outdir, arch, training,
                          accelerator=args.accelerator, threads=args.threads, precision=precision,
                          progress_bar=not args.no_progress)
    log.info("summary: %s", json.dumps({k: v for k, v in summary.items() if k not in ("architecture", "training")}))
    return 0


def add_train_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``train``: one model type and seed on a pairs.h5 (checkpoints, logs, predictions, summary)."""
    from . import MODEL_TYPES
    from .presets import PRESETS

    p = subparsers.add_parser("train", help="train one model (type, seed) on a dataset's pairs.h5",
                              description="Train one model on pairs.h5; a rerun resumes from OUTDIR/checkpoints/last.ckpt.")
    p.add_argument("--pairs", required=True, help="pairs.h5 of a dataset")
    p.add_argument("--model", required=True, choices=MODEL_TYPES, help="model type")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--outdir", required=True)
    p.add_argument("--config", help="workflow config; its models: section gives preset, architecture, training")
    p.add_argument("--preset", choices=[*PRESETS, "paper"], help="architecture preset (default: config or demo)")
    p.add_argument("--assay", choices=["atac", "chip"], help="picks the paper preset for --preset paper")
    p.add_argument("--arch", action="append", metavar="KEY=VALUE", help="architecture override (repeatable)")
    p.add_argument("--train", action="append", metavar="KEY=VALUE",
                   help="training setting, e.g. max_epochs=5 (repeatable)")
    p.add_argument("--architecture-json", help="architecture overrides as JSON (instead of config/--arch)")
    p.add_argument("--training-json", help="training settings as JSON (over the config's)")
    p.add_argument("--accelerator", choices=["auto", "cpu", "gpu"], help="default: config or auto")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--precision", help="Lightning precision: 32-true (default) or bf16-mixed "
                   "(default: the training settings' 'precision', else 32-true)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--log", help="also write the log to this file")
    p.set_defaults(func=cmd_train)
    return p


def cmd_benchmark(args: argparse.Namespace) -> int:
    from ..logutil import setup_logging
    from .benchmark import benchmark_training

    log = setup_logging(args.log)
    import pandas as pd

    # one table over every batch size asked for (the paper's 32 by default)
    table = pd.concat([benchmark_training(threads=args.threads, repeats=args.repeats, malloc=args.malloc,
                                          presets=args.preset or None, device=args.device, batch=b,
                                          compile_rows=not args.no_compile)
                       for b in (args.batch or [32])], ignore_index=True)
    table.to_csv(args.output, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
    return 0


def add_benchmark_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``benchmark-training``: training and forward throughput of the paper-size models vs the anchors."""
    p = subparsers.add_parser("benchmark-training", help="training/forward pairs/s of paper-size DeepAllele")
    p.add_argument("--output", required=True, help="TSV to write")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--preset", action="append", choices=["paper_atac", "paper_chip", "demo"])
    p.add_argument("--malloc", choices=["default", "tuned", "both"], default="both",
                   help="glibc allocator settings of the measuring processes (CPU)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--batch", type=int, action="append",
                   help="pairs per batch (repeatable; default 32, the paper's)")
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile GPU rows")
    p.add_argument("--log")
    p.set_defaults(func=cmd_benchmark)
    return p


def add_parsers(subparsers) -> None:
    """Add every model-stage subcommand."""
    add_train_parser(subparsers)
    add_benchmark_parser(subparsers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deepallele.models.cli", description=__doc__)
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
