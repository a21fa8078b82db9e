"""Dedup -> Tn5 shift -> MACS3 peaks -> allele counts -> bigWigs, run by Snakemake with real tools.

Hand-built allele BAMs (2 samples x 2 alleles, ~2,600 read pairs around 10 known centres plus
background, in reference coordinates) are placed where the assignment stage writes them; the
test knows every fragment, so it predicts the counts exactly: duplicates removed by Picard,
the blacklisted pair gone with both mates, each fragment's reads shifted (forward read
[start + 4, start + 50), reverse read [end - 50, end - 5)) and counted when an aligned base of
either read overlaps a peak (counts.mode: reads, the default).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest
import yaml

from deepallele.reads.counts import COUNT_COLUMNS, LONG_COLUMNS
from deepallele.reads.dedup import read_markduplicates_metrics

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "tests/workflow/data/Snakefile_counts"
TOOLS = ["PicardCommandLine", "samtools", "bedtools", "macs3", "bamCoverage"]
VENV_BIN = str(Path(sys.executable).parent)
ENV = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", "")}
pytestmark = pytest.mark.skipif(any(shutil.which(t, path=ENV["PATH"]) is None for t in TOOLS),
                                reason=f"needs {', '.join(TOOLS)} on PATH")

DATASET = "atac_test"
SAMPLES = ["S1", "S2"]
CONTIGS = {"chr1": 60000, "chr2": 40000, "chrM": 2000}
CENTRES = [("chr1", 5000), ("chr1", 12000), ("chr1", 19000), ("chr1", 26000), ("chr1", 44000),
           ("chr1", 52000), ("chr2", 6000), ("chr2", 14000), ("chr2", 24000), ("chr2", 31000)]
REF_BIASED = set(range(5))       # centres 0-4 are 80% ref, 5-9 are 20% ref
BLACKLIST = ("chr2", 37000, 37100)
READ_LEN = 50
N_DUPLICATES = 25                # exact duplicate pairs planted in S1.ref
WIDTH = 200


def _snakemake(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), *args],
                          capture_output=True, text=True, cwd=cwd, env=ENV)


def _fragments(rng) -> dict[tuple[str, str], list[tuple]]:
    """(sample, allele) -> fragments (name, chrom, start, end, read1_forward), unique per BAM."""
    frags = {(s, a): [] for s in SAMPLES for a in ("ref", "alt")}
    used = {k: set() for k in frags}

    def add(key, name, chrom, start, end, read1_forward):
        if (chrom, start, end) in used[key]:
            return False
        used[key].add((chrom, start, end))
        frags[key].append((name, chrom, start, end, read1_forward))
        return True

    for s in SAMPLES:
        for i, (chrom, centre) in enumerate(CENTRES):
            p_ref = 0.8 if i in REF_BIASED else 0.2
            n = 0
            while n < 110:
                length = int(rng.integers(100, 250))
                start = int(round(centre + rng.normal(0, 40) - length / 2))
                allele = "ref" if rng.random() < p_ref else "alt"
                n += add((s, allele), f"{s}_c{i}_{n}", chrom, start, start + length, bool(rng.random() < 0.5))
        n = 0
        while n < 200:  # background, away from the contig ends, the shift pairs and the blacklist
            chrom = "chr1" if rng.random() < 0.6 else "chr2"
            length = int(rng.integers(100, 250))
            start = int(rng.integers(500, CONTIGS[chrom] - 800))
            if chrom == "chr2" and 36000 < start < 38000 or chrom == "chr1" and 29000 < start < 36000:
                continue
            n += add((s, "ref" if rng.random() < 0.5 else "alt"), f"{s}_bg{n}", chrom, start, start + length,
                     bool(rng.random() < 0.5))
    s1 = frags[("S1", "ref")]
    s1 += [("shift_r1fwd", "chr1", 30000, 30200, True),      # read1 forward, read2 reverse
           ("shift_r1rev", "chr1", 35000, 35150, False),     # read2 forward, read1 reverse
           ("blacklisted", "chr2", 36900, 37080, True)]      # reverse mate overlaps the blacklist
    return frags


def _write_allele_bam(path: Path, frags: list[tuple], genome: dict[str, str], duplicates: list[tuple]) -> None:
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": c, "LN": n} for c, n in CONTIGS.items()]}
    tid = {c: i for i, c in enumerate(CONTIGS)}
    qual = pysam.qualitystring_to_array("I" * READ_LEN)
    unsorted = path.with_suffix(".unsorted.bam")
    with pysam.AlignmentFile(str(unsorted), "wb", header=header) as out:
        for name, chrom, start, end, read1_forward in [*frags, *duplicates]:
            tlen = end - start
            for fwd in (True, False):
                r = pysam.AlignedSegment()
                r.query_name = name
                is_read1 = fwd == read1_forward
                r.flag = 0x1 | 0x2 | (0x40 if is_read1 else 0x80) | (0x20 if fwd else 0x10)
                r.reference_id = r.next_reference_id = tid[chrom]
                r.reference_start = start if fwd else end - READ_LEN
                r.next_reference_start = end - READ_LEN if fwd else start
                r.mapping_quality = 40
                r.cigartuples = [(0, READ_LEN)]
                r.query_sequence = genome[chrom][r.reference_start:r.reference_start + READ_LEN]
                r.query_qualities = qual
                r.template_length = tlen if fwd else -tlen
                r.set_tag("MC", f"{READ_LEN}M")
                out.write(r)
    pysam.sort("-o", str(path), str(unsorted))
    pysam.index(str(path))
    unsorted.unlink()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("counts_rules")
    rng = np.random.default_rng(11)
    genome = {c: "".join(rng.choice(list("ACGT"), n)) for c, n in CONTIGS.items()}
    ref = tmp / "ref.fa"
    ref.write_text("".join(f">{c}\n" + "\n".join(s[i:i + 60] for i in range(0, len(s), 60)) + "\n"
                           for c, s in genome.items()))
    pysam.faidx(str(ref))
    vcf = tmp / "strain.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n" + "".join(f"##contig=<ID={c},length={n}>\n" for c, n in CONTIGS.items())
                   + '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCAST\n"
                   f"chr1\t101\t.\t{genome['chr1'][100]}\t{'A' if genome['chr1'][100] != 'A' else 'C'}"
                   "\t.\tPASS\t.\tGT\t1/1\n")
    pysam.tabix_compress(str(vcf), str(vcf) + ".gz")
    pysam.tabix_index(str(vcf) + ".gz", preset="vcf")
    for s in SAMPLES:
        for mate in (1, 2):
            (tmp / f"{s}_{mate}.fq.gz").write_bytes(b"")
    sheet = tmp / "samples.tsv"
    sheet.write_text("sample\tunit\tfastq_1\tfastq_2\n" + "".join(f"{s}\tL001\t{s}_1.fq.gz\t{s}_2.fq.gz\n" for s in SAMPLES))
    blacklist = tmp / "blacklist.bed"
    blacklist.write_text("\t".join(map(str, BLACKLIST)) + "\n")

    frags = _fragments(rng)
    work = tmp / "work"
    (work / f"results/{DATASET}/alleles").mkdir(parents=True)
    centre_frags = [f for f in frags[("S1", "ref")] if "_c" in f[0]]
    duplicates = [(f"dup{k}", *f[1:]) for k, f in enumerate(centre_frags[:N_DUPLICATES])]
    for (s, a), fr in frags.items():
        _write_allele_bam(work / f"results/{DATASET}/alleles/{s}.{a}.bam", fr, genome,
                          duplicates if (s, a) == ("S1", "ref") else [])
    config = {
        "threads": {"samtools": 1, "deeptools": 1},
        "duplicates": {"java_opts": "-Xmx1g", "blacklist": str(blacklist)},
        "peaks": {"macs3": "--keep-dup all", "qvalue": 0.01},
        "tracks": {"bin_size": 50, "normalize": "CPM"},
        "genomes": {"g": {"reference_fasta": str(ref), "strain_vcf": str(vcf) + ".gz"}},
        "datasets": {DATASET: {"genome": "g", "assay": "atac", "samples": str(sheet), "peak_width": WIDTH}},
    }
    cfg = tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    return {"tmp": tmp, "work": work, "config": config, "cfg": cfg, "frags": frags}


@pytest.fixture(scope="module")
def run(setup):
    res = _snakemake("--directory", str(setup["work"]), "--configfile", str(setup["cfg"]), "--cores", "2",
                     cwd=setup["tmp"])
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    return setup


def test_lint_is_clean(setup):
    res = _snakemake("--lint", "--directory", str(setup["work"]), "--configfile", str(setup["cfg"]), cwd=setup["tmp"])
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Congratulations" in res.stdout + res.stderr


def _pairs(bam_path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    with pysam.AlignmentFile(str(bam_path)) as bam:
        for r in bam.fetch(until_eof=True):
            out.setdefault(r.query_name, []).append(r)
    return out


def test_picard_removed_planted_duplicates_and_blacklisted_pair(run):
    work, frags = run["work"], run["frags"]
    m = read_markduplicates_metrics(work / f"results/{DATASET}/dedup/S1.ref.metrics.txt")
    n_in = len(frags[("S1", "ref")]) + N_DUPLICATES
    assert m["READ_PAIRS_EXAMINED"] == n_in
    assert m["READ_PAIR_DUPLICATES"] == N_DUPLICATES
    assert m["PERCENT_DUPLICATION"] == pytest.approx(N_DUPLICATES / n_in, abs=1e-5)
    assert read_markduplicates_metrics(work / f"results/{DATASET}/dedup/S2.alt.metrics.txt")["READ_PAIR_DUPLICATES"] == 0
    dedup = work / f"results/{DATASET}/dedup/S1.ref.bam"
    assert Path(str(dedup) + ".bai").exists()
    pairs = _pairs(dedup)
    assert len(pairs) == n_in - N_DUPLICATES - 1
    assert all(len(reads) == 2 for reads in pairs.values())          # no orphans
    assert "blacklisted" not in pairs                                  # both mates gone
    assert "shift_r1fwd" in pairs


def test_shifted_bam_sorted_indexed_and_shifted(run):
    path = run["work"] / f"results/{DATASET}/shifted/S1.ref.bam"
    assert Path(str(path) + ".bai").exists()
    assert not (run["work"] / f"results/{DATASET}/shifted/S1.ref.unsorted.bam").exists()  # temp removed
    with pysam.AlignmentFile(str(path)) as bam:
        assert bam.header.to_dict()["HD"]["SO"] == "coordinate"
        keys = [(r.reference_id, r.reference_start) for r in bam.fetch(until_eof=True)]
        assert keys == sorted(keys)
        reads = {(r.query_name, r.is_read1): r for r in bam.fetch("chr1", 29900, 35300)}
    fwd1, rev2 = reads[("shift_r1fwd", True)], reads[("shift_r1fwd", False)]
    assert (fwd1.is_reverse, fwd1.reference_start) == (False, 30000 + 4)      # forward 5' end +4
    assert (rev2.is_reverse, rev2.reference_end) == (True, 30200 - 5)         # reverse 5' end -5
    rev1, fwd2 = reads[("shift_r1rev", True)], reads[("shift_r1rev", False)]
    assert (rev1.is_reverse, rev1.reference_end) == (True, 35150 - 5)
    assert (fwd2.is_reverse, fwd2.reference_start) == (False, 35000 + 4)
    assert fwd1.template_length == 30200 - 5 - 30004 and fwd1.next_reference_start == rev2.reference_start
    summary = json.loads((run["work"] / f"results/{DATASET}/shifted/S1.ref.shift.json").read_text())
    assert summary["pairs"] == len(_pairs(run["work"] / f"results/{DATASET}/dedup/S1.ref.bam"))
    assert summary["orphan_reads"] == summary["reads_differing_from_alignmentsieve"] == 0


def _peaks(run) -> pd.DataFrame:
    return pd.read_csv(run["work"] / f"results/{DATASET}/peaks/peaks.bed", sep="\t", header=None,
                       names=["chrom", "start", "end", "name", "score", "strand"])


def test_peaks_are_fixed_width_windows_on_the_centres(run):
    assert (run["work"] / f"results/{DATASET}/peaks/macs3/{DATASET}_peaks.narrowPeak").stat().st_size > 0
    assert int((run["work"] / f"results/{DATASET}/peaks/effective_genome_size.txt").read_text()) == 100000  # no chrM
    peaks = _peaks(run)
    assert len(peaks) >= len(CENTRES)
    assert ((peaks["end"] - peaks["start"]) == WIDTH).all()
    assert (peaks["name"] == peaks["chrom"] + "-" + peaks["start"].astype(str) + "-" + peaks["end"].astype(str)).all()
    for chrom, centre in CENTRES:
        near = peaks[(peaks["chrom"] == chrom) & (peaks["start"] < centre + 100) & (peaks["end"] > centre - 100)]
        assert len(near) >= 1, (chrom, centre)
    order = peaks["chrom"].map({c: i for i, c in enumerate(CONTIGS)})
    assert list(zip(order, peaks["start"])) == sorted(zip(order, peaks["start"]))
    # windows do not overlap
    for _, grp in peaks.groupby("chrom"):
        assert (grp["start"].to_numpy()[1:] >= grp["end"].to_numpy()[:-1]).all()


def _read_blocks(s, e, shift=True):
    """The two reads' reference blocks of a fragment [s, e), Tn5-shifted or not."""
    return ((s + 4, s + READ_LEN), (e - READ_LEN, e - 5)) if shift else ((s, s + READ_LEN), (e - READ_LEN, e))


