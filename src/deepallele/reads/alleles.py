"""One pass from the two genomes' alignments to per-allele BAMs in reference coordinates.

bowtie2 with ``--reorder`` writes every read pair, aligned or not, in the order of the FASTQ
files, so the reference-genome and strain-genome outputs of the same reads line up pair by
pair. Walking them in lock step avoids sorting both by name, and lets each pair be:

1. filtered on each genome (proper pair, MAPQ, contig names; see :mod:`.filter`),
2. assigned to an allele by its scores on both genomes (``po`` 1 ref / 2 strain / 3 tie; see
   :mod:`.assign`; ties split by a seeded hash of the read name),
3. lifted to reference coordinates **only when its strain record is written** (strain-specific
   pairs and the strain half of the ties; see :mod:`.liftover`).

Outputs are the allele BAMs (specific + their half of the ties) and the specific-only BAMs,
coordinate-sorted and indexed. The result does not depend on thread count or file order of
anything but the inputs themselves.
"""
from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import pysam

from ..genome.coordmap import CoordinateMap
from .assign import TemplateScore, compare_templates, score_template, tie_goes_to_ref
from .filter import FilterStats, excluded_contigs, iter_pairs, pair_status
from .liftover import AlignmentLifter, _GroupLifter, _lifted_header

OUTPUT_KEYS = ("ref", "alt", "ref_only", "alt_only")


def split_alleles(ref_bam, strain_bam, chain, outputs: dict, min_mapq: int = 2, exclude=None,
                  seed: int = 0, threads: int = 1, summary_json=None, tmp_dir=None) -> dict:
    """Filter, assign and lift read pairs aligned to both genomes, in one pass.

    Parameters
    ----------
    ref_bam, strain_bam : str or pathlib.Path
        bowtie2 ``--reorder`` output (every pair, mates adjacent) of the same reads against the
        reference and the strain pseudogenome.
    chain : str, pathlib.Path or CoordinateMap
        The strain's coordinate map (``ref_to_strain.chain``).
    outputs : dict
        Paths for ``ref``, ``alt`` (allele BAMs) and optionally ``ref_only``, ``alt_only``.
    min_mapq : int
        MAPQ both mates need, on each genome.
    exclude : list of str
        Contig-name globs whose alignments are dropped.
    seed : int
        Tie-splitting seed.
    threads : int
        Threads for BAM compression and sorting (results do not depend on it).
    summary_json : str or pathlib.Path, optional
        Where to write the returned summary.
    tmp_dir : str or pathlib.Path, optional
        Folder for temporary files (default: next to the ``ref`` output).

    Returns
    -------
    dict
        ``pairs``; per genome filter counts (``ref_filter``, ``strain_filter``); assignment
        counts ``ref``, ``alt``, ``tie``, ``tie_to_ref``, ``tie_to_alt``, ``unassigned``; lift
        counts.
    """
    unknown = set(outputs) - set(OUTPUT_KEYS)
    if unknown or not {"ref", "alt"} <= set(outputs):
        raise ValueError(f"outputs must have 'ref' and 'alt' (and may have ref_only/alt_only), got {sorted(outputs)}")
    coordmap = chain if isinstance(chain, CoordinateMap) else CoordinateMap.load(chain)
    outputs = {k: Path(v) for k, v in outputs.items()}
    threads = max(int(threads), 1)
    counts: Counter = Counter()
    lift_counts: Counter = Counter()
    filters = {"ref": FilterStats(), "strain": FilterStats()}
    tmp_root = Path(tmp_dir) if tmp_dir else outputs["ref"].parent
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix=".alleles.") as tmp:
        tmp = Path(tmp)
        with pysam.AlignmentFile(str(ref_bam), check_sq=False, threads=threads) as ref_in, \
                pysam.AlignmentFile(str(strain_bam), check_sq=False, threads=threads) as strain_in:
            ref_sizes = dict(zip(ref_in.references, ref_in.lengths))
            if ref_sizes != coordmap.ref_sizes:
                raise ValueError(f"{ref_bam}: its contigs/lengths differ from the reference of {chain}")
            strain_sizes = dict(zip(strain_in.references, strain_in.lengths))
            if strain_sizes != coordmap.strain_sizes:
                raise ValueError(f"{strain_bam}: its contigs/lengths differ from the strain genome of {chain}")
            patterns = list(exclude or [])
            drop = {"ref": {ref_in.get_tid(n) for n in excluded_contigs(list(ref_in.references), patterns)},
                    "strain": {strain_in.get_tid(n) for n in excluded_contigs(list(strain_in.references), patterns)}}
            lifted_header = _lifted_header(strain_in.header, ref_sizes,
                                           f"split_alleles {ref_bam} {strain_bam} chain={chain} seed={seed}")
            out_index = {name: k for k, name in enumerate(ref_sizes)}
            strain_names = list(strain_in.references)
            lifter = _GroupLifter(AlignmentLifter(coordmap), strain_names,
                                  [out_index[n] for n in strain_names], None, lift_counts)
            headers = {"ref": ref_in.header, "ref_only": ref_in.header,
                       "alt": lifted_header, "alt_only": lifted_header}
            sinks = {k: pysam.AlignmentFile(str(tmp / f"{k}.bam"), "wbu", header=headers[k])
                     for k in outputs}
            try:
                _walk(ref_in, strain_in, str(ref_bam), str(strain_bam), drop, min_mapq, seed,
                      lifter, sinks, filters, counts)
            finally:
                for sink in sinks.values():
                    sink.close()
        for key, path in outputs.items():
            part = path.with_name(path.name + ".part")
            # level 1: these BAMs are read again at once (dedup); speed matters more than size
            pysam.sort("--no-PG", "-l", "1", "-m", "512M", "-@", str(threads), "-T", str(tmp / f"{key}.sort"), "-o", str(part),
                       str(tmp / f"{key}.bam"), catch_stdout=False)
            part.replace(path)
            pysam.index(str(path))
    summary = {"pairs": counts["pairs"],
               "ref_filter": filters["ref"].as_dict(), "strain_filter": filters["strain"].as_dict(),
               **{k: counts.get(k, 0) for k in ("ref", "alt", "tie", "tie_to_ref", "tie_to_alt", "unassigned")},
               "lifted_records": lift_counts.get("lifted", 0),
               "lifted_cigar_changed": lift_counts.get("cigar_changed", 0),
               "lifted_became_unmapped": lift_counts.get("became_unmapped", 0)}
    if summary_json:
        Path(summary_json).write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def _pair_score(pair, path) -> TemplateScore:
    """Score of a kept pair (both mates mapped): the fast form of :func:`score_template`."""
    r1, r2 = pair
    try:
        alignment_score = r1.get_tag("AS") + r2.get_tag("AS")
    except KeyError:
        return score_template(pair, path)  # raises the descriptive error
    try:
        edit_distance = r1.get_tag("NM") + r2.get_tag("NM")
    except KeyError:
        edit_distance = None
    return TemplateScore(2, alignment_score, edit_distance)


