"""Accessions → runs against recorded ENA / NCBI answers (tests/data/ena), run table I/O, FASTQ picks."""
from __future__ import annotations

import hashlib
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest
from httpserver import RecordedServer, Response

from deepallele.reads import accessions as acc
from deepallele.reads.accessions import (ENA_FIELDS, RUN_COLUMNS, AccessionError, classify, download_run,
                                         download_run_fastqs, fastq_files, gse_samples, gsm_experiments,
                                         read_run_table, resolve_runs, resolve_sheet, write_run_table)

ENA = Path(__file__).resolve().parents[1] / "data" / "ena"
HTTP = {"retries": 1, "backoff_s": 0.01, "timeout_s": 5.0}
FQ = "https://ftp.sra.ebi.ac.uk/vol1/fastq/SRR900"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def route(path: str, **params) -> str:
    return path + "?" + urllib.parse.urlencode(params)


def ena_route(accession: str) -> str:
    return route("/ena/portal/api/filereport", accession=accession, result="read_run", fields=",".join(ENA_FIELDS),
                 format="tsv", download="true", limit="0")


def fixture(name: str) -> Response:
    return Response(body=(ENA / name).read_bytes())


def services(server) -> dict:
    return {"portal_url": server.url + "/ena/portal/api", "eutils_url": server.url + "/entrez/eutils", **HTTP}


def add_geo(server) -> None:
    """GSE900001 (3 GSMs) → GSM9000011/12 → SRX9000011/12 → runs, as the services answer."""
    server.add(route("/entrez/eutils/esearch.fcgi", db="gds", term="GSE900001[ACCN]", retmode="json", retmax="500"),
               fixture("esearch_gds_GSE900001.json"))
    server.add(route("/entrez/eutils/esummary.fcgi", db="gds", id="200900001", retmode="json"),
               fixture("esummary_gds_200900001.json"))
    for gsm, uid, srx in (("GSM9000011", "39000011", "SRX9000011"), ("GSM9000012", "39000012", "SRX9000012")):
        server.add(route("/entrez/eutils/esearch.fcgi", db="sra", term=gsm, retmode="json", retmax="500"),
                   fixture(f"esearch_sra_{gsm}.json"))
        server.add(route("/entrez/eutils/efetch.fcgi", db="sra", rettype="runinfo", retmode="text", id=uid),
                   fixture(f"efetch_runinfo_{uid}.csv"))
        server.add(ena_route(srx), fixture(f"filereport_{srx}.tsv"))


def test_classify():
    cases = {"GSE216910": "gse", "GSM6697678": "gsm", "SRX1": "experiment", "ERX2": "experiment",
             "DRX3": "experiment", "SRR4": "run", "ERR5": "run", "DRR6": "run", "PRJNA7": "study",
             "PRJEB8": "study", "PRJDB9": "study", "SRP10": "study", "ERP11": "study", "DRP12": "study",
             "SAMN13": "sample", "SAMEA14": "sample", "SAMD15": "sample", "SRS16": "sample", "ERS17": "sample",
             "DRS18": "sample", " SRR19 ": "run"}
    assert {a: classify(a) for a in cases} == cases
    for bad in ("GDS123", "SRA023522", "srr1", "SRR", "PRJNA12x", ""):
        with pytest.raises(ValueError, match=r"unknown accession .* accepted are GSE, GSM"):
            classify(bad)


def test_srr_direct():
    with RecordedServer() as server:
        server.add(ena_route("SRR9000101"), fixture("filereport_SRR9000101.tsv"))
        table = resolve_runs([{"sample": "F1_treg", "accession": "SRR9000101"}], **services(server))
        assert server.requests == [ena_route("SRR9000101")]
    assert list(table.columns) == list(RUN_COLUMNS)
    assert table.to_dict("records") == [{
        "sample": "F1_treg", "accession": "SRR9000101", "run_accession": "SRR9000101",
        "experiment_accession": "SRX9000011", "experiment_alias": "GSM9000011",
        "sample_title": "F1 B6xCAST Treg ATAC rep1", "library_layout": "PAIRED", "read_count": "2000",
        "fastq_urls": f"{FQ}/001/SRR9000101/SRR9000101_1.fastq.gz;{FQ}/001/SRR9000101/SRR9000101_2.fastq.gz",
        "fastq_md5": f"{md5('SRR9000101_1.fastq.gz')};{md5('SRR9000101_2.fastq.gz')}",
        "fastq_bytes": "1234;1240"}]


