"""One pass from the two genomes' alignments to per-allele BAMs in reference coordinates.

bowtie2 with ``--reorder`` writes every read pair, aligned or not, in the order of the FASTQ
files, so the reference-genome and strain-genome outputs of the same reads line up pair by
pair. Walking them in lock step avoids sorting both by name, and lets each pair be:

1. filtered on each genome (proper pair, MAPQ, contig names; see :mod:`.filter`),
2. assigned to an allele by its scores on both genomes (``po`` 1 ref / 2 strain / 3 tie; see
   :mod:`.assign`; ties split by a seeded hash of the fragment's reference coordinates, so
   PCR duplicates of a tie land in the same allele; the read name can be hashed instead),
3. lifted to reference coordinates **only when its strain record is written** (strain-specific
   pairs and the strain half of the ties; see :mod:`.liftover`).

Outputs are the allele BAMs (specific + their half of the ties) and the specific-only BAMs,
coordinate-sorted and indexed. The result does not depend on thread count or file order of
anything but the inputs themselves.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import tempfile
from collections import Counter
from pathlib import Path

import pysam

from ..genome.coordmap import CoordinateMap
from ..logutil import Progress
from .assign import TemplateScore, compare_templates, score_template, tie_goes_to_ref
from .filter import FilterStats, excluded_contigs, iter_pairs, pair_status
from .liftover import AlignmentLifter, _GroupLifter, _lifted_header

OUTPUT_KEYS = ("ref", "alt", "ref_only", "alt_only")


def split_alleles(ref_bam, strain_bam, chain, outputs: dict, min_mapq: int = 2, exclude=None,
                  seed: int = 0, threads: int = 1, summary_json=None, tmp_dir=None,
                  tie_key: str = "fragment", sort: bool = True) -> dict:
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
    tie_key : {"fragment", "name"}
        What the tie-splitting hash reads: the fragment's coordinates on the reference
        (default; PCR duplicates of a tie stay together, so duplicate removal per allele still
        finds them) or the read name (the suspenders-style split).
    threads : int
        Threads for BAM compression and sorting (results do not depend on it).
    summary_json : str or pathlib.Path, optional
        Where to write the returned summary.
    sort : bool
        Coordinate-sort and index the outputs (default). Without, they are written in input
        order (the workflow sorts them in a separate job).
    tmp_dir : str or pathlib.Path, optional
        Folder for temporary files (default: next to the ``ref`` output).

    Returns
    -------
    dict
        ``pairs``; per genome filter counts (``ref_filter``, ``strain_filter``); assignment
        counts ``ref``, ``alt``, ``tie``, ``tie_to_ref``, ``tie_to_alt``, ``unassigned``; lift
        counts.
    """
    if tie_key not in ("fragment", "name"):
        raise ValueError(f"tie_key must be 'fragment' or 'name', not {tie_key!r}")
    unknown = set(outputs) - set(OUTPUT_KEYS)
    if unknown or not {"ref", "alt"} <= set(outputs):
        raise ValueError(f"outputs must have 'ref' and 'alt' (and may have ref_only/alt_only), got {sorted(outputs)}")
    chain_path = None if isinstance(chain, CoordinateMap) else Path(chain)
    coordmap = chain if chain_path is None else CoordinateMap.load(chain_path)
    outputs = {k: Path(v) for k, v in outputs.items()}
    threads = max(int(threads), 1)
    with pysam.AlignmentFile(str(ref_bam), check_sq=False) as ref_in, \
            pysam.AlignmentFile(str(strain_bam), check_sq=False) as strain_in:
        ref_sizes = dict(zip(ref_in.references, ref_in.lengths))
        if ref_sizes != coordmap.ref_sizes:
            raise ValueError(f"{ref_bam}: its contigs/lengths differ from the reference of {chain}")
        strain_sizes = dict(zip(strain_in.references, strain_in.lengths))
        if strain_sizes != coordmap.strain_sizes:
            raise ValueError(f"{strain_bam}: its contigs/lengths differ from the strain genome of {chain}")
    tmp_root = Path(tmp_dir) if tmp_dir else outputs["ref"].parent
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix=".alleles.") as tmp:
        tmp = Path(tmp)
        job = dict(ref_bam=str(ref_bam), strain_bam=str(strain_bam), coordmap=coordmap, keys=sorted(outputs),
                   min_mapq=min_mapq, exclude=list(exclude or []), seed=seed, tie_key=tie_key, tmp=str(tmp),
                   description=f"split_alleles {ref_bam} {strain_bam} chain={chain} seed={seed}")
        workers = min(threads, 8)
        if workers == 1:
            results = [_walk_part(0, 1, job)]
        else:
            # fork: workers inherit the loaded coordinate map; each walks every pair but works
            # only on its share of fixed-size chunks, writing one file per chunk and output
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(workers) as pool:
                results = pool.starmap(_walk_part, [(w, workers, job) for w in range(workers)])
        counts: Counter = Counter()
        lift_counts: Counter = Counter()
        filters = {"ref": FilterStats(), "strain": FilterStats()}
        n_chunks = 0
        for part_counts, part_lift, part_filters, part_chunks in results:
            counts.update(part_counts)
            lift_counts.update(part_lift)
            for side in filters:
                for field, value in part_filters[side].items():
                    setattr(filters[side], field, getattr(filters[side], field) + value)
            n_chunks = max(n_chunks, part_chunks)
        for key, path in outputs.items():
            # chunks back in input order, then sorted: the result is the same for any worker count
            chunk_files = [str(tmp / f"{key}.{c:06d}.bam") for c in range(n_chunks)]
            part = path.with_name(path.name + ".part")
            if not sort:
                pysam.cat("--no-PG", "-o", str(part), *chunk_files, catch_stdout=False)
                part.replace(path)
                continue
            joined = tmp / f"{key}.bam"
            pysam.cat("--no-PG", "-o", str(joined), *chunk_files, catch_stdout=False)
            # level 1: these BAMs are read again at once (dedup); speed matters more than size
            pysam.sort("--no-PG", "-l", "1", "-m", "512M", "-@", str(threads), "-T", str(tmp / f"{key}.sort"),
                       "-o", str(part), str(joined), catch_stdout=False)
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


