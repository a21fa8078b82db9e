"""The classical motif baseline of Fig S7: FIMO on both alleles, per-motif delta scores, tests.

Steps (reference-spec §3.8; project decisions in ``docs/methods.md``), one module each:

1. **Scan** (:mod:`.scan`, the pairs from :mod:`.pairs`, stored by :mod:`.scan_io`). memelite's
   FIMO scans every sequence of one allele in one call (one-hot ``(N, 4, L)``; padding and N are
   all-zero columns, which FIMO skips), against every motif on both strands, with
   ``bin_size = 0.1``, ``eps = 1e-4`` and p < ``0.05 / L``. Hits whose window runs into the
   padding are dropped (the sequence ends there).
2. **Delta score** (:mod:`.scan`). Per motif and sequence with at least one hit in either
   allele: ``delta = sum(scores of hits in ref) - sum(scores of hits in alt)`` (FIMO's log-odds
   score, log2 units); sequences without hits in both alleles have no delta (NaN).
3. **Tests** (:mod:`.significance`) per motif, each Benjamini-Hochberg-corrected over *all*
   motifs (a motif without enough data gets p = 1), significant at q < ``alpha`` (0.05):
   ``meandiff`` (the paper's Welch t-test), ``correlation`` (Pearson) and ``maggie``
   (MAGGIE-style signed-rank test).
4. **Per sequence** (:mod:`.effects`, Fig S7c-f): the predicted motif effect and the direction
   class of each affected sequence; :mod:`.compare` counts the affected sequences MeanDiff and
   DeepAllele each explain.

Besides: :mod:`.similarity` (TomTom look-alikes and distances, for the validation and the
figure's motif order) and :mod:`.benchmark` (the scan's timing at the paper's size).

All logs are natural logs except FIMO's scores (log2 odds, as FIMO reports them). The public
names of the modules are re-exported here (``from deepallele.motifs.meandiff import motif_tests``).
"""
from .benchmark import PAPER_SCAN_SECONDS, TARGET_SCAN_SECONDS, benchmark_scan, random_pair_set
from .compare import MAIN_VARIANT_COLUMNS, compare_with_deepallele, read_main_variants
from .effects import DIRECTIONS, direction_summary, sequence_effects
from .pairs import PairSet, load_pair_set, sequence_lengths
from .scan import Scan, delta_scores, fimo_hits, scan_pairs, scan_threshold, score_sums
from .scan_io import read_scan, write_scan
from .significance import (AFFECTED_LN_RATIO, METHODS, bh_qvalues, correlation_test, effect_column, maggie_test,
                           meandiff_test, motif_tests)
from .similarity import motif_distances, similar_to, tomtom_pvalues

__all__ = [
    "AFFECTED_LN_RATIO", "DIRECTIONS", "MAIN_VARIANT_COLUMNS", "METHODS", "PAPER_SCAN_SECONDS",
    "TARGET_SCAN_SECONDS", "PairSet", "Scan", "benchmark_scan", "bh_qvalues", "compare_with_deepallele",
    "correlation_test", "delta_scores", "direction_summary", "effect_column", "fimo_hits", "load_pair_set",
    "maggie_test", "meandiff_test", "motif_distances", "motif_tests", "random_pair_set", "read_main_variants",
    "read_scan", "scan_pairs", "scan_threshold", "score_sums", "sequence_effects", "sequence_lengths",
    "similar_to", "tomtom_pvalues", "write_scan",
]
