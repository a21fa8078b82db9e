"""Follow the read pairs of a sample through every stage: one table and one plot per dataset.

Stages: pairs sequenced -> after trimming -> aligned (per genome, after the pair filter) ->
assigned (ref / alt / tie -> its allele; unassigned) -> after duplicate removal (per allele)
-> in peaks (per allele), with the fraction of reads in peaks (FRiP).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

_TOTAL = re.compile(r"Total reads processed:\s+([\d,]+)")
_REMOVED = re.compile(r"Number of sequence pairs removed because at least one read was shorter than the "
                      r"length cutoff \(\d+ bp\):\s+([\d,]+)")


def parse_trim_reports(report_r1: str | Path, report_r2: str | Path) -> dict:
    """Read pairs before trimming and after (pairs dropped for length) from trim_galore reports."""
    text1, text2 = Path(report_r1).read_text(), Path(report_r2).read_text()
    total = _TOTAL.search(text1)
    if not total:
        raise ValueError(f"{report_r1}: no 'Total reads processed' line (not a trim_galore report?)")
    removed = _REMOVED.search(text2)
    pairs = int(total.group(1).replace(",", ""))
    dropped = int(removed.group(1).replace(",", "")) if removed else 0
    return {"pairs_in": pairs, "pairs_trimmed": pairs - dropped}


def parse_picard_metrics(path: str | Path) -> dict:
    """The library row of a Picard MarkDuplicates metrics file, as a dict."""
    lines = Path(path).read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("LIBRARY\t"):
            header, values = line.split("\t"), lines[i + 1].split("\t")
            out = {}
            for k, v in zip(header, values):
                try:
                    out[k] = float(v) if "." in v else int(v)
                except ValueError:
                    out[k] = v
            return out
    raise ValueError(f"{path}: no METRICS table (not a Picard MarkDuplicates metrics file?)")


def sample_qc(sample: str, trim_reports: tuple, split_json: str | Path, dedup_metrics: dict,
              counts_per_sample: pd.DataFrame | None) -> pd.DataFrame:
    """The stage-by-stage table of one sample: read pairs per stage, and their fraction of the
    sequenced pairs (for the FRiP rows: of the deduplicated pairs of that allele)."""
    trim = parse_trim_reports(*trim_reports)
    split = json.loads(Path(split_json).read_text())
    rows = [("sequenced", "both", trim["pairs_in"]),
            ("trimmed", "both", trim["pairs_trimmed"]),
            ("aligned", "ref genome", split["ref_filter"]["pairs_kept"]),
            ("aligned", "strain genome", split["strain_filter"]["pairs_kept"]),
            ("assigned", "ref", split["ref"]),
            ("assigned", "alt", split["alt"]),
            ("assigned", "tie", split["tie"]),
            ("assigned", "unassigned", split["unassigned"])]
    for allele in ("ref", "alt"):
        m = parse_picard_metrics(dedup_metrics[allele])
        examined = int(m.get("READ_PAIRS_EXAMINED", 0))
        dups = int(m.get("READ_PAIR_DUPLICATES", 0))
        rows.append(("deduplicated", allele, examined - dups))
        rows.append(("duplicates", allele, dups))
        if counts_per_sample is not None:
            sel = counts_per_sample[(counts_per_sample["sample"] == sample) & (counts_per_sample["allele"] == allele)]
            rows.append(("in peaks", allele, int(sel["count"].sum())))
    df = pd.DataFrame(rows, columns=["stage", "part", "pairs"])
    df.insert(0, "sample", sample)
    df["fraction"] = (df["pairs"] / max(trim["pairs_in"], 1)).round(4)
    if counts_per_sample is not None:
        for allele in ("ref", "alt"):
            dedup = df[(df.stage == "deduplicated") & (df.part == allele)]["pairs"].sum()
            inpk = df[(df.stage == "in peaks") & (df.part == allele)]["pairs"].sum()
            df.loc[len(df)] = [sample, "FRiP", allele, inpk, round(inpk / dedup, 4) if dedup else 0.0]
    return df


def reads_qc_table(samples: list[str], trim_r1: list, trim_r2: list, split_json: list, dedup_ref: list,
                   dedup_alt: list, counts_per_sample: pd.DataFrame | None, dataset: str | None = None) -> pd.DataFrame:
    """:func:`sample_qc` of every sample of a dataset, one table (rule reads_qc, MultiQC's funnel).

    Parameters
    ----------
    samples : list of str
        ``S`` sample names; every list below holds one file per sample, in this order.
    trim_r1, trim_r2 : list of str or pathlib.Path
        trim_galore reports of read 1 and read 2.
    split_json : list of str or pathlib.Path
        The allele split's summaries (:func:`deepallele.reads.alleles.split_alleles`).
    dedup_ref, dedup_alt : list of str or pathlib.Path
        Picard MarkDuplicates metrics of each allele.
    counts_per_sample : pandas.DataFrame or None
        Per-sample allele counts (``sample, allele, count``), for the in-peaks and FRiP rows.
    dataset : str, optional
        Put in a first ``dataset`` column.

    Returns
    -------
    pandas.DataFrame
        The samples' tables one after the other (``[dataset,] sample, stage, part, pairs, fraction``).
    """
    lengths = {len(x) for x in (trim_r1, trim_r2, split_json, dedup_ref, dedup_alt)}
    if lengths != {len(samples)}:
        raise ValueError(f"{len(samples)} samples but per-sample file lists of lengths {sorted(lengths)}")
    table = pd.concat([sample_qc(s, (trim_r1[i], trim_r2[i]), split_json[i],
                                 {"ref": dedup_ref[i], "alt": dedup_alt[i]}, counts_per_sample)
                       for i, s in enumerate(samples)], ignore_index=True)
    if dataset is not None:
        table.insert(0, "dataset", dataset)
    return table


def plot_qc(table: pd.DataFrame, out_png: str | Path, out_pdf: str | Path, title: str, dpi: int = 150) -> None:
    """Horizontal bars: read pairs left at each stage, per sample (PNG at ``dpi``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = table[table.stage != "FRiP"]
    samples = list(dict.fromkeys(stages["sample"]))
    labels = list(dict.fromkeys(stages["stage"] + ": " + stages["part"]))
    fig, axes = plt.subplots(1, len(samples), figsize=(6.5 * len(samples), 0.38 * len(labels) + 1.6),
                             squeeze=False, sharey=True)
    colors = {"sequenced": "#4c72b0", "trimmed": "#4c72b0", "aligned": "#55a868", "assigned": "#c44e52",
              "deduplicated": "#8172b2", "duplicates": "#cccccc", "in peaks": "#dd8452"}
    for ax, sample in zip(axes[0], samples):
        sub = stages[stages["sample"] == sample].set_index(stages["stage"] + ": " + stages["part"])
        sub = sub.reindex(labels)
        y = range(len(labels))
        ax.barh(list(y), sub["pairs"], color=[colors.get(s.split(":")[0], "#999999") for s in labels])
        for yi, (pairs, frac) in enumerate(zip(sub["pairs"], sub["fraction"])):
            ax.text(pairs, yi, f" {int(pairs):,} ({frac:.0%})", va="center", fontsize=8)
        ax.set_yticks(list(y), labels)
        ax.invert_yaxis()
        ax.set_xlabel("read pairs")
        ax.set_title(sample)
        ax.set_xlim(0, sub["pairs"].max() * 1.35)
        frip = table[(table["sample"] == sample) & (table.stage == "FRiP")]
        if not frip.empty:
            ax.text(0.98, 0.02, "FRiP " + ", ".join(f"{p} {f:.2f}" for p, f in zip(frip.part, frip.fraction)),
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_png, dpi=dpi)
    fig.savefig(out_pdf)
    plt.close(fig)
