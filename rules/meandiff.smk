# The classical motif baseline (Fig S7): FIMO (memelite) over both alleles of the held-out
# sequences against JASPAR 2020 (rule jaspar_meme), per-motif delta scores, the MeanDiff /
# correlation / MAGGIE-style tests with BH over all motifs, Fig S7 panels, a comparison with
# DeepAllele's main variants (when the interpretation stage has written them), validation
# against the simulator's grammar, and the scan benchmark at the paper's size
# (docs/methods.md, "MeanDiff"). Helpers: rules/meandiff_common.smk.


rule meandiff_scan:
    input:
        h5=PAIRS_H5,
        meme=JASPAR_MEME,
    output:
        scan=MEANDIFF_SCAN,
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
        scan=MEANDIFF_SCAN,
    output:
        tests=MEANDIFF_TESTS,
        sequences=MEANDIFF_SEQUENCES,
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
        scan=MEANDIFF_ALL_PEAKS_SCAN,
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
        scan=MEANDIFF_ALL_PEAKS_SCAN,
    output:
        tests=MEANDIFF_ALL_PEAKS_TESTS,
        sequences=MEANDIFF_ALL_PEAKS_SEQUENCES,
    log:
        "results/logs/meandiff_tests_all_peaks/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/meandiff_tests_all_peaks/{dataset}.tsv"


rule figure_meandiff:
    input:
        unpack(lambda wc: meandiff_main_variants(wc.dataset)),
        tests=MEANDIFF_TESTS,
        sequences=MEANDIFF_SEQUENCES,
        meme=JASPAR_MEME,
    output:
        motifs=multiext(figure("figS7_motifs"), ".pdf", ".tsv"),
        motifs_png=report(
            figure("figS7_motifs", "png"),
            caption="../report/figures/figS7_motifs.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7a,b"},
        ),
        effects=multiext(figure("figS7_effects"), ".pdf", ".tsv"),
        effects_png=report(
            figure("figS7_effects", "png"),
            caption="../report/figures/figS7_effects.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7c,d"},
        ),
        pie=multiext(figure("figS7_pie"), ".pdf", ".tsv"),
        pie_png=report(
            figure("figS7_pie", "png"),
            caption="../report/figures/figS7_pie.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7e,f"},
        ),
        comparison=MEANDIFF_COMPARISON,
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
        tests=MEANDIFF_ALL_PEAKS_TESTS,
        sequences=MEANDIFF_ALL_PEAKS_SEQUENCES,
        meme=JASPAR_MEME,
    output:
        motifs=multiext(figure("figS7_all_peaks_motifs"), ".pdf", ".tsv"),
        motifs_png=report(
            figure("figS7_all_peaks_motifs", "png"),
            caption="../report/figures/figS7_all_peaks_motifs.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7a,b (all peaks)"},
        ),
        effects=multiext(figure("figS7_all_peaks_effects"), ".pdf", ".tsv"),
        effects_png=report(
            figure("figS7_all_peaks_effects", "png"),
            caption="../report/figures/figS7_all_peaks_effects.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7c,d (all peaks)"},
        ),
        pie=multiext(figure("figS7_all_peaks_pie"), ".pdf", ".tsv"),
        pie_png=report(
            figure("figS7_all_peaks_pie", "png"),
            caption="../report/figures/figS7_all_peaks_pie.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S7e,f (all peaks)"},
        ),
        comparison=MEANDIFF_ALL_PEAKS_COMPARISON,
    params:
        alpha=meandiff_setting("alpha"),
        method=meandiff_setting("method"),
        label="all peaks",
    log:
        "results/logs/figure_meandiff_all_peaks/{dataset}.log",


rule validate_meandiff:
    input:
        tests=MEANDIFF_TESTS,
        sequences=MEANDIFF_SEQUENCES,
        tests_all=MEANDIFF_ALL_PEAKS_TESTS,
        sequences_all=MEANDIFF_ALL_PEAKS_SEQUENCES,
        meme=JASPAR_MEME,
    output:
        table=report(
            VALIDATION_MEANDIFF,
            caption="../report/tables/validation_meandiff.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "MeanDiff"},
        ),
    wildcard_constraints:
        dataset="|".join(SIMULATED_DATASETS) or "NONE",
    params:
        # the grammar's factors, named as validation names them (truth names; scripts/meandiff_validate.py)
        sim=lambda wc: simulated_dataset_params(wc.dataset),
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
        table=MEANDIFF_BENCHMARK,
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
