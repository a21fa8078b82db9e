# The workflow's file layout: every path a rule writes, or reads from another rule, spelled once.
#
# A pattern's wildcards are the producing rule's ({dataset}, {sample}, {allele}, ...). The producer
# names the pattern as its output, a consumer with the same wildcards as its input, and a helper
# fills it for one file, e.g. fill(PAIRS_H5, dataset=ds). Keys that tell sibling files apart
# ({mate}, {ext}, {kind}, {read}, {method}) are filled in the producer too, the others kept as
# wildcards, e.g. fill(TRIMMED_FASTQ, mate=1). An index (.bai, .fai, .tbi) is its file's path + suffix.
#
# Only log: and benchmark: files stay in their rule, unless another rule reads them (named here).
# tests/workflow/test_rule_layout.py checks that no path under results/ or resources/ is spelled
# outside this file (logs and benchmarks aside) and none twice. The package names the paths that
# the config check needs before any job runs (downloads, prepared genomes, run FASTQs and tables:
# deepallele.workflow); the patterns below take them from there.
#
# Functions and constants only, no rules (`snakemake --lint`); nothing here reads a helper of
# another file, so it can be included anywhere before the rules (rules/common.smk includes it).
import re

from deepallele import workflow as daw


def fill(pattern, **values):
    """``pattern`` with the named wildcards filled in (``{name}`` -> value); the others stay wildcards."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), pattern)


def figure(name, ext=None, dataset="{dataset}"):
    """A figure's stem (for multiext) or, with ``ext`` (pdf, png, tsv), one of its files."""
    stem = fill(FIGURE, dataset=dataset, figure=name)
    return f"{stem}.{ext}" if ext else stem


# --- public resources, given inputs, SRA (downloads and prepared genomes: deepallele.workflow)

DOWNLOAD = daw.download_path("{resource}", "{filename}")
PREPARED_REFERENCE = daw.prepared_genome_file("{genome}", "reference.fa")
PREPARED_STRAIN_VCF = daw.prepared_genome_file("{genome}", "strain.vcf.gz")
PREPARED_VCF_SUMMARY = daw.prepared_genome_file("{genome}", "strain_vcf_summary.json")
RUNS_TABLE = daw.RUNS_TABLE
RUN_FASTQ_1, RUN_FASTQ_2 = daw.run_fastq_paths("{run}")
SRA_FILE = "resources/sra/{accession}/{accession}.sra"
SRA_FASTQ = "resources/sra/{accession}_{mate}.fastq.gz"
# JASPAR 2020 CORE vertebrates non-redundant, from rule jaspar_meme; read by MeanDiff, TomTom, the simulator's checks
JASPAR_MEME = "resources/motifs/JASPAR2020_CORE_vertebrates_non-redundant.meme"

# --- pseudogenome and bowtie2 indexes (beside the prepared genome files)

STRAIN_FASTA = daw.prepared_genome_file("{genome}", "strain.fa")
STRAIN_CHAIN = daw.prepared_genome_file("{genome}", "ref_to_strain.chain")
PSEUDOGENOME_SKIPPED = daw.prepared_genome_file("{genome}", "pseudogenome_skipped.tsv")
PSEUDOGENOME_SUMMARY = daw.prepared_genome_file("{genome}", "pseudogenome_summary.json")
# index prefix of one side (ref: the reference, strain: the pseudogenome)
BOWTIE2_INDEX = daw.prepared_genome_file("{genome}", "bowtie2/{side}")
BOWTIE2_INDEX_EXTS = (".1.bt2", ".2.bt2", ".3.bt2", ".4.bt2", ".rev.1.bt2", ".rev.2.bt2")

# --- simulator (config simulated_dir); its truth lies under .../truth/, apart from what the pipeline reads