def _walk(ref_in, strain_in, ref_path, strain_path, drop, min_mapq, seed, lifter, sinks, filters, counts):
    strain_pairs = iter_pairs(strain_in, strain_path)
    for ref_pair in iter_pairs(ref_in, ref_path):
        strain_pair = next(strain_pairs, None)
        name = ref_pair[0].query_name
        if strain_pair is None or strain_pair[0].query_name != name:
            other = "the end of the file" if strain_pair is None else strain_pair[0].query_name
            raise ValueError(f"{ref_path} and {strain_path} are out of step at read {name} ({other}); "
                             "both must be bowtie2 --reorder output of the same FASTQ files")
        counts["pairs"] += 1
        ref_status = pair_status(*ref_pair, drop["ref"], min_mapq)
        strain_status = pair_status(*strain_pair, drop["strain"], min_mapq)
        filters["ref"].add(ref_status)
        filters["strain"].add(strain_status)
        ref_score = _pair_score(ref_pair, ref_path) if ref_status == "kept" else None
        strain_score = _pair_score(strain_pair, strain_path) if strain_status == "kept" else None
        po, choice = compare_templates(ref_score, strain_score)
        if po == 0:
            counts["unassigned"] += 1
            continue
        if po == 3:
            counts["tie"] += 1
            to_ref = tie_goes_to_ref(name, seed)
            counts["tie_to_ref" if to_ref else "tie_to_alt"] += 1
            targets = ("ref",) if to_ref else ("alt",)
        else:
            counts["ref" if po == 1 else "alt"] += 1
            targets = ("ref", "ref_only") if po == 1 else ("alt", "alt_only")
        if targets[0] == "alt":
            records = list(strain_pair)
            lifter.lift_group(records)
        else:
            records = list(ref_pair)
        for read in records:
            read.set_tag("po", po, value_type="i")
            read.set_tag("ct", choice, value_type="A")
            for target in targets:
                sink = sinks.get(target)
                if sink is not None:
                    sink.write(read)
    if next(strain_pairs, None) is not None:
        raise ValueError(f"{strain_path} has more read pairs than {ref_path}; both must be bowtie2 "
                         "--reorder output of the same FASTQ files")
