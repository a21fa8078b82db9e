"""Strain genomes: a VCF applied to the reference, and the coordinate map between the two.

``coordmap``
    :class:`~deepallele.genome.coordmap.CoordinateMap`, the aligned blocks between the reference
    and one strain (read and written as a UCSC chain file, reference -> strain).
``pseudogenome``
    :func:`~deepallele.genome.pseudogenome.build_pseudogenome`, VCF + reference FASTA -> strain
    FASTA + chain + a report of the variants it could not apply.
"""
from .coordmap import CoordinateMap, trim_alleles, variant_kind
from .pseudogenome import ReferenceMismatchError, build_pseudogenome

__all__ = [
    "CoordinateMap",
    "ReferenceMismatchError",
    "build_pseudogenome",
    "trim_alleles",
    "variant_kind",
]
