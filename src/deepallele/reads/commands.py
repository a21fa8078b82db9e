"""Subcommands of the ``deepallele`` command for per-genome BAMs made outside the workflow.

``add_parsers(subparsers)`` adds:

* ``lift-bam``: a BAM aligned to a strain pseudogenome rewritten in reference coordinates
  (:func:`deepallele.reads.liftover.lift_bam`, Lapels-style);
* ``assign``: every read pair of a reference BAM and a lifted strain BAM given to one allele
  (:func:`deepallele.reads.assign.assign_alleles`, Suspenders-style ``po``/``ct`` tags).

Together they are the allele split for reads already aligned to both genomes (e.g. by a
lapels/suspenders pipeline). The workflow itself does both, with the pair filter, in one pass
over bowtie2's output (rule ``split_alleles``, :func:`deepallele.reads.alleles.split_alleles`).

Bad input stops with ``error: <file>: <what is wrong>`` on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


class InputError(ValueError):
    """An input file that is missing or not what the command needs (the message names it)."""


def check_bam(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path` after checking that it is a readable SAM/BAM file.

    Raises
    ------
    InputError
        The file is missing or pysam cannot read it as SAM/BAM.
    """
    import pysam

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        with pysam.AlignmentFile(str(path), check_sq=False):
            pass
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: not a SAM/BAM file ({err})") from None
    return path


def check_file(path: str | Path, what: str) -> Path:
    """``path`` as a :class:`~pathlib.Path` after checking that it exists (``what`` names its role)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    return path


def _report(command: str, counts: dict, summary: str | None) -> None:
    if summary:
        Path(summary).write_text(json.dumps(counts, indent=1) + "\n")
    print(f"{command}: {json.dumps(counts)}", file=sys.stderr)


def _run(command: str, args: argparse.Namespace, call) -> int:
    """Run ``call()``; bad input (:class:`InputError`, or the library's ValueError naming the file)
    becomes ``error: ...`` and status 2."""
    try:
        counts = call()
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    _report(command, counts, args.summary)
    return 0


def cmd_lift_bam(args: argparse.Namespace) -> int:
    from .liftover import lift_bam

    def call():
        in_bam = check_bam(args.input)
        chain = check_file(args.chain, "chain file")
        reference = check_file(args.reference, "reference FASTA/.fai") if args.reference else None
        return lift_bam(in_bam, args.output, chain, reference, threads=args.threads, sort_order=args.sort)

    return _run("lift-bam", args, call)


def cmd_assign(args: argparse.Namespace) -> int:
    from .assign import assign_alleles

    def call():
        ref_bam, strain_bam = check_bam(args.ref_bam), check_bam(args.strain_bam)
        return assign_alleles(ref_bam, strain_bam, args.ref_out, args.alt_out, args.ref_only_out, args.alt_only_out,
                              seed=args.seed, threads=args.threads, assume_name_sorted=args.name_sorted,
                              sort_order=args.sort)

    return _run("assign", args, call)


def add_parsers(subparsers) -> None:
    """Add ``lift-bam`` and ``assign``."""
    p = subparsers.add_parser(
        "lift-bam", help="lift a BAM aligned to a strain pseudogenome into reference coordinates (Lapels-style)",
        description="Rewrite alignments to a strain pseudogenome as alignments to the reference: CIGARs through "
                    "the strain's indels, mate fields and TLEN recomputed, the originals kept in OC/OP/OM "
                    "(deepallele.reads.liftover). Reads wholly inside a strain insertion become unmapped.")
    p.add_argument("input", help="SAM/BAM aligned to the strain genome (any order)")
    p.add_argument("output", help="BAM to write, in reference coordinates")
    p.add_argument("--chain", required=True,
                   help="ref -> strain chain file: the workflow's resources/genomes/<g>/ref_to_strain.chain, or "
                        "bcftools consensus --chain output")
    p.add_argument("--reference",
                   help="reference FASTA (NM/MD recomputed against it) or its .fai / a chrom.sizes table; without "
                        "it NM/MD are removed and the contig lengths come from the chain")
    p.add_argument("--sort", choices=("coordinate", "name", "grouped"), default="coordinate",
                   help="output order: coordinate-sorted and indexed (default), samtools sort -n, or the records "
                        "of one name together")
    p.add_argument("--threads", type=int, default=1, help="threads for sorting and compression (default: 1)")
    p.add_argument("--summary", help="JSON file of the counts (records, lifted, cigar_changed, ...)")
    p.set_defaults(func=cmd_lift_bam)

    p = subparsers.add_parser(
        "assign", help="assign read pairs to the reference or strain allele from both genomes' alignments "
                       "(Suspenders-style)",
        description="Compare each read pair's alignment to the reference with its lifted alignment to the strain "
                    "(more mapped mates, then higher AS, then lower edit distance; OM on lifted records) and "
                    "write each allele's pairs, tagged po:i:1 (ref), 2 (strain) or 3 (tie, split by a seeded "
                    "hash of the read name) and ct:A (U one genome only, Q quality, R tie). "
                    "Both BAMs must list the same contigs: lift the strain BAM first (deepallele lift-bam).")
    p.add_argument("ref_bam", help="SAM/BAM aligned to the reference genome")
    p.add_argument("strain_bam", help="SAM/BAM aligned to the strain genome and lifted to reference coordinates")
    p.add_argument("--ref-out", required=True, help="reference-allele BAM (po 1 and the reference half of po 3)")
    p.add_argument("--alt-out", required=True, help="strain-allele BAM (po 2 and the strain half of po 3)")
    p.add_argument("--ref-only-out", help="also write the reference-specific pairs (po 1) here")
    p.add_argument("--alt-only-out", help="also write the strain-specific pairs (po 2) here")
    p.add_argument("--seed", type=int, default=0, help="tie-splitting seed (default: 0)")
    p.add_argument("--name-sorted", action="store_true",
                   help="both inputs are already sorted with samtools sort -n: skip sorting them")
    p.add_argument("--sort", choices=("coordinate", "name"), default="coordinate",
                   help="output order: coordinate-sorted and indexed (default) or read-name order")
    p.add_argument("--threads", type=int, default=1, help="threads for sorting and compression (default: 1)")
    p.add_argument("--summary", help="JSON file of the template counts (templates, ref, alt, tie, ...)")
    p.set_defaults(func=cmd_assign)
