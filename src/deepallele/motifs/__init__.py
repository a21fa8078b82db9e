"""Motif databases, seqlets and their clusters, and classical motif statistics.

- :mod:`deepallele.motifs.jaspar`: JASPAR 2020 CORE vertebrates non-redundant (746 motifs) built
  offline from pyjaspar's bundled SQLite database, and a MEME-format writer/reader.
- :mod:`deepallele.motifs.seqlets`, :mod:`deepallele.motifs.cluster`, :mod:`deepallele.motifs.tomtom`,
  :mod:`deepallele.motifs.groups`: seqlets of attribution maps, their clusters, the clusters'
  JASPAR names and TF-like groups, and the main variants located in them.
- :mod:`deepallele.motifs.meandiff`: the classical baseline of Fig S7 (FIMO scan of both alleles,
  per-motif delta scores, MeanDiff / correlation / MAGGIE-style tests), one module per step.

The MeanDiff results against the simulator's planted motifs are the validation wing's
(:mod:`deepallele.validation.motifs`).
"""