SIM = daw.simulated_dir(config)
SIM_REFERENCE = f"{SIM}/genomes/{{genome}}/reference.fa"
SIM_STRAIN_VCF = f"{SIM}/genomes/{{genome}}/strain.vcf.gz"
SIM_GENOME_TRUTH_STRAIN = f"{SIM}/genomes/{{genome}}/truth/strain.fa"
SIM_GENOME_TRUTH_REGIONS = f"{SIM}/genomes/{{genome}}/truth/regions.tsv"
SIM_GENOME_TRUTH_VARIANTS = f"{SIM}/genomes/{{genome}}/truth/variants.tsv"
SIM_GENOME_TRUTH_SITES = f"{SIM}/genomes/{{genome}}/truth/sites.tsv"
SIM_GENOME_TRUTH_SUMMARY = f"{SIM}/genomes/{{genome}}/truth/summary.tsv"
SIM_SAMPLE_SHEET = f"{SIM}/datasets/{{dataset}}/samples.tsv"
SIM_KNOWN_PEAKS = f"{SIM}/datasets/{{dataset}}/known_peaks.bed"
SIM_FASTQ = f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_{{unit}}_R{{mate}}.fastq.gz"
SIM_TRUTH_REGIONS = f"{SIM}/datasets/{{dataset}}/truth/regions.tsv"
SIM_TRUTH_VARIANTS = f"{SIM}/datasets/{{dataset}}/truth/variants.tsv"
SIM_TRUTH_SITES = f"{SIM}/datasets/{{dataset}}/truth/sites.tsv"
SIM_TRUTH_READS = f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz"
SIM_NEW_SNVS = f"{SIM}/datasets/{{dataset}}/new_snvs.vcf.gz"
SIM_TRUTH_NEW_SNVS = f"{SIM}/datasets/{{dataset}}/truth/new_snvs.tsv"
# scATAC: 10x-named lanes ({read}: R1, R2 barcode, R3, I1), whitelist, cell types and their truth
SIM_SC_FASTQ = f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_S1_{{unit}}_{{read}}_001.fastq.gz"
SIM_SC_WHITELIST = f"{SIM}/datasets/{{dataset}}/whitelist.txt.gz"
SIM_SC_CELL_TYPES = f"{SIM}/datasets/{{dataset}}/cell_types.tsv"
SIM_TRUTH_CELLS = f"{SIM}/datasets/{{dataset}}/truth/cells.tsv"
SIM_TRUTH_PEAKS = f"{SIM}/datasets/{{dataset}}/truth/peaks.tsv"
SIM_TRUTH_FRAGMENTS = f"{SIM}/datasets/{{dataset}}/truth/fragments.tsv.gz"

# --- read stages: merged units, trimming, bowtie2 on both genomes, the allele split ({mate}: 1, 2)

MERGED_FASTQ = "results/{dataset}/fastq/{sample}_R{mate}.fastq.gz"
TRIMMED_FASTQ = "results/{dataset}/trimmed/{sample}_R{mate}.fastq.gz"
TRIMMING_REPORT = "results/{dataset}/trimmed/{sample}_R{mate}.trimming_report.txt"
RAW_ALIGNMENT = "results/{dataset}/align/{sample}.{side}.raw.bam"
SORTED_ALIGNMENT = "results/{dataset}/align/{sample}.{side}.sorted.bam"
ALIGNMENT_FILTER_STATS = "results/{dataset}/align/{sample}.{side}.filter.json"
# bowtie2's log and benchmark: read by the QC (genome_alignment_stats, reads_benchmark)
BOWTIE2_LOG = "results/logs/bowtie2/{dataset}/{sample}.{side}.log"
BOWTIE2_BENCHMARK = "results/benchmarks/jobs/bowtie2/{dataset}/{sample}.{side}.tsv"
# {kind}: ref, alt, ref_specific, alt_specific
UNSORTED_ALLELE_BAM = "results/{dataset}/alleles/{sample}.{kind}.unsorted.bam"
ALLELE_BAM = "results/{dataset}/alleles/{sample}.{allele}.bam"
SPLIT_SUMMARY = "results/{dataset}/alleles/{sample}.split.json"
SPLIT_BENCHMARK = "results/benchmarks/jobs/split_alleles/{dataset}/{sample}.tsv"

# --- duplicates, Tn5 shift, peaks, counts, tracks

DEDUP_BAM = "results/{dataset}/dedup/{sample}.{allele}.bam"
DEDUP_METRICS = "results/{dataset}/dedup/{sample}.{allele}.metrics.txt"
DEDUP_TMP = "results/{dataset}/dedup/tmp.{sample}.{allele}"
SHIFTED_UNSORTED_BAM = "results/{dataset}/shifted/{sample}.{allele}.unsorted.bam"
SHIFT_SUMMARY = "results/{dataset}/shifted/{sample}.{allele}.shift.json"
SHIFTED_BAM = "results/{dataset}/shifted/{sample}.{allele}.bam"
SHIFTED_SORT_TMP = "results/{dataset}/shifted/{sample}.{allele}.sort_tmp"
GENOME_SIZE = "results/{dataset}/peaks/effective_genome_size.txt"
MACS3_NARROWPEAK = "results/{dataset}/peaks/macs3/{dataset}_peaks.narrowPeak"
MACS3_SUMMITS = "results/{dataset}/peaks/macs3/{dataset}_summits.bed"
MACS3_XLS = "results/{dataset}/peaks/macs3/{dataset}_peaks.xls"
PEAKS = "results/{dataset}/peaks/peaks.bed"
COUNTS = "results/{dataset}/counts/allele_counts.tsv"
COUNTS_PER_SAMPLE = "results/{dataset}/counts/allele_counts_per_sample.tsv"
COUNT_MODES = "results/{dataset}/counts/count_modes.tsv"
POOLED_BAM = "results/{dataset}/tracks/{allele}.pooled.bam"
TRACK = "results/{dataset}/tracks/{allele}.bw"

