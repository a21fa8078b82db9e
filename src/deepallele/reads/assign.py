"""Assign read pairs to the reference or the strain allele (Suspenders-style).

Each read pair (all records sharing a read name: a *template*) was aligned twice, to the
reference genome and to the strain pseudogenome; the strain alignment was then lifted to
reference coordinates (:func:`deepallele.reads.liftover.lift_bam`). This module compares the
two alignments of every template and tags the winner with Suspenders' ``po`` tag:

``po:i:1``
    the reference alignment is better (or the template aligned only to the reference);
``po:i:2``
    the strain alignment is better (or it aligned only to the strain);
``po:i:3``
    both are equally good (a tie).

and a choice-type tag ``ct:A``: ``U`` aligned in one genome only, ``Q`` decided by alignment
quality, ``R`` a tie split by the hash below.

Comparison, in order (see :func:`compare_templates`)
----------------------------------------------------
1. more mapped primary mates wins (a pair beats a lone mate);
2. higher sum of bowtie2's ``AS:i`` over the mapped primary mates wins (the aligner's own
   score, including its quality-aware mismatch penalties, rather than a re-derived one);
3. lower sum of edit distances wins, where a lifted record's edit distance is its pre-lift
   ``OM:i`` (the ``NM`` against the genome it was aligned to) and otherwise ``NM:i``;
4. otherwise a tie.

Ties are split by a keyed hash of the read name: ``blake2b(name, key=str(seed))``; an even first
byte sends the tie to the reference, an odd one to the strain (:func:`tie_goes_to_ref`). Mates
share a name, so pairs stay together, and the split depends only on (name, seed): not on file
order, thread count or the other reads (the original used an unseeded RNG or line order).

Inputs are read in name order: both BAMs are sorted with ``samtools sort -n`` (via pysam) and
walked together in one merge-join over read names. The name order (natural or ASCII) is read
from the sorted files' ``@HD SS`` field and checked as records are read.

Outputs: per allele, the specific templates plus that allele's half of the ties (reference
allele: the reference alignment records; strain allele: the lifted strain records), and
optionally the specific-only templates; coordinate-sorted and indexed by default.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import pysam

from .header import append_program

_NATURAL_TOKEN = re.compile(r"(\d+)|(\D)")


def tie_goes_to_ref(name: str, seed: int = 0) -> bool:
    """Whether a tied template goes to the reference allele.

    Parameters
    ----------
    name : str
        Read (template) name.
    seed : int
        Tie-splitting seed; a different seed gives an independent split.

    Returns
    -------
    bool
        ``True`` when the first byte of ``blake2b(name, key=str(seed))`` is even.
    """
    digest = hashlib.blake2b(name.encode(), digest_size=8, key=str(int(seed)).encode()).digest()
    return digest[0] % 2 == 0


def natural_name_key(name: str) -> tuple:
    """Sort key reproducing ``samtools sort -n`` (natural order: digit runs compare as numbers).

    Digit runs become ``(ord("0"), value)`` so they sort among the digit characters against
    any other character, exactly as samtools' ``strnum_cmp`` compares them; names that differ
    only in leading zeros compare by the name itself.
    """
    key = tuple((48, int(digits)) if digits else (ord(char), 0)
                for digits, char in _NATURAL_TOKEN.findall(name))
    return key, name


def _ascii_name_key(name: str) -> str:
    return name


@dataclass(frozen=True)
class TemplateScore:
    """How well one template aligned to one genome.

    Attributes
    ----------
    n_mapped : int
        Mapped primary records (0, 1 or 2 for a pair).
    alignment_score : int
        Sum of ``AS`` over them.
    edit_distance : int or None
        Sum of ``OM`` (lifted records) or ``NM``; ``None`` if a record has neither.
    """

    n_mapped: int
    alignment_score: int
    edit_distance: int | None


def score_template(records, source="input") -> TemplateScore | None:
    """Score a template's records from one genome; ``None`` if no primary record is mapped.

    Raises
    ------
    ValueError
        If a mapped primary record has no ``AS`` tag (naming ``source`` and the read).
    """
    mapped = [r for r in records if not (r.is_unmapped or r.is_secondary or r.is_supplementary)]
    if not mapped:
        return None
    alignment_score, edit_distance = 0, 0
    for read in mapped:
        if not read.has_tag("AS"):
            raise ValueError(f"{source}: read {read.query_name} has no AS tag; allele assignment "
                             "compares aligner scores (align with bowtie2)")
        alignment_score += read.get_tag("AS")
        if edit_distance is not None:
            if read.has_tag("OM"):
                edit_distance += read.get_tag("OM")
            elif read.has_tag("NM"):
                edit_distance += read.get_tag("NM")
            else:
                edit_distance = None
    return TemplateScore(len(mapped), alignment_score, edit_distance)


def compare_templates(ref_score: TemplateScore | None,
                      strain_score: TemplateScore | None) -> tuple[int, str]:
    """Decide a template's allele from its two scores.

    Returns
    -------
    (int, str)
        ``po`` code (1 reference, 2 strain, 3 tie, 0 aligned nowhere) and choice type
        (``"U"`` one genome only, ``"Q"`` quality, ``"R"`` tie, ``""`` for 0).
    """
    if ref_score is None and strain_score is None:
        return 0, ""
    if strain_score is None:
        return 1, "U"
    if ref_score is None:
        return 2, "U"
    for ref_value, strain_value in ((ref_score.n_mapped, strain_score.n_mapped),
                                    (ref_score.alignment_score, strain_score.alignment_score)):
        if ref_value != strain_value:
            return (1 if ref_value > strain_value else 2), "Q"
    if (ref_score.edit_distance is not None and strain_score.edit_distance is not None
            and ref_score.edit_distance != strain_score.edit_distance):
        return (1 if ref_score.edit_distance < strain_score.edit_distance else 2), "Q"
    return 3, "R"


def _templates(bam, path, key):
    """Yield (name, records) in name order, checking that the order holds."""
    previous_key, previous_name = None, None
    for name, group in groupby(bam, key=lambda read: read.query_name):
        name_key = key(name)
        if previous_key is not None and not previous_key < name_key:
            raise ValueError(f"{path}: read {name!r} comes after {previous_name!r}; the file is not "
                             "sorted by read name (samtools sort -n), or a name is split")
        previous_key, previous_name = name_key, name
        yield name, list(group)


def _name_key_for(bam, path):
    hd = bam.header.to_dict().get("HD", {})
    if hd.get("SO") != "queryname":
        raise ValueError(f"{path}: not sorted by read name (@HD SO is {hd.get('SO', 'missing')!r})")
    subsort = hd.get("SS", "")
    return _ascii_name_key if subsort.endswith(":lexicographical") else natural_name_key


def _with_program(header, description, name_order=None):
    """Output header: the input's, with our @PG appended and the output's sort order."""
    input_hd = header.to_dict().get("HD", {})
    header = header.to_dict()
    append_program(header, "deepallele.assign", "deepallele.reads.assign", description)
    header["HD"] = {"VN": input_hd.get("VN", "1.6"), "SO": "unsorted"}
    if name_order is not None:  # written straight from the name-ordered inputs
        header["HD"]["SO"] = "queryname"
        if "SS" in input_hd:
            header["HD"]["SS"] = input_hd["SS"]
    return pysam.AlignmentHeader.from_dict(header)


def _contigs(header):
    return list(zip(header.references, header.lengths))


def assign_alleles(ref_bam, strain_bam, ref_out, alt_out, ref_only_out=None, alt_only_out=None,
                   seed: int = 0, threads: int = 1, assume_name_sorted: bool = False,
                   sort_order: str = "coordinate", tmp_dir=None) -> dict:
    """Split read pairs into reference- and strain-allele BAMs.

    Parameters
    ----------
    ref_bam : str or Path
        Alignments to the reference genome (used as they are).
    strain_bam : str or Path
        Alignments to the strain genome, lifted to reference coordinates with
        :func:`~deepallele.reads.liftover.lift_bam`. Both BAMs must list the same contigs.
    ref_out, alt_out : str or Path
        Reference-allele BAM (``po`` 1 + the reference half of ``po`` 3, reference records) and
        strain-allele BAM (``po`` 2 + the strain half of ``po`` 3, lifted strain records).
    ref_only_out, alt_only_out : str or Path, optional
        Allele-specific templates only (``po`` 1, resp. 2).
    seed : int
        Tie-splitting seed (see :func:`tie_goes_to_ref`).
    threads : int
        Threads for sorting and BAM compression; results do not depend on it.
    assume_name_sorted : bool
        Inputs are already sorted with ``samtools sort -n``/``-N`` (``@HD SO:queryname``);
        skip sorting them.
    sort_order : {"coordinate", "name"}
        Order of the outputs: coordinate-sorted and indexed (default) or name order.
    tmp_dir : str or Path, optional
        Directory for temporary files (default: next to ``ref_out``).

    Returns
    -------
    dict
        Template counts: ``templates``, ``ref``, ``alt``, ``tie``, ``tie_to_ref``,
        ``tie_to_alt``, ``unassigned`` (aligned to neither genome), and ``ref_only_aligned`` /
        ``alt_only_aligned`` (the part of ``ref`` / ``alt`` aligned to one genome only).

    Raises
    ------
    ValueError
        If the two BAMs list different contigs (the strain BAM was not lifted), a mapped record
        lacks ``AS``, or an input is not in name order.
    """
    if sort_order not in ("coordinate", "name"):
        raise ValueError(f"sort_order must be 'coordinate' or 'name', not {sort_order!r}")
    ref_bam, strain_bam, ref_out, alt_out = map(Path, (ref_bam, strain_bam, ref_out, alt_out))
    threads = max(int(threads), 1)
    tmp_dir = Path(tmp_dir) if tmp_dir is not None else ref_out.parent
    counts = Counter()
    outputs = {"ref": ref_out, "alt": alt_out, "ref_only": ref_only_out, "alt_only": alt_only_out}
    outputs = {key: Path(path) for key, path in outputs.items() if path is not None}

    with tempfile.TemporaryDirectory(dir=tmp_dir, prefix=".assign.") as tmp:
        tmp = Path(tmp)
        sorted_inputs = []
        for label, path in (("ref", ref_bam), ("strain", strain_bam)):
            if assume_name_sorted:
                sorted_inputs.append(path)
                continue
            target = tmp / f"{label}.name_sorted.bam"
            pysam.sort("-n", "--no-PG", "-@", str(threads - 1), "-l", "1", "-T", str(tmp / f"{label}.sort"),
                       "-o", str(target), str(path), catch_stdout=False)
            sorted_inputs.append(target)

        with pysam.AlignmentFile(str(sorted_inputs[0]), check_sq=False, threads=threads) as ref_in, \
                pysam.AlignmentFile(str(sorted_inputs[1]), check_sq=False, threads=threads) as strain_in:
            if _contigs(ref_in.header) != _contigs(strain_in.header):
                raise ValueError(f"{ref_bam} and {strain_bam} list different contigs; lift the strain "
                                 "alignment to reference coordinates first (lift_bam; deepallele lift-bam)")
            ref_key = _name_key_for(ref_in, ref_bam)
            strain_key = _name_key_for(strain_in, strain_bam)
            if ref_key is not strain_key:
                raise ValueError(f"{ref_bam} and {strain_bam} are sorted in different name orders "
                                 "(natural vs ASCII); sort both the same way")
            description = (f"assign_alleles ref={ref_bam} strain={strain_bam} seed={seed}")
            name_order = sort_order == "name" or None
            headers = {"ref": _with_program(ref_in.header, description, name_order),
                       "alt": _with_program(strain_in.header, description, name_order)}
            written = {key: (tmp / f"{key}.bam" if sort_order == "coordinate" else path)
                       for key, path in outputs.items()}
            mode = "wbu" if sort_order == "coordinate" else "wb"
            sinks = {key: pysam.AlignmentFile(str(path), mode, threads=threads,
                                              header=headers["ref" if key.startswith("ref") else "alt"])
                     for key, path in written.items()}
            try:
                _merge_join(ref_in, strain_in, ref_bam, strain_bam, ref_key, sinks, seed, counts)
            finally:
                for sink in sinks.values():
                    sink.close()

        if sort_order == "coordinate":
            for key, path in outputs.items():
                pysam.sort("--no-PG", "-@", str(threads - 1), "-T", str(tmp / f"{key}.sort"), "-o", str(path),
                           str(written[key]), catch_stdout=False)
                pysam.index(str(path))
    return {key: counts.get(key, 0) for key in ("templates", "ref", "alt", "tie", "tie_to_ref",
                                                "tie_to_alt", "unassigned", "ref_only_aligned",
                                                "alt_only_aligned")}


def _merge_join(ref_in, strain_in, ref_path, strain_path, key, sinks, seed, counts):
    """Walk both name-ordered files together and write each template where it belongs."""
    ref_templates = _templates(ref_in, ref_path, key)
    strain_templates = _templates(strain_in, strain_path, key)
    ref_item, strain_item = next(ref_templates, None), next(strain_templates, None)
    while ref_item is not None or strain_item is not None:
        if strain_item is None or (ref_item is not None and key(ref_item[0]) < key(strain_item[0])):
            name, ref_records, strain_records = ref_item[0], ref_item[1], []
            ref_item = next(ref_templates, None)
        elif ref_item is None or key(strain_item[0]) < key(ref_item[0]):
            name, ref_records, strain_records = strain_item[0], [], strain_item[1]
            strain_item = next(strain_templates, None)
        else:
            name, ref_records, strain_records = ref_item[0], ref_item[1], strain_item[1]
            ref_item, strain_item = next(ref_templates, None), next(strain_templates, None)
        counts["templates"] += 1
        po, choice = compare_templates(score_template(ref_records, ref_path),
                                       score_template(strain_records, strain_path))
        if po == 0:
            counts["unassigned"] += 1
            continue
        if po == 1:
            counts["ref"] += 1
            counts["ref_only_aligned"] += choice == "U"
            targets, records = ("ref", "ref_only"), ref_records
        elif po == 2:
            counts["alt"] += 1
            counts["alt_only_aligned"] += choice == "U"
            targets, records = ("alt", "alt_only"), strain_records
        else:
            counts["tie"] += 1
            if tie_goes_to_ref(name, seed):
                counts["tie_to_ref"] += 1
                targets, records = ("ref",), ref_records
            else:
                counts["tie_to_alt"] += 1
                targets, records = ("alt",), strain_records
        for read in records:
            read.set_tag("po", po, value_type="i")
            read.set_tag("ct", choice, value_type="A")
            for target in targets:
                if target in sinks:
                    sinks[target].write(read)