#: read pairs per chunk of work (and per temporary file of each output)
CHUNK_PAIRS = 65536
log = logging.getLogger("deepallele.reads.alleles")


def _walk_part(worker: int, n_workers: int, job: dict):
    """Process chunks ``worker, worker + n_workers, ...`` of the pairs; one file per chunk."""
    counts: Counter = Counter()
    lift_counts: Counter = Counter()
    filters = {"ref": FilterStats(), "strain": FilterStats()}
    tmp = Path(job["tmp"])
    with pysam.AlignmentFile(job["ref_bam"], check_sq=False) as ref_in, \
            pysam.AlignmentFile(job["strain_bam"], check_sq=False) as strain_in:
        patterns = job["exclude"]
        drop = {"ref": {ref_in.get_tid(n) for n in excluded_contigs(list(ref_in.references), patterns)},
                "strain": {strain_in.get_tid(n) for n in excluded_contigs(list(strain_in.references), patterns)}}
        ref_sizes = dict(zip(ref_in.references, ref_in.lengths))
        lifted_header = _lifted_header(strain_in.header, ref_sizes, job["description"])
        out_index = {name: k for k, name in enumerate(ref_sizes)}
        strain_names = list(strain_in.references)
        lifter = _GroupLifter(AlignmentLifter(job["coordmap"]), strain_names,
                              [out_index[n] for n in strain_names], None, lift_counts)
        headers = {"ref": ref_in.header, "ref_only": ref_in.header, "alt": lifted_header, "alt_only": lifted_header}
        n_chunks = _walk(ref_in, strain_in, job["ref_bam"], job["strain_bam"], drop, job["min_mapq"], job["seed"],
                         lifter, filters, counts, job["tie_key"], worker, n_workers, tmp, headers, job["keys"])
    return counts, lift_counts, {k: v.as_dict() for k, v in filters.items()}, n_chunks


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


def lift_pair(lifter: _GroupLifter, pair, po: int, choice: str) -> None:
    """Lift a strain pair in place and tag it; the common case without the general machinery.

    Both mates mapped and each landing on reference bases: rewrite position and CIGAR, keep the
    originals in ``OP``/``OC``/``OM`` (NM moves to OM, MD and XA go: they describe the strain),
    and set mate fields and TLEN from the lifted mates. Anything else (a mate inside a strain
    insertion, supplementary alignments) goes through the general group lifter.
    """
    r1, r2 = pair
    chrom = lifter.in_names[r1.reference_id]
    lift = lifter.lifter.lift
    l1 = lift(chrom, r1.reference_start, r1.cigartuples)
    l2 = lift(chrom, r2.reference_start, r2.cigartuples)
    if l1 is None or l2 is None or r1.has_tag("SA") or r2.has_tag("SA"):
        lifter.lift_group([r1, r2])
        for r in pair:
            r.set_tag("po", po, value_type="i")
            r.set_tag("ct", choice, value_type="A")
        return
    counts = lifter.counts
    counts["records"] += 2
    counts["lifted"] += 2
    tid = lifter.tid_map[r1.reference_id]
    for r, lifted in ((r1, l1), (r2, l2)):
        # one set_tag per tag: pysam's set_tags rebuilds the record through ctypes and is slower
        r.set_tag("OP", r.reference_start + 1, value_type="i")
        r.set_tag("OC", r.cigarstring, value_type="Z")
        if r.has_tag("NM"):
            r.set_tag("OM", r.get_tag("NM"), value_type="i")
            r.set_tag("NM", None)
        if r.has_tag("MD"):
            r.set_tag("MD", None)
        if r.has_tag("XA"):
            r.set_tag("XA", None)
        r.set_tag("po", po, value_type="i")
        r.set_tag("ct", choice, value_type="A")
        r.reference_id = tid
        r.reference_start = lifted.reference_start
        if lifted.cigar_changed:
            counts["cigar_changed"] += 1
            r.cigartuples = lifted.cigartuples
    r1.next_reference_id = r2.next_reference_id = tid
    r1.next_reference_start, r2.next_reference_start = r2.reference_start, r1.reference_start
    left = min(r1.reference_start, r2.reference_start)
    span = max(r1.reference_end, r2.reference_end) - left
    r1_left = r1.reference_start < r2.reference_start or (r1.reference_start == r2.reference_start)
    r1.template_length = span if r1_left else -span
    r2.template_length = -r1.template_length


