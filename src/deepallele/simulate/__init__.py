"""Simulated F1 hybrid experiments with ground truth.

The simulator writes exactly what a real dataset provides (reference FASTA, strain VCF,
sample sheet with paired FASTQ files) and keeps the truth apart, under ``truth/``, so every
later stage of the workflow can be checked against what was planted.

Modules
-------
genome
    Background reference sequence (CpG-depleted, ~42 % GC) and chromosome sizes.
variants
    Homozygous strain variants (SNPs, indels), normalised and non-overlapping.
motifs
    JASPAR 2020 motifs, log-odds scoring on both strands and occupancy.
planted_motifs
    Opt-in planted matrices outside JASPAR (perturbed, de novo) and their TomTom truth names.
regions
    Regulatory regions, the motif grammar and the per-allele activity model.
reads
    Paired-end reads from each allele's own sequence, with errors, adapters, duplicates.
"""
