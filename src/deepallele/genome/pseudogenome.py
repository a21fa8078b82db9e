"""Strain pseudogenome: apply a strain's homozygous variants to the reference FASTA.

:func:`build_pseudogenome` writes the strain FASTA (same chromosome names and order as the
reference, 60-column lines, ``.fai`` index) and the ``ref -> strain`` chain of its
:class:`~deepallele.genome.coordmap.CoordinateMap`. It replaces ``bcftools consensus -c``
with checks that matter for allele-specific mapping:

* every REF allele is compared with the reference FASTA; a mismatch stops the build with an
  error naming the VCF, the record and the bases (a VCF made for another assembly);
* variants that cannot be applied unambiguously are skipped and listed in a report TSV with
  a reason (see :data:`SKIP_REASONS`), never applied half-way.

Which records are applied
-------------------------
* VCF with samples: the genotype (GT) of ``sample`` decides. ``sample`` may be left out when
  the VCF has exactly one sample. Homozygous non-reference genotypes (``1/1``, ``2|2``,
  haploid ``1``) apply that ALT; homozygous reference genotypes are counted (``hom_ref``) but
  not reported; heterozygous and missing genotypes are skipped with a reason (an inbred strain
  should have none).
* VCF without samples (sites only): every record with a single ALT is applied.

Deterministic: the output depends only on the inputs (records are sorted per chromosome).
Uncompressed VCFs are read whole; a bgzipped, tabix/CSI-indexed VCF is read one chromosome
at a time, which keeps memory low for genome-wide VCFs.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pysam

from ..logutil import Progress
from .coordmap import CoordinateMap, trim_alleles, variant_kind

log = logging.getLogger("deepallele.genome.pseudogenome")

#: Reasons a VCF record is not applied, as written in the report's ``reason`` column.
SKIP_REASONS = {
    "contig_not_in_reference": "the record's chromosome is not in the reference FASTA",
    "filtered": "FILTER is not PASS (only with pass_only=True)",
    "missing_genotype": "the sample's GT is missing (./.)",
    "heterozygous": "the sample's GT is heterozygous",
    "missing_alt": "ALT is missing ('.')",
    "multiallelic_without_genotype": "sites-only VCF record with several ALT alleles",
    "symbolic_allele": "the chosen ALT is symbolic (<DEL>, *, breakend)",
    "invalid_ref_allele": "REF has characters other than ACGTN",
    "invalid_alt_allele": "ALT has characters other than ACGTN",
    "ref_equals_alt": "the chosen ALT equals REF",
    "duplicate": "same POS, REF and ALT as an earlier record (one copy is applied)",
    "conflicting_alleles": "several records at the same POS/REF with different ALTs",
    "overlap": "the REF span overlaps another applied variant",
}

_ACGTN = re.compile(r"[ACGTNacgtn]+")
_KIND_KEYS = {"snp": "snp", "mnp": "mnp", "insertion": "insertion", "deletion": "deletion",
              "complex": "complex"}


class ReferenceMismatchError(ValueError):
    """A VCF REF allele disagrees with the reference FASTA."""


@dataclass(frozen=True)
class _Candidate:
    """A record whose chosen allele passed the per-record checks."""

    pos0: int
    ref: str
    alt: str

    @property
    def end(self) -> int:
        return self.pos0 + len(self.ref)


def _record_view(record, sample_name):
    """The few fields we need, so records can be grouped without keeping pysam objects."""
    genotype = None
    if sample_name is not None:
        genotype = tuple(record.samples[sample_name]["GT"] or ())
    filters = tuple(record.filter.keys())
    return record.chrom, record.pos, record.ref, record.alts, genotype, filters


def _records_by_contig(variant_file, contigs, sample_name):
    """Yield ``(contig, [record views])``: reference contigs in order, then contigs only in the VCF."""
    index = variant_file.index
    if index is not None:
        indexed = list(index)
        for contig in contigs:
            records = variant_file.fetch(contig) if contig in indexed else ()
            yield contig, [_record_view(r, sample_name) for r in records]
        for contig in indexed:
            if contig not in contigs:
                yield contig, [_record_view(r, sample_name) for r in variant_file.fetch(contig)]
        return
    grouped: dict[str, list] = {contig: [] for contig in contigs}
    for record in variant_file:
        grouped.setdefault(record.chrom, []).append(_record_view(record, sample_name))
    yield from grouped.items()


def _choose_sample(variant_file, vcf_path, sample):
    """The sample whose genotypes are applied, or None for a sites-only VCF."""
    samples = list(variant_file.header.samples)
    if sample is not None:
        if sample not in samples:
            raise ValueError(f"{vcf_path}: sample {sample!r} not found; the VCF has "
                             f"{', '.join(samples) if samples else 'no samples'}")
        chosen = sample
    elif len(samples) > 1:
        raise ValueError(f"{vcf_path}: the VCF has {len(samples)} samples ({', '.join(samples[:10])}"
                         f"{'...' if len(samples) > 10 else ''}); choose one with sample=")
    else:
        chosen = samples[0] if samples else None
    if chosen is not None and "GT" not in variant_file.header.formats:
        raise ValueError(f"{vcf_path}: the VCF has samples but no GT FORMAT field to choose "
                         f"sample {chosen!r}'s alleles from")
    return chosen


def _chosen_allele(alts, genotype, sample_name):
    """ALT allele to apply, or ``(None, reason)``; reason ``"hom_ref"`` means not a variant here."""
    if sample_name is None:
        if not alts:
            return None, "missing_alt"
        if len(alts) > 1:
            return None, "multiallelic_without_genotype"
        return alts[0], None
    if not genotype or any(allele is None for allele in genotype):
        return None, "missing_genotype"
    if len(set(genotype)) > 1:
        return None, "heterozygous"
    allele_index = genotype[0]
    if allele_index == 0:
        return None, "hom_ref"
    if not alts or allele_index > len(alts):
        return None, "missing_alt"
    return alts[allele_index - 1], None


def _check_alleles(alt):
    if alt is None or alt == ".":
        return "missing_alt"
    if alt.startswith("<") or alt == "*" or "[" in alt or "]" in alt:
        return "symbolic_allele"
    if not _ACGTN.fullmatch(alt):
        return "invalid_alt_allele"
    return None


def _resolve_conflicts(candidates):
    """Split sorted candidates into applicable ones and ``(candidate, reason)`` skips.

    Exact duplicates keep one copy. Any other overlap of REF spans skips every variant of the
    overlapping cluster: we cannot tell which call is right, and half-applying none of them
    keeps the strain sequence equal to the reference there.
    """
    applied, skipped = [], []
    unique = []
    for candidate in candidates:
        if unique and (unique[-1].pos0, unique[-1].ref.upper(), unique[-1].alt.upper()) == \
                (candidate.pos0, candidate.ref.upper(), candidate.alt.upper()):
            skipped.append((candidate, "duplicate"))
        else:
            unique.append(candidate)
    cluster, cluster_end = [], -1
    for candidate in unique + [None]:
        if candidate is not None and cluster and candidate.pos0 < cluster_end:
            cluster.append(candidate)
            cluster_end = max(cluster_end, candidate.end)
            continue
        if len(cluster) == 1:
            applied.append(cluster[0])
        elif cluster:
            same_site = len({(c.pos0, c.ref.upper()) for c in cluster}) == 1
            reason = "conflicting_alleles" if same_site else "overlap"
            skipped.extend((c, reason) for c in cluster)
        if candidate is not None:
            cluster, cluster_end = [candidate], candidate.end
    return applied, skipped


def _write_fasta_record(handle, name, sequence, line_width):
    handle.write(f">{name}\n")
    handle.write("\n".join(sequence[i:i + line_width] for i in range(0, len(sequence), line_width)))
    if sequence:
        handle.write("\n")


def check_vcf_contigs(reference_fasta, vcf) -> None:
    """Fail when the VCF has records on contigs the reference FASTA lacks.

    Such contigs mean the two files belong to different assemblies or naming schemes (``1`` vs
    ``chr1``): the build stops before writing anything, naming both files.

    Parameters
    ----------
    reference_fasta : str or Path
        Indexed reference FASTA.
    vcf : str or Path
        Strain VCF/BCF; the contigs carrying records come from its tabix/CSI index when there is
        one (no scan), else from reading every record.

    Raises
    ------
    ValueError
        Naming the VCF, up to ten missing contigs and the FASTA.
    """
    with pysam.FastaFile(str(reference_fasta)) as fa, pysam.VariantFile(str(vcf)) as vf:
        fasta_contigs = set(fa.references)
        used = set(vf.index) if vf.index is not None else {rec.chrom for rec in vf}
    missing = sorted(c for c in used if c not in fasta_contigs)
    if missing:
        raise ValueError(f"{vcf}: contigs {missing[:10]}{' ...' if len(missing) > 10 else ''} "
                         f"are not in {reference_fasta} (different assembly or naming, e.g. '1' vs 'chr1')")


def build_pseudogenome(reference_fasta, vcf, out_fasta, out_chain, sample=None, report=None,
                       summary=None, pass_only=False, line_width=60) -> dict:
    """Build a strain FASTA and its ``ref -> strain`` chain from a VCF of the strain's variants.

    Parameters
    ----------
    reference_fasta : str or Path
        Reference FASTA (plain or bgzipped; indexed with ``.fai`` or indexable).
    vcf : str or Path
        Strain VCF/BCF (plain, bgzipped or BCF). Ideally normalised (``bcftools norm -f ref
        -m-any``), which this function does not require but reports the effects of.
    out_fasta : str or Path
        Strain FASTA to write; ``<out_fasta>.fai`` is written next to it.
    out_chain : str or Path
        Chain file to write (see :mod:`deepallele.genome.coordmap`).
    sample : str, optional
        VCF sample whose genotypes are applied; required if the VCF has several samples.
    report : str or Path, optional
        TSV of the records not applied: ``chrom, pos, ref, alt, reason`` (1-based POS, the
        chosen ALT or the comma-joined ALTs, reasons from :data:`SKIP_REASONS`).
    summary : str or Path, optional
        JSON file with the returned summary.
    pass_only : bool
        Skip records whose FILTER is neither PASS nor missing.
    line_width : int
        FASTA line width.

    Returns
    -------
    dict
        ``records`` (VCF records read), ``applied`` and its split ``snp``, ``mnp``,
        ``insertion``, ``deletion``, ``complex``; ``inserted_bases``, ``deleted_bases``;
        ``hom_ref`` (records where the sample is homozygous reference); ``skipped`` and
        ``skipped_by_reason``; ``ref_length`` and ``strain_length`` (bases in each genome);
        ``sample``, ``reference``, ``vcf``.

    Raises
    ------
    ReferenceMismatchError
        A REF allele differs from the reference (or runs past the chromosome end).
    ValueError
        Sample missing or ambiguous.

    Notes
    -----
    Outputs are written to temporary names and renamed at the end, so a failed build leaves no
    partial FASTA or chain behind.
    """
    out_fasta, out_chain = Path(out_fasta), Path(out_chain)
    try:
        return _build(Path(reference_fasta), Path(vcf), out_fasta, out_chain, sample, report, summary,
                      pass_only, line_width)
    except BaseException:
        # no half-written outputs: drop the temporary files of a failed build
        for tmp in (out_fasta.with_name(out_fasta.name + ".tmp"),
                    out_chain.with_name(out_chain.name + ".tmp" + "".join(out_chain.suffixes[-1:]))):
            tmp.unlink(missing_ok=True)
        raise


def _build(reference_fasta, vcf, out_fasta, out_chain, sample, report, summary, pass_only, line_width) -> dict:
    counts = Counter()
    skip_reasons = Counter()
    report_rows = []
    # (chrom, pos1, ref, alt) of the applied indels: substitutions leave coordinates alone
    applied_indels = []
    strain_lengths = {}

    with pysam.FastaFile(str(reference_fasta)) as fasta, pysam.VariantFile(str(vcf)) as variant_file:
        sample_name = _choose_sample(variant_file, vcf, sample)
        contigs = list(fasta.references)
        ref_sizes = dict(zip(contigs, fasta.lengths))
        tmp_fasta = out_fasta.with_name(out_fasta.name + ".tmp")
        with open(tmp_fasta, "w") as fasta_out:
            progress = Progress(log, f"pseudogenome {Path(vcf).name}", total=len(contigs), unit="contigs")
            for contig, records in _records_by_contig(variant_file, contigs, sample_name):
                if contig in ref_sizes:
                    progress.advance()
                counts["records"] += len(records)
                if contig not in ref_sizes:
                    for _, pos, ref, alts, _, _ in records:
                        report_rows.append((contig, pos, ref, ",".join(alts) if alts else ".",
                                            "contig_not_in_reference"))
                    skip_reasons["contig_not_in_reference"] += len(records)
                    continue
                sequence = fasta.fetch(contig)
                candidates = []
                for _, pos, ref, alts, genotype, filters in records:
                    alt_text = ",".join(alts) if alts else "."
                    if not _ACGTN.fullmatch(ref):
                        report_rows.append((contig, pos, ref, alt_text, "invalid_ref_allele"))
                        skip_reasons["invalid_ref_allele"] += 1
                        continue
                    actual = sequence[pos - 1:pos - 1 + len(ref)] if pos >= 1 else ""
                    if actual.upper() != ref.upper():
                        if pos < 1:
                            where = "at a position before the chromosome start"
                        elif pos - 1 + len(ref) > len(sequence):
                            where = f"running past the end of the chromosome (length {len(sequence)})"
                        else:
                            where = f"but {reference_fasta} has {actual!r}"
                        raise ReferenceMismatchError(
                            f"{vcf}: record {contig}:{pos} has REF {ref!r} {where}; is the VCF for "
                            "another reference assembly, or not normalised against it?")
                    if pass_only and filters and filters != ("PASS",):
                        report_rows.append((contig, pos, ref, alt_text, "filtered"))
                        skip_reasons["filtered"] += 1
                        continue
                    alt, reason = _chosen_allele(alts, genotype, sample_name)
                    if reason == "hom_ref":
                        counts["hom_ref"] += 1
                        continue
                    if reason is None:
                        reason = _check_alleles(alt)
                    if reason is None and alt.upper() == ref.upper():
                        reason = "ref_equals_alt"
                    if reason is not None:
                        report_rows.append((contig, pos, ref, alt if alt else alt_text, reason))
                        skip_reasons[reason] += 1
                        continue
                    candidates.append(_Candidate(pos - 1, ref, alt))

                candidates.sort(key=lambda c: (c.pos0, c.end, c.alt.upper()))
                applied, skipped = _resolve_conflicts(candidates)
                for candidate, reason in skipped:
                    report_rows.append((contig, candidate.pos0 + 1, candidate.ref, candidate.alt, reason))
                    skip_reasons[reason] += 1

                pieces, cursor = [], 0
                for candidate in applied:
                    start, ref_edit, alt_edit = trim_alleles(candidate.pos0, candidate.ref, candidate.alt)
                    pieces.append(sequence[cursor:start])
                    pieces.append(alt_edit.upper())
                    cursor = start + len(ref_edit)
                    kind = variant_kind(candidate.ref, candidate.alt)
                    counts[_KIND_KEYS[kind]] += 1
                    counts["inserted_bases"] += max(len(alt_edit) - len(ref_edit), 0)
                    counts["deleted_bases"] += max(len(ref_edit) - len(alt_edit), 0)
                    if kind not in ("snp", "mnp"):
                        applied_indels.append((contig, candidate.pos0 + 1, candidate.ref, candidate.alt))
                pieces.append(sequence[cursor:])
                strain_sequence = "".join(pieces)
                counts["applied"] += len(applied)
                strain_lengths[contig] = len(strain_sequence)
                del sequence
                # FASTA chromosomes in reference order; contigs only in the VCF come after them
                # in the iteration and never reach here.
                _write_fasta_record(fasta_out, contig, strain_sequence, line_width)

        coordmap = CoordinateMap.from_variants(ref_sizes, applied_indels)
        if strain_lengths != coordmap.strain_sizes:  # cheap self-check of the splice
            raise RuntimeError(f"internal error: strain lengths {strain_lengths} differ from the "
                               f"coordinate map's {coordmap.strain_sizes}")
        tmp_chain = out_chain.with_name(out_chain.name + ".tmp" + "".join(out_chain.suffixes[-1:]))
        coordmap.save(tmp_chain)

    os.replace(tmp_fasta, out_fasta)
    os.replace(tmp_chain, out_chain)
    pysam.faidx(str(out_fasta))

    contig_order = {contig: i for i, contig in enumerate(contigs)}
    report_rows.sort(key=lambda row: (contig_order.get(row[0], len(contigs)), row[0], row[1], row[2],
                                      row[3], row[4]))
    if report is not None:
        with open(report, "w") as handle:
            handle.write("chrom\tpos\tref\talt\treason\n")
            for row in report_rows:
                handle.write("\t".join(map(str, row)) + "\n")

    result = {
        "reference": str(reference_fasta),
        "vcf": str(vcf),
        "sample": sample_name,
        "records": counts["records"],
        "applied": counts["applied"],
        **{key: counts[key] for key in ("snp", "mnp", "insertion", "deletion", "complex")},
        "inserted_bases": counts["inserted_bases"],
        "deleted_bases": counts["deleted_bases"],
        "hom_ref": counts["hom_ref"],
        "skipped": sum(skip_reasons.values()),
        "skipped_by_reason": dict(sorted(skip_reasons.items())),
        "ref_length": sum(ref_sizes.values()),
        "strain_length": sum(coordmap.strain_sizes.values()),
    }
    if summary is not None:
        with open(summary, "w") as handle:
            json.dump(result, handle, indent=2)
            handle.write("\n")
    return result
