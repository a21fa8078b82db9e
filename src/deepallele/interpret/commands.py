"""Subcommands of the ``deepallele`` command that put trained models to work.

``add_parsers(subparsers)`` adds:

* ``score-variants``: every ALT allele of a VCF scored by every seed of a model
  (:func:`deepallele.interpret.score_variants.score_variants`), TSV + annotated VCF;
* ``benchmark-score-variants``: alleles per second per model (:func:`~.score_variants.benchmark_scoring`);
* ``predict``: predictions per seed and their mean;
* ``interpret``: ISM / TISM attributions and variant effects per seed, plus the
  TF-MoDISco-lite export (:func:`deepallele.interpret.apply.export_modisco`);
* ``interpret-checkpoint``, ``benchmark-interpretation``: the interpretation stage's jobs as the
  workflow's rules run them (:mod:`deepallele.interpret.jobs`; training checkpoints, the stage's
  file layout).

``predict`` and ``interpret`` take any ``pairs.h5``, a pair of FASTA files or BED regions + two
genomes (:mod:`deepallele.interpret.inputs`). Their models are read from the safe model files
(``model.json`` + ``model.safetensors``, :mod:`deepallele.models.modelfile`), written next to
each ``best.ckpt`` by rule ``export_model`` or by ``deepallele import-checkpoint``.
"""
from __future__ import annotations

import argparse
import sys


