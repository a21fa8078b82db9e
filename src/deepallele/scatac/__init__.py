"""Single-cell ATAC (10x): from barcoded reads to allele-resolved pseudo-bulk counts per cell type.

``barcodes``
    Cell barcodes from the i5 read (R2): orientation against the whitelist, Cell Ranger-style
    correction, FASTQ comments that bowtie2 ``--sam-append-comment`` turns into ``CB`` tags.
``fragments``
    10x fragment files (chrom, start, end, barcode, count) per allele from the allele BAMs,
    with sinto's semantics; the paper's binomial split of the tied fragments; combining.
``counting``
    Signac ``FeatureMatrix`` semantics: peaks x cells per allele and cell type, MatrixMarket
    files and the pseudo-bulk allele count table of the bulk path.
``qc``
    Cells, fragments per cell, FRiP per cell, barcode ranks, fragment lengths.
"""