def _hits(blocks, chrom, c, ps, pe):
    return c == chrom and any(bs < pe and be > ps for bs, be in blocks)


def _expected_counts(run, peaks: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    out = {}
    for key, frags in run["frags"].items():
        kept = [(c, _read_blocks(s, e)) for name, c, s, e, _ in frags if name != "blacklisted"]
        counts = np.zeros(len(peaks), dtype=int)
        for i, (chrom, ps, pe) in enumerate(zip(peaks["chrom"], peaks["start"], peaks["end"])):
            counts[i] = sum(1 for c, blocks in kept if _hits(blocks, chrom, c, ps, pe))
        out[key] = counts
    return out


def test_counts_exact(run):
    work = run["work"]
    peaks = _peaks(run)
    wide = pd.read_csv(work / f"results/{DATASET}/counts/allele_counts.tsv", sep="\t")
    long = pd.read_csv(work / f"results/{DATASET}/counts/allele_counts_per_sample.tsv", sep="\t")
    assert list(wide.columns) == COUNT_COLUMNS
    assert list(long.columns) == LONG_COLUMNS
    assert wide["ref_count"].dtype.kind == "i" and wide["alt_count"].dtype.kind == "i"
    assert long["count"].dtype.kind == "i"
    assert wide["peak"].tolist() == peaks["name"].tolist()
    expected = _expected_counts(run, peaks)
    for s in SAMPLES:
        for a in ("ref", "alt"):
            got = long[(long["sample"] == s) & (long["allele"] == a)]["count"].to_numpy()
            assert got.tolist() == expected[(s, a)].tolist(), (s, a)
    ref = expected[("S1", "ref")] + expected[("S2", "ref")]
    alt = expected[("S1", "alt")] + expected[("S2", "alt")]
    assert wide["ref_count"].tolist() == ref.tolist()
    assert wide["alt_count"].tolist() == alt.tolist()
    assert wide["ln_ratio"].to_numpy() == pytest.approx(np.log((1 + ref) / (1 + alt)), abs=1e-6)
    # direction of the planted imbalance
    for i, (chrom, centre) in enumerate(CENTRES):
        row = wide[(wide["chrom"] == chrom) & (wide["start"] <= centre) & (wide["end"] > centre)]
        if len(row):
            assert (row["ln_ratio"].iloc[0] > 0) == (i in REF_BIASED), (chrom, centre)
    log = (work / f"results/logs/allele_counts/{DATASET}.log").read_text()
    assert "FRiP" in log and "counting mode: reads" in log
    modes = pd.read_csv(work / f"results/{DATASET}/counts/count_modes.tsv", sep="\t")
    assert modes["mode"].unique().tolist() == ["reads", "cutsites", "span"]
    assert modes[modes["mode"] == "reads"]["ref_count"].tolist() == ref.tolist()
    span = modes[modes["mode"] == "span"]
    assert (span["ref_count"].to_numpy() >= ref).all()


def test_bigwigs_open(run):
    import pyBigWig

    chrom, centre = CENTRES[0]   # ref-biased
    means = {}
    for allele in ("ref", "alt"):
        path = run["work"] / f"results/{DATASET}/tracks/{allele}.bw"
        bw = pyBigWig.open(str(path))
        assert bw.isBigWig()
        assert bw.chroms() == CONTIGS
        means[allele] = bw.stats(chrom, centre - 100, centre + 100)[0]
        bw.close()
    assert means["ref"] > means["alt"] > 0
    assert not (run["work"] / f"results/{DATASET}/tracks/ref.pooled.bam").exists()   # temp removed
    assert (run["work"] / f"results/benchmarks/jobs/mark_duplicates/{DATASET}/S1.ref.tsv").exists()


def test_rerun_is_a_no_op(run):
    res = _snakemake("-n", "--directory", str(run["work"]), "--configfile", str(run["cfg"]), cwd=run["tmp"])
    assert res.returncode == 0, res.stderr
    assert "Nothing to be done" in res.stdout + res.stderr


def test_empty_given_peak_set_fails_naming_the_file(setup, tmp_path):
    empty = tmp_path / "empty_peaks.bed"
    empty.write_text("# no peaks\n")
    config = yaml.safe_load(yaml.safe_dump(setup["config"]))
    config["datasets"][DATASET]["peaks"] = str(empty)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    work = tmp_path / "work"
    res = _snakemake("--directory", str(work), "--configfile", str(cfg), "--cores", "1",
                     f"results/{DATASET}/peaks/peaks.bed", cwd=tmp_path)
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "peak_windows" in out
    log = (work / f"results/logs/peak_windows/{DATASET}.log").read_text()
    assert f"{empty}: the peak set is empty" in log
    assert str(empty) in out
    assert not (work / f"results/{DATASET}/peaks/peaks.bed").exists()


@pytest.fixture(scope="module")
def chip_run(setup, tmp_path_factory):
    """The other branches: ChIP (no shift), one sample (no pooling), no blacklist, a given SAF
    peak set (no MACS3), RPGC tracks (effective genome size)."""
    tmp = tmp_path_factory.mktemp("chip_rules")
    sheet = tmp / "samples.tsv"
    for mate in (1, 2):
        (tmp / f"S1_{mate}.fq.gz").write_bytes(b"")
    sheet.write_text("sample\tunit\tfastq_1\tfastq_2\nS1\tL001\tS1_1.fq.gz\tS1_2.fq.gz\n")
    saf = tmp / "given.saf"
    saf.write_text("GeneID\tChr\tStart\tEnd\tStrand\n"
                   + "".join(f"ocr{i}\t{c}\t{x - 149}\t{x + 150}\t+\n" for i, (c, x) in enumerate(CENTRES[::-1])))
    config = yaml.safe_load(yaml.safe_dump(setup["config"]))
    config["duplicates"]["blacklist"] = ""
    config["tracks"]["normalize"] = "RPGC"
    config["datasets"] = {"chip_test": {"genome": "g", "assay": "chip", "samples": str(sheet), "peaks": str(saf)}}
    cfg = tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))
    work = tmp / "work"
    (work / "results/chip_test/alleles").mkdir(parents=True)
    for a in ("ref", "alt"):
        for suffix in (".bam", ".bam.bai"):
            shutil.copy(setup["work"] / f"results/{DATASET}/alleles/S1.{a}{suffix}", work / f"results/chip_test/alleles/S1.{a}{suffix}")
    res = _snakemake("--directory", str(work), "--configfile", str(cfg), "--cores", "2", "-p", cwd=tmp)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    return {"work": work, "out": res.stdout + res.stderr, "frags": setup["frags"]}


