"""Reads: lift strain alignments to reference coordinates and assign each pair an allele.

``liftover``
    :func:`~deepallele.reads.liftover.lift_bam`: a Lapels-style lift of a BAM aligned to a
    strain pseudogenome into reference coordinates, through the strain's
    :class:`~deepallele.genome.coordmap.CoordinateMap`.
``assign``
    :func:`~deepallele.reads.assign.assign_alleles`: a Suspenders-style comparison of each read
    pair's alignment on the reference and on the strain, with reproducible tie splitting.
``commands``
    The two as ``deepallele lift-bam`` and ``deepallele assign``, for reads aligned to both
    genomes outside the workflow. The workflow's rule ``split_alleles`` filters, assigns and
    lifts in one pass (:func:`deepallele.reads.alleles.split_alleles`, built from their parts).
"""
from .assign import assign_alleles, compare_templates, tie_goes_to_ref
from .liftover import AlignmentLifter, lift_bam

__all__ = ["AlignmentLifter", "assign_alleles", "compare_templates", "lift_bam", "tie_goes_to_ref"]
