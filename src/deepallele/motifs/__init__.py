"""Motif databases and classical motif statistics.

- :mod:`deepallele.motifs.jaspar`: JASPAR 2020 CORE vertebrates non-redundant (746 motifs) built
  offline from pyjaspar's bundled SQLite database, and a MEME-format writer/reader.
- :mod:`deepallele.motifs.meandiff`: the classical baseline of Fig S7 (FIMO scan of both alleles,
  per-motif delta scores, MeanDiff / correlation / MAGGIE-style tests).
- :mod:`deepallele.motifs.validate`: the MeanDiff results against the simulator's planted motifs
  (validation wing).
"""