def _device(name: str):
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def cmd_score_variants(args: argparse.Namespace) -> int:
    import torch

    from ..logutil import setup_logging
    from ..models.modelfile import ModelFileError, load_model_file
    from .score_variants import ScoreVariantsError, score_variants

    log = setup_logging(args.log)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = _device(args.device)
    try:
        models = [load_model_file(m, map_location=device) for m in args.model]
        types = {m.model_type for m in models}
        if len(types) > 1:
            raise ScoreVariantsError(f"models of several types {sorted(types)}; give the seeds of one model type")
        log.info("%d model(s) of type %s (seeds %s), L %d, on %s", len(models), types.pop(),
                 ",".join(str(m.seed) for m in models), models[0].sequence_length, device)
        score_variants(args.vcf, args.fasta, models, args.out_tsv, args.out_vcf, pairs=args.pairs, window=args.window,
                       context=args.context, null_per_window=args.null_per_window, max_null=args.max_null,
                       batch_size=args.batch_size, chunk_variants=args.chunk, device=device, region=args.region,
                       seed=args.seed)
    except (ScoreVariantsError, ModelFileError) as err:
        log.error("%s", err)
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def add_score_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``score-variants``."""
    p = subparsers.add_parser(
        "score-variants", help="predicted allelic effect of every variant of a VCF (all seeds of a model)",
        description="For every ALT allele of a VCF (multi-allelic records split; SNVs, MNVs, indels; REF checked "
                    "against the FASTA), score the pair (reference window, window carrying the variant) with every "
                    "model given; write a TSV (effect per seed, mean, SD, z against random non-variant "
                    "substitutions in the same windows) and an annotated VCF. Windows follow the dataset's rule "
                    "(the peak's window when the variant is in one, else a window centred on the variant).")
    p.add_argument("--vcf", required=True, help="variants (VCF/BCF, plain or bgzipped)")
    p.add_argument("--fasta", required=True, help="reference FASTA the VCF is called against (indexed)")
    p.add_argument("--model", required=True, action="append",
                   help="model folder, model.json or model.safetensors (repeat for each seed)")
    p.add_argument("--pairs", help="the dataset's pairs.h5: peak windows, window length, split (recommended)")
    p.add_argument("--out-tsv", required=True, help="TSV to write")
    p.add_argument("--out-vcf", help="annotated VCF to write (.vcf.gz: bgzipped)")
    p.add_argument("--window", choices=["dataset", "variant"], default="dataset",
                   help="dataset: a peak's window when the variant is in one (default); variant: always centred on it")
    p.add_argument("--context", choices=["reference", "strain"], default="reference",
                   help="strain: variants the dataset holds are scored on its pair, exactly as the interpretation "
                        "stage (default: reference)")
    p.add_argument("--null-per-window", type=int, default=3, help="random substitutions per window for the z null")
    p.add_argument("--max-null", type=int, default=5000, help="at most this many null substitutions")
    p.add_argument("--batch-size", type=int, default=256, help="sequences per forward pass")
    p.add_argument("--chunk", type=int, default=4096, help="alleles per chunk (memory vs. overhead)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--region", help="only this region of an indexed VCF (chrom or chrom:start-end)")
    p.add_argument("--seed", type=int, default=0, help="seeds the null positions")
    p.add_argument("--log", help="also write the log to this file")
    p.set_defaults(func=cmd_score_variants)
    return p


def cmd_benchmark(args: argparse.Namespace) -> int:
    from ..interpret.outputs import atomic_path
    from ..logutil import setup_logging
    from .score_variants import benchmark_scoring

    log = setup_logging(args.log)
    table = benchmark_scoring(presets=args.preset or ("demo", "paper_atac", "paper_chip"), n_variants=args.n_variants,
                              batch_size=args.batch_size, threads=args.threads, device=_device(args.device),
                              target_variants=args.target_variants)
    with atomic_path(args.output) as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
    return 0


def add_benchmark_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``benchmark-score-variants``."""
    p = subparsers.add_parser("benchmark-score-variants",
                              help="score-variants throughput (alleles/s per model) at demo and paper sizes")
    p.add_argument("--output", required=True, help="TSV to write")
    p.add_argument("--preset", action="append", choices=["demo", "paper_atac", "paper_chip"])
    p.add_argument("--n-variants", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    p.add_argument("--target-variants", type=float, default=20e6,
                   help="extrapolate the hours for this many alleles (default: ~20 M CAST variants)")
    p.add_argument("--log")
    p.set_defaults(func=cmd_benchmark)
    return p


def _load_models(paths, device):
    from ..models.modelfile import load_model_file

    models = [load_model_file(m, map_location=device) for m in paths]
    types = {m.model_type for m in models}
    if len(types) > 1:
        from ..models.modelfile import ModelFileError

        raise ModelFileError(f"models of several types {sorted(types)}; give the seeds of one model type")
    return models


def _check_length(models, data, source):
    from ..models.modelfile import ModelFileError

    length = data.codes.shape[-1]
    bad = [str(m.path) for m in models if m.sequence_length != length]
    if bad:
        raise ModelFileError(f"{source}: sequences of length {length}, but {', '.join(bad)} take "
                             f"{[m.sequence_length for m in models if str(m.path) in bad][0]}")


def _input_name(args: argparse.Namespace) -> str:
    """The input files, for messages."""
    if args.pairs is not None:
        return str(args.pairs)
    if args.ref_fasta is not None or args.alt_fasta is not None:
        return f"{args.ref_fasta} + {args.alt_fasta}"
    return f"{args.bed} on {args.ref_genome} / {args.alt_genome}"


def _load_data(args: argparse.Namespace, models, max_pairs=None):
    """The pairs of the one input kind given (:func:`deepallele.interpret.inputs.load_inputs`), length-checked."""
    from .inputs import load_inputs

    data = load_inputs(length=models[0].sequence_length, pairs=args.pairs, ref_fasta=args.ref_fasta,
                       alt_fasta=args.alt_fasta, bed=args.bed, ref_genome=args.ref_genome,
                       alt_genome=args.alt_genome, chain=args.chain, vcf=args.vcf, sample=args.vcf_sample,
                       window=args.window, crop=args.crop, split=args.split, max_pairs=max_pairs)
    _check_length(models, data, _input_name(args))
    return data


def cmd_predict(args: argparse.Namespace) -> int:
    import torch

    from ..logutil import setup_logging
    from ..models.modelfile import ModelFileError
    from .apply import predict_table
    from .outputs import atomic_path

    log = setup_logging(args.log)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = _device(args.device)
    try:
        models = _load_models(args.model, device)
        data = _load_data(args, models)
    except (ModelFileError, ValueError, OSError) as err:
        log.error("%s", err)
        print(f"error: {err}", file=sys.stderr)
        return 2
    table = predict_table(models, data.one_hot(), data.rows, data.peak, data.obs, args.batch_size, device)
    with atomic_path(args.out) as tmp:
        table.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
    log.info("%d pairs of %s (split %s) predicted by %d model(s) -> %s", len(table), _input_name(args), data.split,
             len(models), args.out)
    return 0


def cmd_interpret(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    import numpy as np
    import torch

    from ..logutil import setup_logging
    from ..models.modelfile import ModelFileError
    from .apply import export_modisco
    from .data import save_attributions
    from .ism import ism
    from .outputs import atomic_path
    from .readout import default_target
    from .score_variants import effect_labels
    from .tism import tism
    from .variant_effects import variant_effects

    log = setup_logging(args.log)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = _device(args.device)
    try:
        models = _load_models(args.model, device)
        data = _load_data(args, models, max_pairs=args.max_pairs)
    except (ModelFileError, ValueError, OSError) as err:
        log.error("%s", err)
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    target = args.target or default_target(models[0].model_type)
    x = data.one_hot()
    total = np.zeros(tuple(x.shape), dtype=np.float64)
    for m, label in zip(models, [lab.replace("effect_", "") for lab in effect_labels(models)]):
        t0 = time.perf_counter()
        if args.method == "ism":
            attr = ism(m.model, x, target=target, batch_size=args.batch_size, device=device)
        else:
            attr = tism(m.model, x, target=target, device=device)
        secs = time.perf_counter() - t0
        with atomic_path(out / f"{label}.{args.method}.npz") as tmp:
            save_attributions(tmp, attr, data.rows, data.peak, args.method, target, secs)
        total += attr.numpy()
        effects = variant_effects(m.model, data.codes, data.variants, device=device)
        effects.insert(1, "peak", effects["peak_index"].map(dict(zip(data.rows, data.peak))))
        with atomic_path(out / f"{label}.variant_effects.tsv") as tmp:
            effects.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
        log.info("%s: %s (%s target) of %d pairs in %.1f s; %d variant effects", label, args.method, target, len(x),
                 secs, int(effects["effect"].notna().sum()))
    export_modisco(out / "modisco", x, total / len(models))
    log.info("wrote %s (per-seed attributions and variant effects, modisco/ inputs of the seeds' mean)", out)
    return 0


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    """The three input kinds (:mod:`deepallele.interpret.inputs`); exactly one is given."""
    g = parser.add_argument_group(
        "input (one kind: --pairs; --ref-fasta + --alt-fasta; --bed + --ref-genome + --alt-genome)")
    g.add_argument("--pairs", help="a pairs.h5 (dataset stage or imported authors' HDF5)")
    g.add_argument("--split", default="all", choices=["all", "train", "val", "test"],
                   help="rows of --pairs to use (default: all; 'test' reads val under the paper's split)")
    g.add_argument("--ref-fasta", help="reference-allele sequences (FASTA, records paired with --alt-fasta by name)")
    g.add_argument("--alt-fasta", help="alternative-allele sequences (FASTA, the same record names)")
    g.add_argument("--crop", action="store_true",
                   help="FASTA records longer than the models' input length keep their central bases "
                        "(default: such a record is an error); shorter ones are right-padded")
    g.add_argument("--bed", help="regions in reference coordinates (BED3+; pairs named by the name column, "
                                 "else chrom-start-end), each taken as the dataset stage takes a peak")
    g.add_argument("--ref-genome", help="reference FASTA of --bed (indexed or indexable)")
    g.add_argument("--alt-genome", help="alternative genome, e.g. resources/genomes/<g>/strain.fa")
    g.add_argument("--chain", help="ref -> alt chain of --alt-genome (resources/genomes/<g>/ref_to_strain.chain); "
                                   "without it the two genomes must share coordinates")
    g.add_argument("--vcf", help="strain VCF --alt-genome was built from: adds the variant table (variant effects)")
    g.add_argument("--vcf-sample", help="VCF sample (as for the pseudogenome), when the VCF has several")
    g.add_argument("--window", type=int,
                   help="reference window of a BED region (default: the input length; a dataset's window_length)")


def add_apply_parsers(subparsers) -> None:
    """Add ``predict`` and ``interpret`` (trained models on a pairs.h5, a FASTA pair or BED regions)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model", required=True, action="append",
                        help="model folder, model.json or model.safetensors (repeat for each seed)")
    _add_input_options(common)
    common.add_argument("--batch-size", type=int, default=256)
    common.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    common.add_argument("--threads", type=int)
    common.add_argument("--log")
    p = subparsers.add_parser("predict", parents=[common],
                              help="predictions of every seed and their mean (pairs.h5, FASTA pair or BED + genomes)")
    p.add_argument("--out", required=True,
                   help="TSV: row, peak, obs_ratio (NaN for FASTA / BED inputs), pred_{ref,alt,ratio}_seed<k>, "
                        "_mean, pred_ratio_sd")
    p.set_defaults(func=cmd_predict)
    p = subparsers.add_parser(
        "interpret", parents=[common],
        help="ISM/TISM attributions and variant effects per seed (pairs.h5, FASTA pair or BED + genomes)",
        description="Per seed: <outdir>/seed<k>.<method>.npz (attr (N, 2, 4, L), rows, peak, method, target) and "
                    "seed<k>.variant_effects.tsv (no rows for FASTA inputs, nor for BED inputs without --vcf); "
                    "modisco/{ref,alt}_{seqs,attrs}.npz: (N, 4, L) inputs of TF-MoDISco-lite (attributions: the "
                    "seeds' mean).")
    p.add_argument("--outdir", required=True)
    p.add_argument("--method", choices=["tism", "ism"], default="tism")
    p.add_argument("--target", choices=["ratio", "count"], help="default: ratio (paired), count (baselines)")
    p.add_argument("--max-pairs", type=int, help="only the first pairs (of the split, for --pairs)")
    p.set_defaults(func=cmd_interpret)


def cmd_interpret_checkpoint(args: argparse.Namespace) -> int:
    from .jobs import model_outputs

    return model_outputs(args)


def cmd_benchmark_interpretation(args: argparse.Namespace) -> int:
    from .jobs import benchmark

    return benchmark(args)


def add_job_parsers(subparsers) -> None:
    """Add the interpretation stage's jobs (:mod:`deepallele.interpret.jobs`), as the workflow's rules call them."""
    p = subparsers.add_parser(
        "interpret-checkpoint",
        help="(workflow job) variant effects, TISM and optionally ISM of one training checkpoint",
        description="The interpretation stage's job per trained model (rules interpret_model[_ism]): variant effects, "
                    "TISM and optionally ISM of a pairs.h5 split, one checkpoint load. For your own inputs use "
                    "'deepallele interpret'.")
    p.add_argument("--ckpt", required=True, help="training checkpoint (best.ckpt)")
    p.add_argument("--pairs", required=True, help="the dataset's pairs.h5")
    p.add_argument("--effects", required=True, help="variant-effect TSV to write")
    p.add_argument("--tism", required=True, help="TISM .npz to write")
    p.add_argument("--ism", help="ISM .npz to write (skipped when not given)")
    p.add_argument("--split", default="test")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--log")
    p.set_defaults(func=cmd_interpret_checkpoint)
    p = subparsers.add_parser(
        "benchmark-interpretation", help="(workflow job) ISM/TISM speed at paper size and ISM-TISM agreement",
        description="Rule benchmark_interpretation: ISM/TISM speed of a paper-size ATAC DeepAllele (random weights) "
                    "and ISM-TISM agreement of a trained checkpoint on a pairs.h5.")
    p.add_argument("--ckpt", required=True, help="training checkpoint (best.ckpt)")
    p.add_argument("--pairs", required=True, help="the dataset's pairs.h5")
    p.add_argument("--out", required=True, help="TSV to write")
    p.add_argument("--n-pairs", type=int, default=4)
    p.add_argument("--n-agreement", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log")
    p.set_defaults(func=cmd_benchmark_interpretation)


def add_parsers(subparsers) -> None:
    """Add every subcommand of this module."""
    add_score_parser(subparsers)
    add_benchmark_parser(subparsers)
    add_apply_parsers(subparsers)
    add_job_parsers(subparsers)
