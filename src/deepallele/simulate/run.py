"""Run the simulator: one genome (with the regions of every dataset on it), then each dataset's reads.

Outputs (``outdir`` is ``resources/simulated`` in the workflow)::

    genomes/<genome>/reference.fa(.fai)       what the pipeline reads
    genomes/<genome>/strain.vcf.gz(.tbi)
    genomes/<genome>/truth/strain.fa          the strain genome (to check the pseudogenome)
    genomes/<genome>/truth/summary.tsv
    datasets/<dataset>/samples.tsv            what the pipeline reads
    datasets/<dataset>/reads/*.fastq.gz
    datasets/<dataset>/known_peaks.bed        an optional given peak set
    genomes/<genome>/truth/{regions,variants,sites}.tsv   every dataset's planted truth
    datasets/<dataset>/truth/regions.tsv      per region: activity, true ratio, causal variant
    datasets/<dataset>/truth/variants.tsv     per variant in an activity window: true effect
    datasets/<dataset>/truth/sites.tsv        planted motif sites
    datasets/<dataset>/truth/reads.tsv.gz     per read pair: allele, origin in both genomes, unit

Only when a grammar plants matrices outside JASPAR (``motif_source: perturbed | denovo``,
:mod:`.planted_motifs`; never for the default presets)::

    genomes/<genome>/truth/planted_motifs.meme        every dataset's planted matrices (<dataset>.<factor>)
    genomes/<genome>/truth/planted_motif_names.tsv    TomTom of each against JASPAR: the truth's name
    datasets/<dataset>/truth/planted_motifs.meme      the dataset's matrices (named by factor)
    datasets/<dataset>/truth/planted_motif_names.tsv
"""
from __future__ import annotations

import copy
import logging
import os
import zlib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..alphabet import decode, encode
from . import reads as R
from .genome import chromosome_sizes, background_sequence, composition
from .regions import Grammar, Region, choose_centres, causal_snp, plant_region, region_truth
from .variants import ShiftMap, Variant, apply_variants, random_variants

log = logging.getLogger("deepallele.simulate")


def _rng(seed: int, *keys: str | int) -> np.random.Generator:
    """A generator keyed by a seed and names, stable across Python versions and runs."""
    parts = [int(seed)] + [k if isinstance(k, int) else zlib.crc32(str(k).encode()) for k in keys]
    return np.random.default_rng(parts)


def _package_yaml(name: str) -> dict:
    return yaml.safe_load(resources.files("deepallele.data").joinpath(name).read_text())


def genome_params(user: dict | None) -> dict:
    """Genome simulation parameters: package defaults overridden by ``user``."""
    params = copy.deepcopy(_package_yaml("simulate_defaults.yaml")["genome"])
    params.update(user or {})
    return params


def dataset_params(assay: str, user: dict | None) -> dict:
    """Dataset simulation parameters for an assay (``chip``, ``atac`` or ``scatac``), overridden by ``user``.

    ``scatac`` is the ``atac`` block (grammar, adapter, fragment ladder: its regions are planted
    like an atac dataset's) under the ``scatac`` block (cells, barcodes; :mod:`.scatac`).
    """
    defaults = _package_yaml("simulate_defaults.yaml")["dataset"]
    if assay not in ("chip", "atac", "scatac"):
        raise ValueError(f"assay must be 'chip', 'atac' or 'scatac', got {assay!r}")
    params = copy.deepcopy(defaults["common"])
    params.update(defaults["atac" if assay == "scatac" else assay])
    if assay == "scatac":
        params.update(copy.deepcopy(defaults["scatac"]))
    params.update(user or {})
    return params


def grammar_spec(params: dict) -> dict:
    """The grammar mapping: a preset name from ``grammars.yaml`` or an inline mapping."""
    g = params["grammar"]
    if isinstance(g, str):
        presets = _package_yaml("grammars.yaml")
        if g not in presets:
            raise ValueError(f"unknown grammar preset {g!r}; presets: {sorted(presets)}")
        return presets[g]
    return g


