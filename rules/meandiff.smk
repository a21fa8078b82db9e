# The classical motif baseline (Fig S7): FIMO (memelite) over both alleles of the held-out
# sequences against JASPAR 2020 (rule jaspar_meme), per-motif delta scores, the MeanDiff /
# correlation / MAGGIE-style tests with BH over all motifs, Fig S7 panels, a comparison with
# DeepAllele's main variants (when the interpretation stage has written them), validation
# against the simulator's grammar, and the scan benchmark at the paper's size.
# Include after rules/common.smk (JASPAR_MEME) and rules/dataset_common.smk (pairs_h5);
# it includes its own helpers (rules/meandiff_common.smk).


include: "meandiff_common.smk"


rule meandiff_scan:
    input:
        h5=lambda wc: pairs_h5(wc.dataset),
        meme=JASPAR_MEME,
    output:
        scan="results/{dataset}/meandiff/scan.npz",
    params:
        split=meandiff_setting("split"),
        fimo_alpha=meandiff_setting("fimo_alpha"),
        bin_size=meandiff_setting("bin_size"),
        eps=meandiff_setting("eps"),
    log:
        "results/logs/meandiff_scan/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/meandiff_scan/{dataset}.tsv"
    conda:
        "../envs/python.yaml"
    # numba parallelises FIMO over motifs
    threads: 2
    resources:
        mem_mb=6000,
        runtime=60,
    script:
        "../scripts/meandiff_scan.py"


rule meandiff_tests:
    input:
        scan="results/{dataset}/meandiff/scan.npz",
    output:
        tests="results/{dataset}/meandiff/motif_tests.tsv",
        sequences="results/{dataset}/meandiff/sequence_effects.tsv",
    params:
        alpha=meandiff_setting("alpha"),
        affected=meandiff_setting("affected_ln_ratio"),
        halve_p=meandiff_setting("halve_p"),
        method=meandiff_setting("method"),
    log:
        "results/logs/meandiff_tests/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/meandiff_tests/{dataset}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/meandiff_tests.py"


# The same scan and tests over every peak of a simulated dataset, for the validation only: the
# configured split (the held-out peaks DeepAllele is compared on) can be too small to have power
# (the demo's test split has ~100 peaks), and a classical motif test needs no held-out data.
use rule meandiff_scan as meandiff_scan_all_peaks with:
    output:
        scan="results/{dataset}/meandiff/all_peaks/scan.npz",
    params:
        split="all",
        fimo_alpha=meandiff_setting("fimo_alpha"),
        bin_size=meandiff_setting("bin_size"),
        eps=meandiff_setting("eps"),
    log:
        "results/logs/meandiff_scan_all_peaks/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/meandiff_scan_all_peaks/{dataset}.tsv"


use rule meandiff_tests as meandiff_tests_all_peaks with:
    input:
        scan="results/{dataset}/meandiff/all_peaks/scan.npz",
    output:
        tests="results/{dataset}/meandiff/all_peaks/motif_tests.tsv",
        sequences="results/{dataset}/meandiff/all_peaks/sequence_effects.tsv",
    log:
        "results/logs/meandiff_tests_all_peaks/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/meandiff_tests_all_peaks/{dataset}.tsv"


rule figure_meandiff:
    input:
        unpack(lambda wc: meandiff_main_variants(wc.dataset)),
        tests="results/{dataset}/meandiff/motif_tests.tsv",
        sequences="results/{dataset}/meandiff/sequence_effects.tsv",
        meme=JASPAR_MEME,
    output:
        motifs=multiext("results/{dataset}/figures/figS7_motifs", ".pdf", ".tsv"),
        motifs_png=report(
            "results/{dataset}/figures/figS7_motifs.png",
            caption="../report/figures/figS7_motifs.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7a,b"},
        ),
        effects=multiext("results/{dataset}/figures/figS7_effects", ".pdf", ".tsv"),
        effects_png=report(
            "results/{dataset}/figures/figS7_effects.png",
            caption="../report/figures/figS7_effects.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7c,d"},
        ),
        pie=multiext("results/{dataset}/figures/figS7_pie", ".pdf", ".tsv"),
        pie_png=report(
            "results/{dataset}/figures/figS7_pie.png",
            caption="../report/figures/figS7_pie.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7e,f"},
        ),
        comparison="results/{dataset}/meandiff/comparison.tsv",
    params:
        alpha=meandiff_setting("alpha"),
        method=meandiff_setting("method"),
        label=f"{meandiff_setting('split')} peaks",
    log:
        "results/logs/figure_meandiff/{dataset}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/meandiff_figures.py"


# Fig S7 over every peak, next to the validation's all-peaks tests (simulated datasets).
use rule figure_meandiff as figure_meandiff_all_peaks with:
    input:
        unpack(lambda wc: meandiff_main_variants(wc.dataset)),
        tests="results/{dataset}/meandiff/all_peaks/motif_tests.tsv",
        sequences="results/{dataset}/meandiff/all_peaks/sequence_effects.tsv",
        meme=JASPAR_MEME,
    output:
        motifs=multiext("results/{dataset}/figures/figS7_all_peaks_motifs", ".pdf", ".tsv"),
        motifs_png=report(
            "results/{dataset}/figures/figS7_all_peaks_motifs.png",
            caption="../report/figures/figS7_all_peaks_motifs.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7a,b (all peaks)"},
        ),
        effects=multiext("results/{dataset}/figures/figS7_all_peaks_effects", ".pdf", ".tsv"),
        effects_png=report(
            "results/{dataset}/figures/figS7_all_peaks_effects.png",
            caption="../report/figures/figS7_all_peaks_effects.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7c,d (all peaks)"},
        ),
        pie=multiext("results/{dataset}/figures/figS7_all_peaks_pie", ".pdf", ".tsv"),
        pie_png=report(
            "results/{dataset}/figures/figS7_all_peaks_pie.png",
            caption="../report/figures/figS7_all_peaks_pie.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7e,f (all peaks)"},
        ),
        comparison="results/{dataset}/meandiff/all_peaks/comparison.tsv",
    params:
        alpha=meandiff_setting("alpha"),
        method=meandiff_setting("method"),
        label="all peaks",
    log:
        "results/logs/figure_meandiff_all_peaks/{dataset}.log",


rule validate_meandiff:
    input:
        tests="results/{dataset}/meandiff/motif_tests.tsv",
        sequences="results/{dataset}/meandiff/sequence_effects.tsv",
        tests_all="results/{dataset}/meandiff/all_peaks/motif_tests.tsv",
        sequences_all="results/{dataset}/meandiff/all_peaks/sequence_effects.tsv",
        meme=JASPAR_MEME,
    output:
        table=report(
            "results/{dataset}/validation/meandiff.tsv",
            caption="../report/tables/validation_meandiff.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "MeanDiff"},
        ),
    wildcard_constraints:
        dataset="|".join(SIMULATED_DATASETS) or "NONE",
    params:
        planted=lambda wc: planted_motifs(wc.dataset),
        method=meandiff_setting("method"),
        similar_max_p=meandiff_setting("similar_max_p"),
    log:
        "results/logs/validate_meandiff/{dataset}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/meandiff_validate.py"


rule benchmark_meandiff:
    input:
        meme=JASPAR_MEME,
    output:
        table="results/benchmarks/meandiff.tsv",
    params:
        n_pairs=config["meandiff"]["benchmark"]["n_pairs"],
        length=config["meandiff"]["benchmark"]["length"],
    log:
        "results/logs/benchmark_meandiff.log",
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=30,
    script:
        "../scripts/meandiff_benchmark.py"