# --- 10x scATAC: barcodes, fragments ({kind}: ref, alt, ties), matrices, QC

BARCODED_FASTQ = "results/{dataset}/barcodes/{sample}_{unit}_{read}.fastq.gz"
BARCODE_REPORT = "results/{dataset}/barcodes/{sample}_{unit}.json"
SC_BARCODES_BENCHMARK = "results/benchmarks/jobs/sc_barcodes/{dataset}/{sample}_{unit}.tsv"
FRAGMENTS = "results/{dataset}/fragments/{kind}.tsv.gz"
FRAGMENT_STATS = "results/{dataset}/fragments/stats.json"
SC_FRAGMENTS_BENCHMARK = "results/benchmarks/jobs/sc_fragments/{dataset}.tsv"
SC_MATRICES = "results/{dataset}/counts/matrices"
CELL_MATCH = "results/{dataset}/counts/cell_match.json"
SC_CELL_QC = "results/{dataset}/qc/scatac/cell_qc.tsv"
SC_BARCODE_TABLE = "results/{dataset}/qc/scatac/barcodes.tsv"
SC_FUNNEL = "results/{dataset}/qc/scatac/funnel.tsv"
SC_FRAGMENT_LENGTHS = "results/{dataset}/qc/scatac/fragment_lengths.tsv"
SC_BARCODE_RANK_PLOT = "results/{dataset}/qc/scatac/barcode_rank.png"
SC_FRAGMENT_LENGTHS_PLOT = "results/{dataset}/qc/scatac/fragment_lengths.png"
SC_BENCHMARK = "results/benchmarks/scatac_{dataset}.tsv"

# --- QC: read QC ({ext}: tsv, png, pdf), FastQC, samtools, MultiQC, versions

READS_QC = "results/{dataset}/qc/reads_qc.{ext}"
READS_BENCHMARK = "results/benchmarks/reads_{dataset}.tsv"
SOFTWARE_VERSIONS = "results/software_versions.tsv"
FASTQC_RAW = "results/{dataset}/qc/fastqc/raw/{sample}/{sample}.{unit}_R{mate}_fastqc.{ext}"
FASTQC_TRIMMED = "results/{dataset}/qc/fastqc/trimmed/{sample}_R{mate}_fastqc.{ext}"
# {ext}: stats.txt, flagstat.txt (and idxstats.txt for the allele BAMs)
GENOME_ALIGNMENT_STATS = "results/{dataset}/qc/samtools/{sample}.genome_{side}.{ext}"
GENOME_ALIGNMENT_BOWTIE2_LOG = "results/{dataset}/qc/bowtie2/{sample}.genome_{side}.bowtie2.log"
ALLELE_BAM_STATS = "results/{dataset}/qc/samtools/{sample}.{allele}.{ext}"
MULTIQC_CUSTOM = "results/{dataset}/qc/multiqc_custom"
MULTIQC_REPORT = "results/{dataset}/qc/multiqc/multiqc_report.html"
MULTIQC_DATA = "results/{dataset}/qc/multiqc/multiqc_report_data"

# --- paired-allele dataset

PAIRS_H5 = "results/{dataset}/data/pairs.h5"
PAIRS_SUMMARY = "results/{dataset}/data/pairs_summary.tsv"
AUTHORS_LAYOUT_H5 = "results/{dataset}/data/authors_layout.hdf5"

# --- models, evaluation, figures ({figure}: the stem; + .pdf, .png, .tsv), validation tables