def dataset_grammar(params: dict) -> Grammar:
    """The :class:`Grammar` of a dataset's simulation parameters (:func:`dataset_params`)."""
    return Grammar.from_config(grammar_spec(params), params["threshold_fraction"], params["temperature"])


# ----------------------------------------------------------------------------- writing helpers

def write_fasta(path: Path, seqs: dict[str, str], width: int = 60) -> None:
    """Write a FASTA and its .fai index (both deterministic)."""
    import pysam

    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w") as fh:
        for name, s in seqs.items():
            fh.write(f">{name}\n")
            for i in range(0, len(s), width):
                fh.write(s[i:i + width] + "\n")
    os.replace(tmp, path)
    pysam.faidx(str(path))


def write_vcf(path: Path, variants: list[Variant], sizes: dict[str, int], strain: str,
              reference_name: str) -> None:
    """Write a bgzipped, tabix-indexed single-sample VCF of homozygous variants."""
    import pysam

    plain = Path(str(path)[:-3]) if str(path).endswith(".gz") else path
    with open(plain, "w") as fh:
        fh.write("##fileformat=VCFv4.2\n")
        fh.write(f"##source=deepallele-simulate\n##reference={reference_name}\n")
        for c, n in sizes.items():
            fh.write(f"##contig=<ID={c},length={n}>\n")
        fh.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
        fh.write(f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{strain}\n")
        for v in variants:
            fh.write(f"{v.chrom}\t{v.pos + 1}\t.\t{v.ref}\t{v.alt}\t.\tPASS\t.\tGT\t1/1\n")
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    pysam.tabix_index(str(path), preset="vcf", force=True)


def read_fasta_codes(path: Path) -> dict[str, np.ndarray]:
    """Base codes of every sequence of a FASTA."""
    import pysam

    with pysam.FastaFile(str(path)) as fa:
        return {c: encode(fa.fetch(c), name=f"{path}: {c}", acgt_only=True) for c in fa.references}


def read_vcf_variants(path: Path) -> dict[str, list[Variant]]:
    """Variants of the simulator's VCF, per chromosome."""
    import pysam

    out: dict[str, list[Variant]] = {}
    with pysam.VariantFile(str(path)) as vf:
        for rec in vf:
            out.setdefault(rec.chrom, []).append(Variant(rec.chrom, rec.pos - 1, rec.ref, rec.alts[0]))
    return out


# ----------------------------------------------------------------------------- genome

def simulate_genome(name: str, params: dict, datasets: dict[str, dict], outdir: Path,
                    reference_name: str = "B6", strain_name: str = "CAST") -> dict:
    """Simulate a reference genome, plant every dataset's regions, and draw the strain's variants.

    Parameters
    ----------
    name : str
        Genome name (output folder ``genomes/<name>``).
    params : dict
        Genome parameters (see :func:`genome_params`).
    datasets : dict
        Dataset name to its full parameters (see :func:`dataset_params`), for every dataset
        simulated on this genome. Their regions are planted here, disjoint from each other.
    outdir : pathlib.Path
        Root of the simulated resources.
    reference_name, strain_name : str
        Names of the two parental strains.

    Returns
    -------
    dict
        Summary statistics (also written to ``truth/summary.tsv``).
    """
    outdir = Path(outdir)
    gdir = outdir / "genomes" / name
    (gdir / "truth").mkdir(parents=True, exist_ok=True)
    seed = int(params["seed"])
    sizes = {k: int(v) for k, v in params["chrom_sizes"].items()} if params.get("chrom_sizes") \
        else chromosome_sizes(int(params["genome_size"]))
    log.info("genome %s: %d chromosomes, %.2f Mb", name, len(sizes), sum(sizes.values()) / 1e6)
    ref = {c: background_sequence(n, _rng(seed, "background", c), params["gc"], params["cpg_obs_exp"])
           for c, n in sizes.items()}

    # regions of every dataset, planted into the reference before variants are drawn
    taken: dict[str, list[int]] = {}
    all_regions: dict[str, list[Region]] = {}
    grammars: dict[str, Grammar] = {}
    forced: dict[str, list[Variant]] = {c: [] for c in sizes}
    for ds in sorted(datasets):
        p = datasets[ds]
        grammar = dataset_grammar(p)
        grammars[ds] = grammar
        rng = _rng(int(p["seed"]), "regions", ds)
        flank = max(p["activity_width"], 1000)
        centres = choose_centres(sizes, int(p["n_regions"]), rng, int(p["min_spacing"]), flank, taken)
        regions = []
        half = p["activity_width"] // 2
        for i, (c, pos) in enumerate(centres):
            reg = Region(f"{ds}_r{i:05d}", c, pos, pos - half, pos + half, float(rng.normal(0, p["baseline_sd"])))
            plant_region(ref[c], reg, grammar, rng, int(p["plant_width"]), float(p["site_sharpness"]),
                         float(p["site_min_margin"]))
            regions.append(reg)
            taken.setdefault(c, []).append(pos)
        for reg in regions:
            if reg.sites and rng.random() < p["causal_fraction"]:
                primary = [s for s in reg.sites if s.motif == grammar.primary]
                pool = primary if primary and rng.random() < 0.7 else reg.sites
                site = pool[int(rng.integers(len(pool)))]
                forced[reg.chrom].append(causal_snp(reg.chrom, ref[reg.chrom], site, grammar, rng))
        all_regions[ds] = regions
        log.info("dataset %s: %d regions planted, %d planted causal SNPs so far", ds, len(regions),
                 sum(len(v) for v in forced.values()))

    # window edges: drop random variants that straddle one, so window sequences are exact
    edges: dict[str, np.ndarray] = {}
    for regions in all_regions.values():
        for reg in regions:
            edges.setdefault(reg.chrom, []).extend([reg.start, reg.end])
    variants: dict[str, list[Variant]] = {}
    for c, codes in ref.items():
        if c == "chrM":
            variants[c] = []
            continue
        vs = random_variants(c, codes, _rng(seed, "variants", c), params["snp_spacing"],
                             params["indel_spacing"], int(params["max_indel"]), forced=forced[c])
        e = np.sort(np.array(edges.get(c, []), dtype=np.int64))
        if e.size:
            forced_ids = {v.id for v in forced[c]}
            keep = []
            for v in vs:
                i = np.searchsorted(e, v.pos, side="right")
                straddles = i < e.size and e[i] < v.end
                if not straddles or v.id in forced_ids:
                    keep.append(v)
            vs = keep
        variants[c] = vs

    # files the pipeline reads
    write_fasta(gdir / "reference.fa", {c: decode(s) for c, s in ref.items()})
    flat = [v for c in sizes for v in variants[c]]
    write_vcf(gdir / "strain.vcf.gz", flat, sizes, strain_name, reference_name)
    strain = {c: apply_variants(ref[c], variants[c]) for c in sizes}
    smaps = {c: ShiftMap(variants[c]) for c in sizes}
    write_fasta(gdir / "truth" / "strain.fa", {c: decode(s) for c, s in strain.items()})

    # truth of every dataset's regions, in one table per kind (with a dataset column)
    region_rows, var_rows, site_rows = [], [], []
    for ds, regions in all_regions.items():
        p = datasets[ds]
        for reg in regions:
            vs = variants[reg.chrom]
            starts = np.fromiter((v.pos for v in vs), dtype=np.int64, count=len(vs))
            lo, hi = np.searchsorted(starts, reg.start), np.searchsorted(starts, reg.end)
            inside = [v for v in vs[lo:hi] if v.end <= reg.end]
            row, vrows = region_truth(reg, ref[reg.chrom], inside, grammars[ds], p["causal_min_effect"])
            smap = smaps[reg.chrom]
            row["strain_start"] = int(smap.to_strain_nearest(reg.start))
            row["strain_end"] = int(smap.to_strain_nearest(reg.end))
            row["strain_summit"] = int(smap.to_strain_nearest(reg.summit))
            region_rows.append({"dataset": ds, **row})
            var_rows.extend({"dataset": ds, **r} for r in vrows)
            site_rows.extend({"dataset": ds, "region_id": reg.region_id, "motif": s.motif,
                              "matrix_id": grammars[ds].motifs[s.motif].motif.matrix_id,
                              "chrom": reg.chrom, "start": s.start, "end": s.end, "strand": s.strand}
                             for s in reg.sites)
    tdir = gdir / "truth"
    _write_tsv(pd.DataFrame(region_rows, columns=None if region_rows else ["dataset", "region_id"]), tdir / "regions.tsv")
    _write_tsv(pd.DataFrame(var_rows, columns=None if var_rows else ["dataset", "region_id"]), tdir / "variants.tsv")
    _write_tsv(pd.DataFrame(site_rows, columns=None if site_rows else ["dataset", "region_id"]), tdir / "sites.tsv")
    if any(g.off_database for g in grammars.values()):
        write_planted_motifs(grammars, tdir)
    else:  # no stale tables from an earlier off-database run in the same folder
        for stale in ("planted_motifs.meme", "planted_motif_names.tsv"):
            (tdir / stale).unlink(missing_ok=True)

    nuclear = np.concatenate([s for c, s in ref.items() if c != "chrM"])
    comp = composition(nuclear)
    n_snp = sum(v.kind == "snp" for v in flat)
    n_indel = len(flat) - n_snp
    summary = {"genome_size": int(nuclear.size), "gc": comp["gc"], "cpg_obs_exp": comp["cpg_obs_exp"],
               "n_snps": n_snp, "n_indels": n_indel,
               "bp_per_snp": nuclear.size / max(n_snp, 1), "bp_per_indel": nuclear.size / max(n_indel, 1)}
    _write_tsv(pd.DataFrame({"metric": list(summary), "value": list(summary.values())}),
               gdir / "truth" / "summary.tsv")
    log.info("genome %s: GC %.3f, CpG o/e %.2f, %d SNPs, %d indels", name, comp["gc"], comp["cpg_obs_exp"],
             n_snp, n_indel)
    return summary


def write_planted_motifs(grammars: dict, tdir: Path) -> pd.DataFrame:
    """``planted_motifs.meme`` and ``planted_motif_names.tsv`` of every dataset's grammar (:mod:`.planted_motifs`).

    Parameters
    ----------
    grammars : dict
        Dataset -> :class:`Grammar`.
    tdir : pathlib.Path
        The genome's ``truth`` folder.

    Returns
    -------
    pandas.DataFrame
        The names table (:data:`deepallele.simulate.planted_motifs.NAME_COLUMNS`).
    """
    from ..motifs.jaspar import write_meme
    from .planted_motifs import planted_motif_names

    names = planted_motif_names(grammars)
    write_meme({f"{ds}.{f}": gm.motif.pfm for ds, g in grammars.items() for f, gm in g.motifs.items()},
               tdir / "planted_motifs.meme")
    _write_tsv(names, tdir / "planted_motif_names.tsv")
    return names


def _write_tsv(df: pd.DataFrame, path: Path) -> None:
    tmp = Path(str(path) + ".tmp")
    df.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
    os.replace(tmp, path)


# ----------------------------------------------------------------------------- reads

def dataset_truth(genome_dir: Path, dataset: str, ddir: Path):
    """Write a dataset's slice of the genome truth and its regions as ``known_peaks.bed``.

    Parameters
    ----------
    genome_dir : pathlib.Path
        ``genomes/<genome>`` written by :func:`simulate_genome`.
    dataset : str
        Dataset name (the genome truth's ``dataset`` column).
    ddir : pathlib.Path
        ``datasets/<dataset>``; ``truth/{regions,variants,sites}.tsv`` and ``known_peaks.bed`` go here.

    Returns
    -------
    tuple
        Reference contig sizes, strain contig sizes, ``{chrom: ShiftMap}`` (reference → strain)
        and the dataset's regions (a DataFrame, index 0..n-1).
    """
    sizes = _fai_sizes(genome_dir / "reference.fa.fai")
    strain_sizes = _fai_sizes(genome_dir / "truth" / "strain.fa.fai")
    maps = {c: ShiftMap(v) for c, v in read_vcf_variants(genome_dir / "strain.vcf.gz").items()}
    maps.update({c: ShiftMap([]) for c in sizes if c not in maps})
    for table in ("regions", "variants", "sites"):
        df = pd.read_csv(genome_dir / "truth" / f"{table}.tsv", sep="\t")
        df = df[df["dataset"] == dataset].drop(columns="dataset")
        _write_tsv(df, ddir / "truth" / f"{table}.tsv")
        if table == "regions":
            regions = df.reset_index(drop=True)
    if regions.empty:
        raise ValueError(f"genome truth {genome_dir} has no regions for dataset {dataset!r}; "
                         "rerun the genome simulation with this dataset in the config")
    regions[["chrom", "start", "end", "region_id"]].to_csv(ddir / "known_peaks.bed", sep="\t",
                                                           header=False, index=False)
    names_path = genome_dir / "truth" / "planted_motif_names.tsv"
    if names_path.exists():  # a grammar with matrices outside JASPAR (.planted_motifs)
        from ..motifs.jaspar import read_meme, write_meme

        names = pd.read_csv(names_path, sep="\t", keep_default_na=False)
        names = names[names["dataset"] == dataset]
        planted = read_meme(genome_dir / "truth" / "planted_motifs.meme")
        write_meme({f: planted[m] for f, m in zip(names["factor"], names["meme_name"])},
                   ddir / "truth" / "planted_motifs.meme")
        _write_tsv(names.drop(columns="dataset"), ddir / "truth" / "planted_motif_names.tsv")
    return sizes, strain_sizes, maps, regions


def simulate_fragments(dataset: str, assay: str, params: dict, genome_dir: Path, outdir: Path) -> dict:
    """Draw the fragments (read pairs) of one dataset and write its truth and sample sheet.

    Fragments come from each allele's own sequence in proportion to activity, plus
    background and chrM fragments, plus PCR duplicates. Their order is shuffled and their
    names are ranks, so neither file order nor names reveal the truth. The FASTQ files of
    each unit are written by :func:`write_unit_fastqs`.

    Parameters
    ----------
    dataset : str
        Dataset name.
    assay : str
        ``chip`` or ``atac``.
    params : dict
        Dataset parameters (see :func:`dataset_params`).
    genome_dir : pathlib.Path
        ``genomes/<genome>`` written by :func:`simulate_genome`.
    outdir : pathlib.Path
        Root of the simulated resources.

    Returns
    -------
    dict
        Counts of read pairs by kind.
    """
    genome_dir, outdir = Path(genome_dir), Path(outdir)
    ddir = outdir / "datasets" / dataset
    (ddir / "truth").mkdir(parents=True, exist_ok=True)
    rng = _rng(int(params["seed"]), "fragments", dataset)
    sizes, strain_sizes, maps, regions = dataset_truth(genome_dir, dataset, ddir)
    chroms = list(sizes)

    # signal fragments: per region and allele, Poisson in proportion to activity
    act = np.exp(np.stack([regions["log_activity_ref"].to_numpy(), regions["log_activity_alt"].to_numpy()], 1))
    lam = act / act.mean() * params["fragments_per_region"] / 2
    n = rng.poisson(lam)  # (regions, 2)
    parts = []
    cidx = {c: i for i, c in enumerate(chroms)}
    region_chrom = np.array([cidx[c] for c in regions["chrom"]], dtype=np.int64)
    for allele in (0, 1):
        reg_idx = np.repeat(np.arange(len(regions)), n[:, allele])
        summit_col = "summit" if allele == 0 else "strain_summit"
        centres = regions[summit_col].to_numpy()[reg_idx]
        lengths = R.fragment_lengths(reg_idx.size, rng, assay, params)
        start, end = R.place_fragments(centres, lengths, params["site_spread"], rng)
        parts.append(R.Fragments(np.full(reg_idx.size, allele, np.int8), region_chrom[reg_idx], start, end,
                                 reg_idx, rng.random(reg_idx.size) < 0.5))
    n_signal = int(n.sum())

    # background: uniform over both genomes' nuclear chromosomes, plus chrM (ATAC)
    signal_share = 1 - params["background_fraction"] - params["chrM_fraction"]
    n_bg = int(round(n_signal * params["background_fraction"] / signal_share))
    n_mt = int(round(n_signal * params["chrM_fraction"] / signal_share))
    nuclear = [c for c in chroms if c != "chrM"]
    for count, pool in ((n_bg, nuclear), (n_mt, ["chrM"] if "chrM" in chroms else [])):
        if count == 0 or not pool:
            continue
        allele = rng.integers(0, 2, size=count).astype(np.int8)
        both = np.array([[sizes[c], strain_sizes[c]] for c in pool], dtype=float)
        which = rng.choice(len(pool), size=count, p=both[:, 0] / both[:, 0].sum())
        lengths = R.fragment_lengths(count, rng, assay, params)
        span = both[which, allele] - lengths - 1
        start = (rng.random(count) * np.maximum(span, 1)).astype(np.int64)
        chrom = np.array([cidx[c] for c in pool], dtype=np.int64)[which]
        parts.append(R.Fragments(allele, chrom, start, start + lengths, np.full(count, -1, np.int64),
                                 rng.random(count) < 0.5))
    frags = R.Fragments.concat(parts)
    csize = np.array([[sizes[c], strain_sizes[c]] for c in chroms], dtype=np.int64)
    ok = (frags.start >= 0) & (frags.end <= csize[frags.chrom, frags.allele])
    frags = frags.take(np.flatnonzero(ok))
    n_unique = len(frags)

    # PCR duplicates: copies of random fragments (each copy is sequenced with its own errors)
    d = float(params["duplicate_rate"])
    n_dup = int(round(n_unique * d / (1 - d)))
    src = rng.integers(0, n_unique, size=n_dup)
    swap_rng = _rng(int(params["seed"]), "duplicate_mates", dataset)
    frags = R.Fragments.concat([frags, R.duplicate_fragments(frags, src, float(params["duplicate_swap_fraction"]), swap_rng)])
    duplicate_of = np.concatenate([np.full(n_unique, -1, np.int64), src])

    # shuffle so that file order reveals nothing; names are the shuffled ranks
    order = rng.permutation(len(frags))
    frags = frags.take(order)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    duplicate_of = duplicate_of[order]
    duplicate_of = np.where(duplicate_of >= 0, rank[np.maximum(duplicate_of, 0)], -1)
    prefix = f"sim{zlib.crc32(dataset.encode()) % 10000:04d}"
    names = [f"{prefix}.{i}" for i in range(len(frags))]

    # reference coordinates of strain fragments, through the indels
    ref_start, ref_end = frags.start.copy(), frags.end.copy()
    for ci, c in enumerate(chroms):
        sel = np.flatnonzero((frags.allele == 1) & (frags.chrom == ci))
        if sel.size:
            ref_start[sel] = maps[c].to_ref_nearest(frags.start[sel])
            ref_end[sel] = maps[c].to_ref_nearest(frags.end[sel] - 1, side="left") + 1

    truth = R.truth_table(frags, names, chroms, ref_start, ref_end, duplicate_of, list(regions["region_id"]))
    units = unit_names(params)
    bounds = np.linspace(0, len(frags), len(units) + 1).astype(int)
    truth["unit"] = np.repeat(units, np.diff(bounds))
    tmp = ddir / "truth" / "reads.tsv.gz.tmp"
    truth.to_csv(tmp, sep="\t", index=False, compression={"method": "gzip", "mtime": 0, "compresslevel": 4})
    os.replace(tmp, ddir / "truth" / "reads.tsv.gz")

    sample = params["sample"]
    sheet = pd.DataFrame([{"sample": sample, "unit": u, "fastq_1": f"reads/{sample}_{u}_R1.fastq.gz",
                           "fastq_2": f"reads/{sample}_{u}_R2.fastq.gz", "sra": ""} for u in units])
    _write_tsv(sheet, ddir / "samples.tsv")
    stats = {"read_pairs": len(frags), "unique_fragments": n_unique, "duplicates": n_dup,
             "signal_fragments": n_signal, "background_fragments": n_bg, "chrM_fragments": n_mt}
    log.info("dataset %s: %s", dataset, stats)
    return stats


def unit_names(params: dict) -> list[str]:
    """Lane names of the simulated sample: L001, L002, ..."""
    return [f"L{u + 1:03d}" for u in range(int(params["n_units"]))]


def write_unit_fastqs(dataset: str, unit: str, params: dict, genome_dir: Path, truth_reads: Path,
                      fastq_1: Path, fastq_2: Path) -> int:
    """Sequence one unit's fragments: reads with adapters, qualities and matching errors.

    Returns
    -------
    int
        Number of read pairs written.
    """
    genome_dir = Path(genome_dir)
    truth = pd.read_csv(truth_reads, sep="\t", usecols=["read_name", "allele", "chrom", "allele_start",
                                                         "allele_end", "r1_forward", "unit"])
    truth = truth[truth["unit"] == unit]
    if truth.empty:
        raise ValueError(f"{truth_reads}: no read pairs for unit {unit!r}")
    rng = _rng(int(params["seed"]), "sequencing", dataset, unit)
    ref = read_fasta_codes(genome_dir / "reference.fa")
    strain = read_fasta_codes(genome_dir / "truth" / "strain.fa")
    L = int(params["read_length"])
    ad1, ad2 = R.adapter_codes(params["adapter"], L)
    n = len(truth)
    r1 = np.empty((n, L), np.uint8)
    r2 = np.empty((n, L), np.uint8)
    allele = truth["allele"].to_numpy()
    chrom = truth["chrom"].to_numpy()
    start = truth["allele_start"].to_numpy(np.int64)
    end = truth["allele_end"].to_numpy(np.int64)
    fwd = truth["r1_forward"].to_numpy().astype(bool)
    for a, genome in (("ref", ref), ("alt", strain)):
        for c in np.unique(chrom):
            sel = np.flatnonzero((allele == a) & (chrom == c))
            if sel.size:
                r1[sel] = R.read_codes(genome[c], start[sel], end[sel], fwd[sel], L, ad1)
                r2[sel] = R.read_codes(genome[c], start[sel], end[sel], ~fwd[sel], L, ad2)
    q1 = R.qualities(n, L, rng, params["quality_start"], params["quality_end"])
    q2 = R.qualities(n, L, rng, params["quality_start"] - 1, params["quality_end"] - 3)
    r1 = R.add_errors(r1, q1, rng)
    r2 = R.add_errors(r2, q2, rng)
    names = truth["read_name"].tolist()
    Path(fastq_1).parent.mkdir(parents=True, exist_ok=True)
    R.write_gzip(fastq_1, R.fastq_bytes(names, 1, r1, q1))
    R.write_gzip(fastq_2, R.fastq_bytes(names, 2, r2, q2))
    return n


def _fai_sizes(path: Path) -> dict[str, int]:
    with open(path) as fh:
        return {line.split("\t")[0]: int(line.split("\t")[1]) for line in fh}
