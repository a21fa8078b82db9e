"""Model interpretation: trusted set, ISM/TISM attributions, variant effects, figures, benchmark.

Modules
-------
readout
    Splits any pair model into a per-allele encoder and a pair readout (so one allele's
    embedding can be reused while the other is mutated).
ism, tism
    In-silico mutagenesis (exact, windowed fast path) and its gradient approximation.
variant_effects
    Swapping each variant between the alleles; main variant; additive sum.
trusted
    The well-predicted set of the paper (§3.1).
score_variants
    Any VCF's variants scored by every seed of a trained model (``deepallele score-variants``);
    :mod:`deepallele.validation.score_variants` checks it against the simulator's true effects.
data, correlation
    The pairs to interpret and the attribution files; per-sequence agreement of two maps.
figures
    The stage's figures (Fig 2, 3, S3-S6) and the choices behind them (loci, seed agreement).
apply, commands
    ``deepallele predict`` / ``interpret`` on any ``pairs.h5`` (TF-MoDISco-lite export) and the
    subcommands of this package; ``outputs``: atomic file writes.
"""
