"""Paired-allele datasets: the two alleles' sequences of every peak, their targets and split.

Modules
-------
pairs
    Reference and strain sequences of each peak's homologous region (through the variant
    map) as compact base codes (:mod:`deepallele.alphabet`, re-exported here), and the table
    of variants inside each window.
split
    Chromosome split (train / val / test).
store
    One HDF5 file per dataset, ``pairs.h5``: the only module that opens it (write, read with
    :func:`~.store.open_pairs`, summary) and :func:`~.store.build_paired_dataset`, the whole
    stage in one call.

The checks of a dataset against the simulator's truth are the validation wing's
(:mod:`deepallele.validation.datasets`).
"""
from ..alphabet import BASE_CODES, N_CODE, PAD_CODE, decode, encode, one_hot
from .pairs import PairedSequences, check_variants, paired_sequences, reference_windows, variant_table
from .split import assign_split, split_attrs

__all__ = ["BASE_CODES", "N_CODE", "PAD_CODE", "PairedSequences", "assign_split", "check_variants", "decode",
           "encode", "one_hot", "paired_sequences", "reference_windows", "split_attrs", "variant_table"]
