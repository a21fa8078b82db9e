"""The ``deepallele`` command: one subcommand per stage (the Snakemake rules call the same code)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml


def _load_config(path: str) -> dict:
    from jsonschema import Draft202012Validator

    from .workflow import ConfigError, check_config, config_schema

    with open(path) as fh:
        config = yaml.safe_load(fh) or {}
    errors = sorted(Draft202012Validator(config_schema()).iter_errors(config), key=lambda e: list(e.path))
    if errors:
        lines = [f"{'.'.join(map(str, e.path)) or '(top level)'}: {e.message}" for e in errors]
        raise ConfigError(f"{path}: invalid configuration:\n  " + "\n  ".join(lines))
    check_config(config, source=path)
    return config


def cmd_simulate(args: argparse.Namespace) -> int:
    from .logutil import setup_logging
    from .simulate.run import (dataset_params, genome_params, simulate_fragments, simulate_genome,
                               unit_names, write_unit_fastqs)
    from .simulate.scatac import simulate_sc_fragments, write_sc_unit_fastqs
    from .workflow import datasets_on_genome

    log = setup_logging(args.log)
    config = _load_config(args.config)
    out = Path(args.outdir)
    genomes = [g for g, v in config["genomes"].items() if "simulate" in v and (not args.genome or g in args.genome)]
    if not genomes:
        log.error("no simulated genome selected in %s", args.config)
        return 2
    t0 = time.time()
    for g in genomes:
        gcfg = config["genomes"][g]
        dsets = {d: dataset_params(config["datasets"][d]["assay"], config["datasets"][d].get("simulate"))
                 for d in datasets_on_genome(config, g) if "simulate" in config["datasets"][d]}
        simulate_genome(g, genome_params(gcfg["simulate"]), dsets, out,
                        gcfg.get("reference_name", "B6"), gcfg.get("strain_name", "CAST"))
        for d, p in dsets.items():
            if config["datasets"][d]["assay"] == "scatac":
                # 10x single-cell: cells, barcodes and four FASTQs per lane (deepallele.simulate.scatac)
                simulate_sc_fragments(d, p, out / "genomes" / g, out)
                for u in unit_names(p):
                    n = write_sc_unit_fastqs(d, u, p, out / "genomes" / g, out)
                    log.info("%s %s: %d read pairs", d, u, n)
                continue
            simulate_fragments(d, config["datasets"][d]["assay"], p, out / "genomes" / g, out)
            for u in unit_names(p):
                base = out / "datasets" / d / "reads" / f"{p['sample']}_{u}"
                n = write_unit_fastqs(d, u, p, out / "genomes" / g, out / "datasets" / d / "truth" / "reads.tsv.gz",
                                      Path(f"{base}_R1.fastq.gz"), Path(f"{base}_R2.fastq.gz"))
                log.info("%s %s: %d read pairs", d, u, n)
    log.info("simulation finished in %.1f s; outputs under %s", time.time() - t0, out)
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from .workflow import dataset_entry, dataset_units, runs_pending, runs_table_path

    config = _load_config(args.config)
    for d in config["datasets"]:
        entry = dataset_entry(config, d)
        if runs_pending(config, d):
            print(f"{d}: from accessions; runs not resolved yet (rule resolve_runs writes "
                  f"{runs_table_path(config, d)})")
            continue
        if entry in ("count_table", "authors_h5"):
            print(f"{d}: from {'a count table' if entry == 'count_table' else 'the authors HDF5'}")
            continue
        units = dataset_units(config, d)
        print(f"{d}: {len(units)} unit(s), samples {sorted(set(units['sample']))}")
    print(f"{args.config}: OK")
    return 0


def cmd_filter_alignments(args: argparse.Namespace) -> int:
    from .reads.filter import filter_pairs

    stats = filter_pairs(args.input, args.output, args.min_mapq, args.exclude or [], args.stats, args.threads)
    print(f"filter-alignments: {stats}", file=sys.stderr)
    return 0


#: third-party import name -> the pyproject extra that installs it (pip install ".[<extra>]")
EXTRA_OF_MODULE = {"torch": "models", "lightning": "models", "safetensors": "models",
                   "memelite": "motifs", "logomaker": "motifs", "numba": "motifs",
                   "snakemake": "workflow", "deeptools": "workflow", "MACS3": "workflow"}


def missing_extra_message(command: str, err: ModuleNotFoundError) -> str | None:
    """The hint for a subcommand whose optional dependency is not installed (None if unknown).

    >>> missing_extra_message("train", ModuleNotFoundError("No module named 'torch'", name="torch"))
    "deepallele train needs 'torch', which is not installed: pip install 'deepallele-workflow[models]' (or '.[models]' from a checkout)"
    """
    top = (err.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(top)
    if extra is None:
        return None
    return (f"deepallele {command} needs {top!r}, which is not installed: "
            f"pip install 'deepallele-workflow[{extra}]' (or '.[{extra}]' from a checkout)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deepallele", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("simulate", help="simulate the F1 hybrid genomes and reads of a config, with truth")
    p.add_argument("--config", default="config/config.yaml", help="workflow config (default: %(default)s)")
    p.add_argument("--outdir", default="resources/simulated", help="output root (default: %(default)s)")
    p.add_argument("--genome", action="append", help="only this simulated genome (repeatable)")
    p.add_argument("--log", help="also write the log to this file")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("check-config", help="validate a config and its sample sheets, then exit")
    p.add_argument("--config", default="config/config.yaml")
    p.set_defaults(func=cmd_check_config)

    p = sub.add_parser("filter-alignments",
                       help="keep proper pairs at MAPQ >= N off excluded contigs (mates adjacent, e.g. bowtie2 --reorder)")
    p.add_argument("input", help="SAM/BAM, '-' for stdin")
    p.add_argument("output", help="BAM to write (same order)")
    p.add_argument("--min-mapq", type=int, default=2)
    p.add_argument("--exclude", action="append", help="contig-name glob to drop (repeatable)")
    p.add_argument("--stats", help="JSON file of pair counts")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=cmd_filter_alignments)

    from .reads.commands import add_parsers as add_reads_parsers

    add_reads_parsers(sub)  # lift-bam, assign (per-genome BAMs made outside the workflow)

    from .models.cli import add_parsers as add_model_parsers

    add_model_parsers(sub)  # train, benchmark-training, import-checkpoint, export-model

    from .interpret.commands import add_parsers as add_interpret_parsers

    add_interpret_parsers(sub)  # score-variants, benchmark-score-variants, predict, interpret,
    #                             interpret-checkpoint, benchmark-interpretation (workflow jobs)

    args = parser.parse_args(argv)
    from .workflow import ConfigError

    try:
        return args.func(args)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as err:
        hint = missing_extra_message(args.command, err)
        if hint is None:
            raise
        print(f"error: {hint}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