def test_accession_without_runs_names_the_row():
    with RecordedServer() as server:
        server.add(ena_route("PRJNA900002"), fixture("filereport_header_only.tsv"))
        server.add(ena_route("SRX9000099"), Response(status=204))
        rows = [{"sample": "a", "accession": "PRJNA900002", "row": "samples.tsv row 3"},
                {"sample": "b", "accession": "SRX9000099", "row": "samples.tsv row 4"}]
        with pytest.raises(AccessionError) as err:
            resolve_runs(rows, **services(server))
        assert str(err.value).startswith("samples.tsv row 3: accession PRJNA900002 resolves to no runs at ENA")
        with pytest.raises(AccessionError, match=r"^samples.tsv row 4: accession SRX9000099 resolves to no runs"):
            resolve_runs(rows[1:], **services(server))


def test_bad_accession_names_the_row():
    # checked before any request: no server needed
    with pytest.raises(AccessionError, match=r"^samples.tsv row 2: unknown accession 'GDS5'"):
        resolve_runs([{"sample": "b", "accession": "GDS5", "row": "samples.tsv row 2"}])
    with pytest.raises(AccessionError, match=r"^row 1: unknown accession ''"):
        resolve_runs([{"sample": "b", "accession": ""}])
    # pandas' empty cells (NaN) are empty, not the text "nan"
    with pytest.raises(AccessionError, match=r"^row 1: unknown accession ''"):
        resolve_runs(pd.DataFrame({"sample": [float("nan")], "accession": [float("nan")]}))


def test_gse_samples_and_gsm_experiments():
    with RecordedServer() as server:
        add_geo(server)
        s = services(server)
        samples = gse_samples("GSE900001", eutils_url=s["eutils_url"], **HTTP)
        assert samples.to_dict("list") == {
            "gsm": ["GSM9000013", "GSM9000012", "GSM9000011"],
            "title": ["Foxp3 KO Treg ATAC rep1", "F1 B6xCAST Tconv ATAC rep1", "F1 B6xCAST Treg ATAC rep1"]}
        assert gsm_experiments("GSM9000011", eutils_url=s["eutils_url"], **HTTP) == ["SRX9000011"]
        server.add(route("/entrez/eutils/esearch.fcgi", db="sra", term="GSM9000013", retmode="json", retmax="500"),
                   Response(body='{"header":{"type":"esearch","version":"0.3"},"esearchresult":{"count":"0",'
                                 '"retmax":"0","retstart":"0","idlist":[],"translationset":[],'
                                 '"querytranslation":"GSM9000013[All Fields]"}}'))
        assert gsm_experiments("GSM9000013", eutils_url=s["eutils_url"], **HTTP) == []


def test_gse_to_runs_by_title_regex():
    with RecordedServer() as server:
        add_geo(server)
        rows = pd.DataFrame([{"sample": "F1", "accession": "GSE900001", "title_regex": r"^F1 B6xCAST (Treg|Tconv)",
                              "row": "datasets.atac.samples_from"}])
        table = resolve_runs(rows, **services(server))
        # GSM9000013 (Foxp3 KO) is never looked up
        assert not any("GSM9000013" in r for r in server.requests)
    cols = ["sample", "accession", "run_accession", "experiment_accession", "experiment_alias"]
    assert table[cols].values.tolist() == [
        ["F1_GSM9000011", "GSE900001", "SRR9000101", "SRX9000011", "GSM9000011"],
        ["F1_GSM9000011", "GSE900001", "SRR9000102", "SRX9000011", "GSM9000011"],
        ["F1_GSM9000012", "GSE900001", "SRR9000103", "SRX9000012", "GSM9000012"],
    ]
    # ENA lists an unpaired file first for SRR9000103: kept in the table, dropped by fastq_files
    third = table.iloc[2]
    assert third["fastq_urls"].split(";")[0] == f"{FQ}/003/SRR9000103/SRR9000103.fastq.gz"
    assert third["fastq_bytes"] == "88;1400;1410"


def test_gse_without_sample_name_uses_gsm():
    with RecordedServer() as server:
        add_geo(server)
        table = resolve_runs([{"sample": "", "accession": "GSE900001", "title_regex": "Tconv"}], **services(server))
    assert table[["sample", "run_accession"]].values.tolist() == [["GSM9000012", "SRR9000103"]]


def test_gse_regex_matching_nothing_lists_titles():
    with RecordedServer() as server:
        add_geo(server)
        with pytest.raises(AccessionError) as err:
            resolve_runs([{"sample": "x", "accession": "GSE900001", "title_regex": "PWK", "row": "sheet row 2"}],
                         **services(server))
    assert str(err.value) == (
        "sheet row 2: no sample of GSE900001 has a title matching 'PWK'; its samples are: "
        "GSM9000013 'Foxp3 KO Treg ATAC rep1'; GSM9000012 'F1 B6xCAST Tconv ATAC rep1'; "
        "GSM9000011 'F1 B6xCAST Treg ATAC rep1'")


