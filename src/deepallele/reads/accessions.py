"""Accessions → sequencing runs → FASTQ downloads, the way nf-core/fetchngs resolves them.

Resolution (:func:`resolve_runs`), one sheet row at a time:

- **GSE** (GEO series): NCBI ``esearch`` (``db=gds``, ``term=<GSE>[ACCN]``) → ``esummary`` →
  the series record's ``samples`` (GSM + title, :func:`gse_samples`); GSMs whose title
  matches the row's ``title_regex`` (``re.search``; none given: all) are resolved as GSMs.
  Sample names: ``<sample>_<GSM>`` when the row names a sample, else the GSM (a ``samples_from``
  series) — one sample per GSM, because a series mixes conditions; list GSMs one per row
  under one sample name to pool them.
- **GSM**: ``esearch`` (``db=sra``, ``term=<GSM>``) → ``efetch`` ``rettype=runinfo`` → the
  ``Experiment`` column (SRX, :func:`gsm_experiments`) → one ENA filereport per SRX.
- **SRX/ERX/DRX, SRR/ERR/DRR, PRJNA/PRJEB/PRJDB/SRP/ERP/DRP, SAMN/SAMEA/SAMD/SRS/ERS/DRS**:
  one ENA filereport (:func:`ena_filereport`) on the accession itself.

The result is the **run table** (:data:`RUN_COLUMNS`), one row per run, which the workflow pins
to a TSV (:func:`write_run_table` / :func:`read_run_table`) so reruns need no network. A run
whose ``fastq_urls`` is empty has no FASTQs at ENA; the workflow dumps it with sra-tools.

Reading FASTQs (:func:`fastq_files`): a paired run gives its ``_1``/``_2`` files (ENA sometimes
lists a third, unpaired ``<RUN>.fastq.gz``, which is dropped); ``keep_technical=True`` keeps
every file in ENA's order (10x scATAC: the barcode read is one of them).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from ..resources.http import download, fetch_text, normalise_url

ENA_PORTAL_URL = "https://www.ebi.ac.uk/ena/portal/api"
EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"

#: fields requested from the ENA filereport (``result=read_run``)
ENA_FIELDS = (
    "run_accession", "experiment_accession", "sample_accession", "study_accession",
    "secondary_study_accession", "run_alias", "experiment_alias", "sample_alias", "study_alias",
    "experiment_title", "sample_title", "library_layout", "library_strategy", "library_source",
    "instrument_model", "read_count", "base_count", "fastq_ftp", "fastq_md5", "fastq_bytes",
    "submitted_ftp", "sra_ftp",
)

#: columns of the run table, in file order (all strings; multi-file fields are ``;``-separated)
RUN_COLUMNS = (
    "sample", "accession", "run_accession", "experiment_accession", "experiment_alias", "sample_title",
    "library_layout", "read_count", "fastq_urls", "fastq_md5", "fastq_bytes",
)

_KINDS = (
    ("gse", re.compile(r"^GSE\d+$")),
    ("gsm", re.compile(r"^GSM\d+$")),
    ("experiment", re.compile(r"^[SED]RX\d+$")),
    ("run", re.compile(r"^[SED]RR\d+$")),
    ("study", re.compile(r"^(?:PRJ(?:NA|EB|DB)|[SED]RP)\d+$")),
    ("sample", re.compile(r"^(?:SAM(?:N|EA|D)|[SED]RS)\d+$")),
)
_ACCEPTED = ("GSE, GSM, SRX/ERX/DRX (experiment), SRR/ERR/DRR (run), PRJNA/PRJEB/PRJDB/SRP/ERP/DRP (study), "
             "SAMN/SAMEA/SAMD/SRS/ERS/DRS (sample), each followed by digits")
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_RUN = re.compile(r"^[SED]RR\d+$")


class AccessionError(ValueError):
    """An accession that cannot be resolved, or a run table / run that cannot be used."""


def classify(accession: str) -> str:
    """The kind of an accession.

    Parameters
    ----------
    accession : str
        E.g. ``GSE216910``, ``GSM6697678``, ``SRX123``, ``SRR123``, ``PRJNA123``, ``SAMN123``.

    Returns
    -------
    str
        One of ``gse, gsm, experiment, run, study, sample``.

    Raises
    ------
    ValueError
        Anything else; the message names the accession and the accepted forms.
    """
    text = str(accession).strip()
    for kind, pattern in _KINDS:
        if pattern.match(text):
            return kind
    raise ValueError(f"unknown accession {accession!r}: accepted are {_ACCEPTED}")


def _table(text: str, sep: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def ena_filereport(accession: str, *, portal_url: str = ENA_PORTAL_URL, fields: Iterable[str] = ENA_FIELDS,
                   **http) -> pd.DataFrame:
    """The ENA runs (``result=read_run``) of one accession.

    Parameters
    ----------
    accession : str
        A run, experiment, study or sample accession (ENA, SRA or DDBJ).
    portal_url : str
        ENA Portal API base URL (``{portal_url}/filereport`` is requested).
    fields : iterable of str
        Fields to request (default :data:`ENA_FIELDS`).
    **http
        ``retries``, ``backoff_s``, ``timeout_s``, ``log`` for :func:`~deepallele.resources.http.fetch_text`.

    Returns
    -------
    pandas.DataFrame
        One row per run, one string column per field; empty (with those columns) when ENA
        answers 204 or only a header line (an accession with nothing public).

    Raises
    ------
    AccessionError
        The answer lacks requested fields (not an ENA filereport).
    """
    fields = tuple(fields)
    url = f"{portal_url.rstrip('/')}/filereport"
    text = fetch_text(url, params={"accession": accession, "result": "read_run", "fields": ",".join(fields),
                                   "format": "tsv", "download": "true", "limit": "0"}, **http)
    if not text.strip():
        return pd.DataFrame(columns=list(fields), dtype=str)
    frame = _table(text, "\t")
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        raise AccessionError(f"ENA filereport for {accession} ({url}) lacks fields {missing}; "
                             f"it answered with columns {list(frame.columns)}")
    return frame[list(fields)]


def _json(text: str, what: str) -> dict:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AccessionError(f"{what}: not JSON ({exc}); the answer starts {text[:200]!r}") from exc


def _esearch(db: str, term: str, eutils_url: str, **http) -> list[str]:
    what = f"NCBI esearch db={db} term={term}"
    reply = _json(fetch_text(f"{eutils_url.rstrip('/')}/esearch.fcgi",
                             params={"db": db, "term": term, "retmode": "json", "retmax": "500"}, **http), what)
    result = reply.get("esearchresult")
    if not isinstance(result, dict):
        raise AccessionError(f"{what}: unexpected answer {str(reply)[:300]}")
    if "ERROR" in result:
        raise AccessionError(f"{what}: NCBI reports {result['ERROR']}")
    return [str(uid) for uid in result.get("idlist", [])]


def gse_samples(gse: str, *, eutils_url: str = EUTILS_URL, **http) -> pd.DataFrame:
    """The samples (GSM, title) of a GEO series, from NCBI E-utilities.

    Parameters
    ----------
    gse : str
        The series, e.g. ``GSE216910``.
    eutils_url : str
        E-utilities base URL (``esearch.fcgi`` and ``esummary.fcgi`` under it).
    **http
        Options for :func:`~deepallele.resources.http.fetch_text`.

    Returns
    -------
    pandas.DataFrame
        Columns ``gsm, title``, in the order GEO lists them.

    Raises
    ------
    AccessionError
        GEO has no series with that accession.
    """
    uids = _esearch("gds", f"{gse}[ACCN]", eutils_url, **http)
    if uids:
        what = f"NCBI esummary db=gds for {gse}"
        reply = _json(fetch_text(f"{eutils_url.rstrip('/')}/esummary.fcgi",
                                 params={"db": "gds", "id": ",".join(uids), "retmode": "json"}, **http), what)
        result = reply.get("result", {})
        # [ACCN] can also hit GDS datasets built from the series: keep the series record itself
        for uid in result.get("uids", []):
            record = result.get(uid, {})
            if record.get("accession") == gse and str(record.get("entrytype", "")).upper() == "GSE":
                samples = [(s.get("accession", ""), s.get("title", "")) for s in record.get("samples", [])]
                return pd.DataFrame(samples, columns=["gsm", "title"], dtype=str)
    raise AccessionError(f"GEO has no series {gse} (NCBI esearch/esummary at {eutils_url} found no GSE record)")


def gsm_experiments(gsm: str, *, eutils_url: str = EUTILS_URL, **http) -> list[str]:
    """The SRA experiments (SRX) of a GEO sample, from NCBI E-utilities.

    Parameters
    ----------
    gsm : str
        The GEO sample, e.g. ``GSM6697678``.
    eutils_url : str
        E-utilities base URL (``esearch.fcgi`` and ``efetch.fcgi`` under it).
    **http
        Options for :func:`~deepallele.resources.http.fetch_text`.

    Returns
    -------
    list of str
        Distinct ``Experiment`` accessions of the runinfo table, sorted; empty when SRA has none.
    """
    uids = _esearch("sra", gsm, eutils_url, **http)
    if not uids:
        return []
    text = fetch_text(f"{eutils_url.rstrip('/')}/efetch.fcgi",
                      params={"db": "sra", "rettype": "runinfo", "retmode": "text", "id": ",".join(uids)}, **http)
    experiments = set()
    # runinfo for several ids can repeat its header line and has blank lines between batches
    for row in csv.DictReader(line for line in text.splitlines() if line.strip()):
        value = (row.get("Experiment") or "").strip()
        if value and value != "Experiment":
            experiments.add(value)
    return sorted(experiments)


def _text(value) -> str:
    """A sheet cell as stripped text; None and NaN (pandas' empty cell) become ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _row_label(row: Mapping, index: int) -> str:
    return _text(row.get("row")) or f"row {index + 1}"


def _run_rows(frame: pd.DataFrame, sample: str, accession: str) -> list[dict]:
    rows = []
    for _, r in frame.iterrows():
        urls = [normalise_url(u) for u in str(r["fastq_ftp"]).split(";") if u.strip()]
        rows.append({
            "sample": sample, "accession": accession, "run_accession": r["run_accession"],
            "experiment_accession": r["experiment_accession"], "experiment_alias": r["experiment_alias"],
            "sample_title": r["sample_title"], "library_layout": r["library_layout"], "read_count": r["read_count"],
            "fastq_urls": ";".join(urls), "fastq_md5": r["fastq_md5"], "fastq_bytes": r["fastq_bytes"],
        })
    return rows


def _gsm_runs(gsm: str, sample: str, accession: str, label: str, portal_url: str, eutils_url: str,
              **http) -> list[dict]:
    experiments = gsm_experiments(gsm, eutils_url=eutils_url, **http)
    if not experiments:
        raise AccessionError(f"{label}: accession {accession}: SRA has no experiments for {gsm} "
                             f"(not sequenced, or not yet public)")
    rows = []
    for srx in experiments:
        rows += _run_rows(ena_filereport(srx, portal_url=portal_url, **http), sample, accession)
    return rows


def resolve_runs(rows: pd.DataFrame | Iterable[Mapping], *, portal_url: str = ENA_PORTAL_URL,
                 eutils_url: str = EUTILS_URL, **http) -> pd.DataFrame:
    """Resolve sheet rows naming accessions into the run table.

    Parameters
    ----------
    rows : DataFrame or iterable of mappings
        One accession per row: ``sample``, ``accession``; optional ``title_regex`` (GSE rows:
        keep GSMs whose title matches, by ``re.search``) and ``row`` (a label for messages,
        e.g. ``"samples.tsv row 3"``; default ``"row <n>"``).
    portal_url, eutils_url : str
        ENA Portal API and NCBI E-utilities base URLs (mirrors or test servers).
    **http
        Options for :func:`~deepallele.resources.http.fetch_text`.

    Returns
    -------
    pandas.DataFrame
        :data:`RUN_COLUMNS`, one row per run, sorted by ``sample, run_accession``.
        ``accession`` is the sheet's accession (the GSE for expanded series); see the module
        docstring for sample names.

    Raises
    ------
    AccessionError
        A malformed accession, an accession with no runs, a GSE whose regex matches no GSM
        (the titles seen are listed), or one run claimed by two different samples.
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else [dict(r) for r in rows]
    out: list[dict] = []
    owner: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(records):
        label = _row_label(row, i)
        accession, sample = _text(row.get("accession")), _text(row.get("sample"))
        try:
            kind = classify(accession)
        except ValueError as exc:
            raise AccessionError(f"{label}: {exc}") from None
        if kind == "gse":
            found = _gse_runs(accession, sample, _text(row.get("title_regex")), label, portal_url,
                              eutils_url, **http)
        elif kind == "gsm":
            found = _gsm_runs(accession, sample or accession, accession, label, portal_url, eutils_url, **http)
        else:
            found = _run_rows(ena_filereport(accession, portal_url=portal_url, **http), sample, accession)
        if not found:
            raise AccessionError(f"{label}: accession {accession} resolves to no runs at ENA ({portal_url}); "
                                 f"check the accession, or whether its data are public yet")
        for run in found:
            prior = owner.setdefault(run["run_accession"], (run["sample"], label))
            if prior[0] != run["sample"]:
                raise AccessionError(f"run {run['run_accession']} belongs to sample '{prior[0]}' ({prior[1]}) and to "
                                     f"sample '{run['sample']}' ({label}); give each run to one sample")
        out += found
    table = pd.DataFrame(out, columns=list(RUN_COLUMNS), dtype=str)
    table = table.drop_duplicates(subset=["sample", "run_accession"])
    return table.sort_values(["sample", "run_accession"], kind="stable").reset_index(drop=True)


def _gse_runs(gse: str, sample: str, title_regex: str, label: str, portal_url: str, eutils_url: str,
              **http) -> list[dict]:
    try:
        pattern = re.compile(title_regex)
    except re.error as exc:
        raise AccessionError(f"{label}: title_regex {title_regex!r} is not a regular expression ({exc})") from None
    samples = gse_samples(gse, eutils_url=eutils_url, **http)
    chosen = samples[samples["title"].map(lambda t: bool(pattern.search(t)))]
    if chosen.empty:
        titles = "; ".join(f"{g} '{t}'" for g, t in zip(samples["gsm"], samples["title"])) or "none"
        raise AccessionError(f"{label}: no sample of {gse} has a title matching {title_regex!r}; "
                             f"its samples are: {titles}")
    rows = []
    for gsm in chosen["gsm"]:
        rows += _gsm_runs(gsm, f"{sample}_{gsm}" if sample else gsm, gse, label, portal_url, eutils_url, **http)
    return rows


def write_run_table(df: pd.DataFrame, path: str | Path, comments: Iterable[str] = ()) -> Path:
    """Write the run table as TSV, atomically (``<path>.part``, then :func:`os.replace`).

    Parameters
    ----------
    df : pandas.DataFrame
        Has :data:`RUN_COLUMNS` (other columns are dropped).
    path : str or Path
        The table; its folder is created.
    comments : iterable of str
        Lines written first, each prefixed with ``# `` (e.g. where and when it was resolved).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    missing = [c for c in RUN_COLUMNS if c not in df.columns]
    if missing:
        raise AccessionError(f"cannot write run table {path}: columns {missing} missing")
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with open(part, "w", newline="") as fh:
            for line in comments:
                fh.write(f"# {line}\n")
            df[list(RUN_COLUMNS)].fillna("").to_csv(fh, sep="\t", index=False, lineterminator="\n")
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return path


def read_run_table(path: str | Path, *, require_fastq: bool = False) -> pd.DataFrame:
    """Read and check a run table written by :func:`write_run_table` (or by hand).

    Leading lines starting with ``#`` are comments. Checks: all :data:`RUN_COLUMNS` present; each
    row has a sample or an accession, a run accession (SRR/ERR/DRR + digits) used once, as many
    md5s (32 hex digits) as FASTQ URLs, and as many byte counts when any are given.

    Parameters
    ----------
    path : str or Path
        The TSV.
    require_fastq : bool
        Also require FASTQ URLs for every run. Off by default: a run without them is
        downloaded with sra-tools by the workflow.

    Returns
    -------
    pandas.DataFrame
        The table, all columns strings (empty string for missing values).

    Raises
    ------
    AccessionError
        Naming the file, and the row (1-based data row and file line) of the first problems.
    """
    path = Path(path)
    lines = Path(path).read_text().splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    body = "".join(lines[skipped:])
    if not body.strip():
        raise AccessionError(f"run table {path}: no header line (expected columns {', '.join(RUN_COLUMNS)})")
    table = _table(body, "\t")
    missing = [c for c in RUN_COLUMNS if c not in table.columns]
    if missing:
        raise AccessionError(f"run table {path}: columns {missing} missing (has {list(table.columns)})")
    problems = []
    seen: dict[str, int] = {}
    for i, r in table.iterrows():
        where = f"{path} row {i + 1} (line {skipped + i + 2})"
        run = r["run_accession"].strip()
        if not _RUN.match(run):
            problems.append(f"{where}: run_accession {run!r} is not SRR/ERR/DRR + digits")
        elif run in seen:
            problems.append(f"{where}: run {run} already listed in row {seen[run]}")
        seen.setdefault(run, i + 1)
        if not (r["sample"] or r["accession"]):
            problems.append(f"{where}: neither sample nor accession given")
        urls = [u for u in r["fastq_urls"].split(";") if u]
        md5s = [m for m in r["fastq_md5"].split(";") if m]
        sizes = [b for b in r["fastq_bytes"].split(";") if b]
        if require_fastq and not urls:
            problems.append(f"{where}: run {run} has no fastq_urls")
        if len(md5s) != len(urls):
            problems.append(f"{where}: {len(urls)} fastq_urls but {len(md5s)} fastq_md5 values")
        if any(not _MD5.match(m.lower()) for m in md5s):
            problems.append(f"{where}: fastq_md5 {r['fastq_md5']!r} holds a value that is not 32 hex digits")
        if sizes and (len(sizes) != len(urls) or not all(s.isdigit() for s in sizes)):
            problems.append(f"{where}: fastq_bytes {r['fastq_bytes']!r} does not give one byte count per URL")
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise AccessionError("bad run table: " + "; ".join(problems[:10]) + more)
    return table


def _split(value) -> list[str]:
    return [v.strip() for v in str(value if value is not None else "").split(";") if v.strip()]


def fastq_files(run_row: Mapping, *, keep_technical: bool = False) -> list[tuple[str, str, int | None]]:
    """The FASTQ files to download for one run.

    Parameters
    ----------
    run_row : mapping
        A run table row (``run_accession``, ``fastq_urls``, ``fastq_md5``, ``fastq_bytes``;
        ``library_layout`` is used in messages).
    keep_technical : bool
        Keep every file ENA lists, in its order (10x scATAC: read 1, barcode, read 2), instead
        of the ``_1``/``_2`` pair.

    Returns
    -------
    list of (url, md5, bytes)
        ``[(r1...), (r2...)]`` for a paired run, all files with ``keep_technical``;
        ``bytes`` is None when unknown.

    Raises
    ------
    AccessionError
        No FASTQs at ENA (use sra-tools), a single-end run (the workflow needs pairs), a
        listing without a ``_1``/``_2`` pair, or md5s/bytes that do not line up with the URLs.
    """
    run = str(run_row.get("run_accession", "?"))
    urls, md5s, sizes = _split(run_row.get("fastq_urls")), _split(run_row.get("fastq_md5")), \
        _split(run_row.get("fastq_bytes"))
    if not urls:
        raise AccessionError(
            f"run {run} has no FASTQ files at ENA; get it with sra-tools instead: "
            f"prefetch {run} && fasterq-dump --split-files{' --include-technical' if keep_technical else ''} {run} "
            f"(the workflow's sra rules do this for runs without fastq_urls)")
    if len(md5s) != len(urls) or (sizes and len(sizes) != len(urls)):
        raise AccessionError(f"run {run}: {len(urls)} FASTQ URLs but {len(md5s)} md5s and {len(sizes)} sizes")
    files = [(u, m.lower(), int(sizes[k]) if sizes else None) for k, (u, m) in enumerate(zip(urls, md5s))]
    layout = str(run_row.get("library_layout", "") or "unknown")
    if keep_technical:
        if len(files) < 2:
            raise AccessionError(
                f"run {run}: ENA lists only {len(files)} FASTQ file, so the technical (barcode) reads are "
                f"missing; get the run with sra-tools: prefetch {run} && fasterq-dump --split-files "
                f"--include-technical {run}")
        return files
    by_mate = {}
    for f in files:
        m = re.search(r"_([12])\.f(?:ast)?q\.gz$", f[0])
        if m:
            by_mate.setdefault(m.group(1), []).append(f)
    if set(by_mate) == {"1", "2"} and all(len(v) == 1 for v in by_mate.values()):
        return [by_mate["1"][0], by_mate["2"][0]]
    if len(files) == 1:
        raise AccessionError(f"run {run} is single-end (one FASTQ file, library_layout {layout}); the workflow "
                             f"needs paired-end reads: drop this run from the sheet")
    raise AccessionError(f"run {run}: no _1/_2 FASTQ pair among {', '.join(u for u, _, _ in files)} "
                         f"(library_layout {layout}); for technical reads set keep_technical")


def _download_files(files: list[tuple[str, str, int | None]], dests: list[Path], **http) -> list[Path]:
    return [download(url, dest, md5 or None, **http) for (url, md5, _), dest in zip(files, dests)]


def download_run_fastqs(run_row: Mapping, out_dir: str | Path, *, keep_technical: bool = False,
                        **http) -> list[Path]:
    """Download one run's FASTQs, each checked against its md5, to ``out_dir/<run>_<k>.fastq.gz``.

    Parameters
    ----------
    run_row : mapping
        A run table row.
    out_dir : str or Path
        Destination folder (created).
    keep_technical : bool
        See :func:`fastq_files`.
    **http
        ``retries``, ``backoff_s``, ``timeout_s``, ``log`` for :func:`~deepallele.resources.http.download`.

    Returns
    -------
    list of Path
        ``<run>_1.fastq.gz``, ``<run>_2.fastq.gz`` (and ``_3``, ... with technical reads), in order.
    """
    files = fastq_files(run_row, keep_technical=keep_technical)
    run = str(run_row["run_accession"])
    dests = [Path(out_dir) / f"{run}_{k}.fastq.gz" for k in range(1, len(files) + 1)]
    return _download_files(files, dests, **http)


def download_run(runs_table: str | Path, run: str, outputs: list[str | Path], *, keep_technical: bool = False,
                 **http) -> list[Path]:
    """Download a run listed in a run table to given paths (the body of rule ``download_run``).

    Parameters
    ----------
    runs_table : str or Path
        The pinned run table (:func:`read_run_table`).
    run : str
        The run accession.
    outputs : list of str or Path
        One destination per file :func:`fastq_files` returns (``_1``, ``_2``[, ``_3``]).
    keep_technical : bool
        See :func:`fastq_files`.
    **http
        Options for :func:`~deepallele.resources.http.download`.

    Returns
    -------
    list of Path
        ``outputs``, downloaded and md5-checked.

    Raises
    ------
    AccessionError
        The run is not in the table, or has a different number of files than ``outputs``.
    """
    table = read_run_table(runs_table)
    hits = table[table["run_accession"] == run]
    if hits.empty:
        raise AccessionError(f"run {run} is not in run table {runs_table}; delete the table to resolve it again")
    files = fastq_files(hits.iloc[0], keep_technical=keep_technical)
    if len(files) != len(outputs):
        raise AccessionError(f"run {run} has {len(files)} FASTQ files at ENA but the rule expects {len(outputs)} "
                             f"({', '.join(map(str, outputs))})")
    return _download_files(files, [Path(o) for o in outputs], **http)


def resolve_sheet(rows: Iterable[Mapping], runs: str | Path, *, portal_url: str = ENA_PORTAL_URL,
                  eutils_url: str = EUTILS_URL, **http) -> pd.DataFrame:
    """Resolve a dataset's accession rows and pin the run table (the body of rule ``resolve_runs``).

    Parameters
    ----------
    rows : iterable of mappings
        ``sample, accession, title_regex, row`` per sample-sheet row naming an accession (or
        one row for a dataset's ``samples_from`` series), as
        :func:`deepallele.workflow.accession_rows` lists them.
    runs : str or Path
        The run table to write (:func:`write_run_table`), with a comment line naming the services.
    portal_url, eutils_url : str
        Service base URLs.
    **http
        Options for :func:`~deepallele.resources.http.fetch_text`.

    Returns
    -------
    pandas.DataFrame
        The run table written.
    """
    rows = [dict(r) for r in rows]
    table = resolve_runs(rows, portal_url=portal_url, eutils_url=eutils_url, **http)
    sources = sorted({str(r.get("row", "")).split(" row ")[0] for r in rows})
    write_run_table(table, runs, comments=[f"runs resolved from {', '.join(sources)} via {portal_url} and {eutils_url}",
                                           "pinned: delete this file to resolve again"])
    return table