def fragment_key(pair) -> str:
    """A pair's fragment identity as Picard sees duplicates: contig, unclipped 5' ends, strands.

    Splitting ties by a hash of this key (not of the read name) sends PCR duplicates of a tied
    fragment to the same allele, where duplicate removal finds them. Like Picard's, the key does
    not depend on which mate is read 1: the two (5' end, strand) are ordered by coordinate
    (then strand), so an F1R2 pair and an F2R1 copy with the same ends get the same key. The key
    is ``tid:<lower end>:<upper end>:<1 if the lower-end mate is reverse>``, which for a pair
    whose read 1 is the forward, lower mate equals the earlier ``tid:end(R1):end(R2):R1.is_reverse``.
    """
    ends = []
    for r in pair:
        cig = r.cigartuples
        if r.is_reverse:
            ends.append((r.reference_end + (cig[-1][1] if cig[-1][0] == 4 else 0), 1))
        else:
            ends.append((r.reference_start - (cig[0][1] if cig[0][0] == 4 else 0), 0))
    (lo, lo_rev), (hi, _) = sorted(ends)
    return f"{pair[0].reference_id}:{lo}:{hi}:{lo_rev}"


def _walk(ref_in, strain_in, ref_path, strain_path, drop, min_mapq, seed, lifter, filters, counts,
          tie_key, worker, n_workers, tmp, headers, keys) -> int:
    """Walk both files pair by pair; handle this worker's chunks. Returns the number of chunks."""
    strain_pairs = iter_pairs(strain_in, strain_path)
    sinks = {}
    index = -1
    # every worker walks every pair; the first one reports how far the walk has come
    progress = Progress(log, f"allele split {Path(ref_path).name}", unit="pairs") if worker == 0 else None
    for index, ref_pair in enumerate(iter_pairs(ref_in, ref_path)):
        strain_pair = next(strain_pairs, None)
        name = ref_pair[0].query_name
        if strain_pair is None or strain_pair[0].query_name != name:
            other = "the end of the file" if strain_pair is None else strain_pair[0].query_name
            raise ValueError(f"{ref_path} and {strain_path} are out of step at read {name} ({other}); "
                             "both must be bowtie2 --reorder output of the same FASTQ files")
        chunk, offset = divmod(index, CHUNK_PAIRS)
        if offset == 0:
            if progress is not None:
                progress.update(index)
            for sink in sinks.values():
                sink.close()
            sinks = {}
            if chunk % n_workers == worker:
                sinks = {k: pysam.AlignmentFile(str(tmp / f"{k}.{chunk:06d}.bam"), "wbu", header=headers[k])
                         for k in keys}
        if chunk % n_workers != worker:
            continue
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
            to_ref = tie_goes_to_ref(fragment_key(ref_pair) if tie_key == "fragment" else name, seed)
            counts["tie_to_ref" if to_ref else "tie_to_alt"] += 1
            targets = ("ref",) if to_ref else ("alt",)
        else:
            counts["ref" if po == 1 else "alt"] += 1
            targets = ("ref", "ref_only") if po == 1 else ("alt", "alt_only")
        if targets[0] == "alt":
            records = strain_pair
            lift_pair(lifter, strain_pair, po, choice)
        else:
            records = ref_pair
            for read in records:
                read.set_tag("po", po, value_type="i")
                read.set_tag("ct", choice, value_type="A")
        for target in targets:
            sink = sinks.get(target)
            if sink is not None:
                sink.write(records[0])
                sink.write(records[1])
    for sink in sinks.values():
        sink.close()
    if progress is not None:
        progress.update(index + 1)
        progress.finish()
    n_chunks = index // CHUNK_PAIRS + 1 if index >= 0 else 0
    if n_chunks == 0 and worker == 0:  # empty input: still one (empty) file per output
        for k in keys:
            pysam.AlignmentFile(str(tmp / f"{k}.000000.bam"), "wbu", header=headers[k]).close()
        n_chunks = 1
    if next(strain_pairs, None) is not None:
        raise ValueError(f"{strain_path} has more read pairs than {ref_path}; both must be bowtie2 "
                         "--reorder output of the same FASTQ files")
    return n_chunks