def test_gsm_rows_dedup_and_conflicts():
    with RecordedServer() as server:
        add_geo(server)
        server.add(ena_route("SRR9000101"), fixture("filereport_SRR9000101.tsv"))
        same = resolve_runs([{"sample": "t", "accession": "GSM9000011"}, {"sample": "t", "accession": "SRR9000101"}],
                            **services(server))
        assert same["run_accession"].tolist() == ["SRR9000101", "SRR9000102"]
        assert same["accession"].tolist() == ["GSM9000011", "GSM9000011"]
        with pytest.raises(AccessionError, match=r"run SRR9000101 belongs to sample 't' \(row 1\) and to sample 'u' "
                                                 r"\(row 2\)"):
            resolve_runs([{"sample": "t", "accession": "GSM9000011"}, {"sample": "u", "accession": "SRR9000101"}],
                         **services(server))


def _table() -> pd.DataFrame:
    return pd.DataFrame([
        {"sample": "b", "accession": "GSE1", "run_accession": "SRR2", "experiment_accession": "SRX2",
         "experiment_alias": "GSM2", "sample_title": "title # with hash", "library_layout": "PAIRED", "read_count": "7",
         "fastq_urls": "https://h.org/SRR2_1.fastq.gz;https://h.org/SRR2_2.fastq.gz",
         "fastq_md5": f"{'a' * 32};{'b' * 32}", "fastq_bytes": "10;11"},
        {"sample": "a", "accession": "SRR1", "run_accession": "SRR1", "experiment_accession": "SRX1",
         "experiment_alias": "", "sample_title": "", "library_layout": "PAIRED", "read_count": "",
         "fastq_urls": "", "fastq_md5": "", "fastq_bytes": ""},
    ], columns=list(RUN_COLUMNS))


def test_run_table_round_trip(tmp_path):
    path = tmp_path / "runs" / "atac.tsv"
    write_run_table(_table(), path, comments=["resolved from a sheet", "second line"])
    assert path.read_text().splitlines()[:3] == ["# resolved from a sheet", "# second line", "\t".join(RUN_COLUMNS)]
    assert sorted(p.name for p in path.parent.iterdir()) == ["atac.tsv"]
    back = read_run_table(path)
    pd.testing.assert_frame_equal(back.astype(object), _table().astype(object))
    with pytest.raises(AccessionError, match=rf"{path} row 2 \(line 5\): run SRR1 has no fastq_urls"):
        read_run_table(path, require_fastq=True)


def test_run_table_errors_name_file_and_row(tmp_path):
    bad = _table()
    bad.loc[0, "fastq_md5"] = "a" * 32
    path = tmp_path / "runs.tsv"
    write_run_table(bad, path)
    with pytest.raises(AccessionError) as err:
        read_run_table(path)
    assert str(err.value) == f"bad run table: {path} row 1 (line 2): 2 fastq_urls but 1 fastq_md5 values"
    path.write_text("sample\trun_accession\nx\tSRR1\n")
    with pytest.raises(AccessionError, match=rf"run table {path}: columns \['accession', 'experiment_accession'"):
        read_run_table(path)
    dup = pd.concat([_table(), _table().iloc[[1]]])
    dup.iloc[2, dup.columns.get_loc("run_accession")] = "SRR1"
    write_run_table(dup, path)
    with pytest.raises(AccessionError, match=r"row 3 \(line 4\): run SRR1 already listed in row 2"):
        read_run_table(path)


def _run(urls: list[str], layout: str = "PAIRED", sizes: bool = True) -> dict:
    return {"run_accession": "SRR9", "library_layout": layout, "fastq_urls": ";".join(urls),
            "fastq_md5": ";".join(md5(u) for u in urls),
            "fastq_bytes": ";".join(str(len(u)) for u in urls) if sizes else ""}


def test_fastq_files_paired_and_three_file_listing():
    pair = ["https://h/SRR9_1.fastq.gz", "https://h/SRR9_2.fastq.gz"]
    assert fastq_files(_run(pair)) == [(pair[0], md5(pair[0]), len(pair[0])), (pair[1], md5(pair[1]), len(pair[1]))]
    three = ["https://h/SRR9.fastq.gz", *pair]
    assert fastq_files(_run(three, sizes=False)) == [(pair[0], md5(pair[0]), None), (pair[1], md5(pair[1]), None)]


def test_fastq_files_keep_technical_keeps_order():
    files = ["https://h/SRR9_1.fastq.gz", "https://h/SRR9_2.fastq.gz", "https://h/SRR9_3.fastq.gz"]
    assert [u for u, _, _ in fastq_files(_run(files), keep_technical=True)] == files
    with pytest.raises(AccessionError, match=r"only 1 FASTQ file.*fasterq-dump --split-files --include-technical SRR9"):
        fastq_files(_run(["https://h/SRR9.fastq.gz"]), keep_technical=True)


