"""Snakemake wrapper: the dataset's peak set (MACS3 summit windows, or a given peak set normalised)."""
from deepallele.logutil import job_logging
from deepallele.reads.peaks import build_peak_set, read_chrom_sizes

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    sizes = read_chrom_sizes(sm.input.fai)
    given = sm.input.get("given")
    bed = build_peak_set(sm.output.bed, sizes, narrowpeak=sm.input.get("narrowpeak"), given=given,
                         width=sm.params.width)
    widths = (bed["end"] - bed["start"])
    log.info("%d peaks from %s (%s); widths %d..%d bp", len(bed), given or sm.input.narrowpeak,
             "given peak set" if given else f"{sm.params.width} bp windows around MACS3 summits",
             widths.min(), widths.max())