def test_chip_branches(chip_run):
    work, out = chip_run["work"], chip_run["out"]
    for absent in ("tn5_shift", "call_peaks", "pool_allele_bams"):
        assert f"rule {absent}:" not in out
    assert "--effectiveGenomeSize $(cat results/chip_test/peaks/effective_genome_size.txt)" in out
    assert "normalization: 1x (effective genome size 100000)" in (work / "results/logs/bigwig/chip_test/ref.log").read_text()
    assert not list((work / "results/chip_test/dedup").glob("*.marked.bam"))
    peaks = pd.read_csv(work / "results/chip_test/peaks/peaks.bed", sep="\t", header=None)
    assert peaks[3].tolist() == [f"ocr{i}" for i in range(9, -1, -1)]        # FASTA order, given names
    assert ((peaks[2] - peaks[1]) == 300).all()                               # own coordinates, SAF -> BED
    wide = pd.read_csv(work / "results/chip_test/counts/allele_counts.tsv", sep="\t")
    # unshifted fragments; the blacklisted pair stays (no blacklist configured)
    for col, allele in (("ref_count", "ref"), ("alt_count", "alt")):
        frags = chip_run["frags"][("S1", allele)]
        expected = [sum(1 for _, c, s, e, _ in frags if _hits(_read_blocks(s, e, shift=False), pc, c, ps, pe))
                    for pc, ps, pe in zip(peaks[0], peaks[1], peaks[2])]
        assert wide[col].tolist() == expected
    m = read_markduplicates_metrics(work / "results/chip_test/dedup/S1.ref.metrics.txt")
    assert m["READ_PAIR_DUPLICATES"] == N_DUPLICATES
    import pyBigWig

    bw = pyBigWig.open(str(work / "results/chip_test/tracks/ref.bw"))
    assert bw.chroms() == CONTIGS
    bw.close()