def test_fastq_files_single_end_and_missing():
    with pytest.raises(AccessionError, match=r"^run SRR9 is single-end \(one FASTQ file, library_layout SINGLE\); "
                                             r"the workflow needs paired-end reads"):
        fastq_files(_run(["https://h/SRR9.fastq.gz"], layout="SINGLE"))
    with pytest.raises(AccessionError, match=r"no FASTQ files at ENA; get it with sra-tools instead: prefetch SRR9 "
                                             r"&& fasterq-dump --split-files SRR9"):
        fastq_files(_run([]))
    with pytest.raises(AccessionError, match=r"no _1/_2 FASTQ pair"):
        fastq_files(_run(["https://h/SRR9_1.fastq.gz", "https://h/other.fastq.gz"]))


def test_download_run_fastqs_and_download_run(tmp_path, monkeypatch):
    monkeypatch.setattr("deepallele.resources.http.time.sleep", lambda s: None)
    r1, r2 = b"@r1\nACGT\n+\nIIII\n", b"@r1\nTTTT\n+\nIIII\n"
    with RecordedServer() as server:
        server.add("/vol1/SRR9_1.fastq.gz", [Response(body=r1, truncate_after=5), Response(body=r1)])
        server.add("/vol1/SRR9_2.fastq.gz", [Response(body=r2)])
        server.add("/vol1/SRR9.fastq.gz", [Response(status=500)])  # the unpaired file: never requested
        urls = [f"{server.url}/vol1/SRR9.fastq.gz", f"{server.url}/vol1/SRR9_1.fastq.gz",
                f"{server.url}/vol1/SRR9_2.fastq.gz"]
        row = {"sample": "s", "accession": "SRR9", "run_accession": "SRR9", "experiment_accession": "SRX9",
               "experiment_alias": "", "sample_title": "", "library_layout": "PAIRED", "read_count": "1",
               "fastq_urls": ";".join(urls),
               "fastq_md5": ";".join(hashlib.md5(b).hexdigest() for b in (b"", r1, r2)), "fastq_bytes": ""}
        paths = download_run_fastqs(row, tmp_path / "fq", **HTTP)
        assert [p.name for p in paths] == ["SRR9_1.fastq.gz", "SRR9_2.fastq.gz"]
        assert [p.read_bytes() for p in paths] == [r1, r2]
        assert server.requests == ["/vol1/SRR9_1.fastq.gz", "/vol1/SRR9_1.fastq.gz", "/vol1/SRR9_2.fastq.gz"]

        table = tmp_path / "runs.tsv"
        write_run_table(pd.DataFrame([row]), table)
        outs = [tmp_path / "rule" / "SRR9_1.fastq.gz", tmp_path / "rule" / "SRR9_2.fastq.gz"]
        assert download_run(table, "SRR9", outs, **HTTP) == outs
        assert outs[1].read_bytes() == r2
        with pytest.raises(AccessionError, match=r"run SRR7 is not in run table"):
            download_run(table, "SRR7", outs, **HTTP)
        with pytest.raises(AccessionError, match=r"has 2 FASTQ files at ENA but the rule expects 3"):
            download_run(table, "SRR9", [*outs, tmp_path / "x"], **HTTP)


def test_resolve_sheet_pins_table(tmp_path):
    sheet = "samples.tsv"
    rows = [{"sample": "F1", "accession": "SRR9000101", "title_regex": "", "row": f"{sheet} row 3"},
            {"sample": "F1", "accession": "PRJNA900002", "title_regex": "", "row": f"{sheet} row 5"}]
    out = tmp_path / "runs.tsv"
    with RecordedServer() as server:
        server.add(ena_route("SRR9000101"), fixture("filereport_SRR9000101.tsv"))
        server.add(ena_route("PRJNA900002"), fixture("filereport_header_only.tsv"))
        with pytest.raises(AccessionError, match=rf"^{sheet} row 5: accession PRJNA900002 resolves to no runs"):
            resolve_sheet(rows, out, **services(server))
        assert not out.exists()
        resolve_sheet(rows[:1], out, **services(server))
    table = read_run_table(out)
    assert table["run_accession"].tolist() == ["SRR9000101"]
    assert out.read_text().startswith(f"# runs resolved from {sheet} via {server.url}/ena/portal/api")


def test_ena_answer_without_fields_is_an_error():
    with RecordedServer() as server:
        server.add(ena_route("SRR1"), Response(body="run_accession\tfastq_ftp\nSRR1\tx\n"))
        with pytest.raises(AccessionError, match=r"ENA filereport for SRR1 .* lacks fields \['experiment_accession'"):
            acc.ena_filereport("SRR1", portal_url=services(server)["portal_url"], **HTTP)
