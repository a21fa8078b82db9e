"""Subcommands of the ``deepallele`` command for the model stage.

``add_parsers(subparsers)`` adds ``train``, ``benchmark-training``, ``import-checkpoint`` and
``export-model`` to the main parser (``add_*_parser`` add one each). The module also runs on its
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


def cmd_import_checkpoint(args: argparse.Namespace) -> int:
    from ..logutil import setup_logging
    from .authors import import_checkpoint
    from .modelfile import ModelFileError

    log = setup_logging(args.log)
    try:
        rows = import_checkpoint(args.source, args.outdir, member=args.member, model_type=args.model_type,
                                 sequence_length=args.sequence_length, pooling_size=args.pooling_size,
                                 allele_names={"reference": args.reference_name, "strain": args.strain_name},
                                 seed=args.seed)
    except ModelFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    import pandas as pd

    table = pd.DataFrame(rows)
    if args.pairs:  # the authors' best validation score next to ours recomputed on their data
        from .authors import validation_score
        from .modelfile import load_model_file

        scores = [validation_score(load_model_file(r["outdir"]), args.pairs, args.split) for r in rows]
        table["our_score"] = [round(r, 6) for r, _ in scores]
        table["our_score_pairs"] = [n for _, n in scores]
        table["our_score_split"] = args.split
    if args.report:
        import os

        tmp = f"{args.report}.tmp"
        table.to_csv(tmp, sep="\t", index=False)
        os.replace(tmp, args.report)
    log.info("imported %d checkpoint(s)\n%s", len(rows), table.to_string(index=False))
    return 0


def add_import_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``import-checkpoint``: the authors' published checkpoints -> model.safetensors + model.json."""
    from . import SINGLE_TYPES

    p = subparsers.add_parser(
        "import-checkpoint", help="import an authors' DeepAllele checkpoint (.ckpt or Figshare folder ZIP)",
        description="Map the authors' multi-head (SeparateMultiHeadResidualCNN) or single-head "
                    "(SingleHeadResidualCNN) state_dict onto this package's models, check every key, shape and "
                    "the parameter count, and write model.safetensors + model.json. The file is never unpickled "
                    "blindly: a weights-only load, else a restricted unpickler that stubs unknown classes.")
    p.add_argument("source", help="the .ckpt, or the Figshare download (a ZIP of a folder, whatever its name)")
    p.add_argument("--outdir", required=True,
                   help="output folder (several checkpoints in a ZIP: one sub-folder [<genome set>/]seed<k> each)")
    p.add_argument("--member", help="only ZIP members whose name contains this (e.g. random_seed_0)")
    p.add_argument("--model-type", choices=["deepallele", *SINGLE_TYPES],
                   help="our type of a single-head checkpoint (default: from its B6/Cast/B6_Cast folder)")
    p.add_argument("--sequence-length", type=int, help="L, when the hyper-parameters lack input_length")
    p.add_argument("--pooling-size", type=int, help="when the hyper-parameters lack pooling_size")
    p.add_argument("--reference-name", default="B6", help="name of allele 0 (default: %(default)s)")
    p.add_argument("--strain-name", default="alt", help="name of allele 1, e.g. CAST, PWK, SPRET")
    p.add_argument("--seed", type=int, help="seed label of a single checkpoint (default: its random_seed_<k>)")
    p.add_argument("--report", help="TSV of what was imported (authors' best validation score included)")
    p.add_argument("--pairs", help="a pairs.h5 (e.g. their HDF5 imported by the dataset stage) on which to recompute "
                                   "their checkpoint metric (ratio Pearson r) next to theirs")
    p.add_argument("--split", default="val", help="split of --pairs for that score (default: %(default)s)")
    p.add_argument("--log")
    p.set_defaults(func=cmd_import_checkpoint)
    return p


def cmd_export_model(args: argparse.Namespace) -> int:
    from .modelfile import ModelFileError, export_checkpoint

    try:
        path = export_checkpoint(args.ckpt, args.outdir, seed=args.seed, summary=args.summary,
                                 allele_names={"reference": args.reference_name, "strain": args.strain_name})
    except ModelFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


def add_export_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``export-model``: a best.ckpt of this workflow -> model.safetensors + model.json."""
    p = subparsers.add_parser("export-model", help="export a trained checkpoint as model.safetensors + model.json")
    p.add_argument("ckpt", help="best.ckpt of a training run")
    p.add_argument("--outdir", help="folder to write into (default: the checkpoint's)")
    p.add_argument("--seed", type=int, help="training seed (default: from --summary)")
    p.add_argument("--summary", help="train_summary.json of the run")
    p.add_argument("--reference-name", default="ref")
    p.add_argument("--strain-name", default="alt")
    p.set_defaults(func=cmd_export_model)
    return p


def add_parsers(subparsers) -> None:
    """Add every model-stage subcommand."""
    add_train_parser(subparsers)
    add_benchmark_parser(subparsers)
    add_import_parser(subparsers)
    add_export_parser(subparsers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deepallele.models.cli", description=__doc__)
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