MODEL_DIR = "results/{dataset}/models/{model}/seed{seed}"
CHECKPOINT = "results/{dataset}/models/{model}/seed{seed}/best.ckpt"
PREDICTIONS = "results/{dataset}/models/{model}/seed{seed}/predictions.tsv"
TRAIN_SUMMARY = "results/{dataset}/models/{model}/seed{seed}/train_summary.json"
HISTORY = "results/{dataset}/models/{model}/seed{seed}/history.tsv"
MODEL_WEIGHTS = "results/{dataset}/models/{model}/seed{seed}/model.safetensors"
MODEL_META = "results/{dataset}/models/{model}/seed{seed}/model.json"
PERFORMANCE = "results/{dataset}/metrics/performance.tsv"
PERFORMANCE_SUMMARY = "results/{dataset}/metrics/performance_summary.tsv"
FIGURE = "results/{dataset}/figures/{figure}"
TRAINING_BENCHMARK = "results/benchmarks/training.tsv"
VALIDATION_SIMULATION = "results/{dataset}/validation/simulation.tsv"
VALIDATION_READS = "results/{dataset}/validation/reads.tsv"
VALIDATION_SCATAC = "results/{dataset}/validation/scatac.tsv"
VALIDATION_DATASET = "results/{dataset}/validation/dataset.tsv"
VALIDATION_MODELS = "results/{dataset}/validation/model.tsv"
VALIDATION_MEANDIFF = "results/{dataset}/validation/meandiff.tsv"
VALIDATION_INTERPRETATION = "results/{dataset}/validation/interpretation.tsv"
VALIDATION_SCORE_VARIANTS = "results/{dataset}/validation/score_variants.tsv"

# --- MeanDiff: the configured split, and every peak (validation)

MEANDIFF_SCAN = "results/{dataset}/meandiff/scan.npz"
MEANDIFF_TESTS = "results/{dataset}/meandiff/motif_tests.tsv"
MEANDIFF_SEQUENCES = "results/{dataset}/meandiff/sequence_effects.tsv"
MEANDIFF_COMPARISON = "results/{dataset}/meandiff/comparison.tsv"
MEANDIFF_ALL_PEAKS_SCAN = "results/{dataset}/meandiff/all_peaks/scan.npz"
MEANDIFF_ALL_PEAKS_TESTS = "results/{dataset}/meandiff/all_peaks/motif_tests.tsv"
MEANDIFF_ALL_PEAKS_SEQUENCES = "results/{dataset}/meandiff/all_peaks/sequence_effects.tsv"
MEANDIFF_ALL_PEAKS_COMPARISON = "results/{dataset}/meandiff/all_peaks/comparison.tsv"
MEANDIFF_BENCHMARK = "results/benchmarks/meandiff.tsv"

# --- interpretation ({method}: ism, tism) and motifs ({cset}: deepallele, joint)

TRUSTED = "results/{dataset}/interpret/trusted.tsv"
VARIANT_EFFECTS = "results/{dataset}/interpret/variant_effects/{model}/seed{seed}.tsv"
ATTRIBUTIONS = "results/{dataset}/interpret/attributions/{model}/seed{seed}.{method}.npz"
# one log and benchmark per trained model, whichever of the two interpretation rules runs it
INTERPRET_MODEL_LOG = "results/logs/interpret_model/{dataset}/{model}/seed{seed}.log"
INTERPRET_MODEL_BENCHMARK = "results/benchmarks/jobs/interpret_model/{dataset}/{model}/seed{seed}.tsv"
MEAN_EFFECTS = "results/{dataset}/interpret/variant_effects/{model}.mean.tsv"
MAIN_EFFECTS = "results/{dataset}/interpret/variant_effects/{model}.main.tsv"
SEQLETS = "results/{dataset}/motifs/seqlets/{model}.tsv"
SEQLET_CWMS = "results/{dataset}/motifs/seqlets/{model}.npz"
CLUSTERS = "results/{dataset}/motifs/{cset}/clusters.tsv"
CLUSTER_SUMMARY = "results/{dataset}/motifs/{cset}/cluster_summary.tsv"
CLUSTER_CWMS = "results/{dataset}/motifs/{cset}/cluster_cwms.npz"
CLUSTER_PFMS = "results/{dataset}/motifs/{cset}/cluster_pfms.meme"
TOMTOM = "results/{dataset}/motifs/{cset}/tomtom.tsv"
CLUSTER_NAMES = "results/{dataset}/motifs/{cset}/cluster_names.tsv"
MOTIF_MAIN_VARIANTS = "results/{dataset}/interpret/{cset}/main_variants.tsv"
MOTIF_GROUPS = "results/{dataset}/interpret/{cset}/groups.tsv"
CLUSTER_GROUPS = "results/{dataset}/interpret/{cset}/cluster_groups.tsv"
MAIN_VARIANTS = "results/{dataset}/interpret/main_variants.tsv"
INTERPRET_BENCHMARK = "results/benchmarks/interpretation.tsv"

# --- scoring VCFs with trained models

SCORES_TSV = "results/{dataset}/score_variants/{vcf}/{model}.tsv"
SCORES_VCF = "results/{dataset}/score_variants/{vcf}/{model}.vcf.gz"
SCORE_BENCHMARK = "results/benchmarks/score_variants.tsv"
