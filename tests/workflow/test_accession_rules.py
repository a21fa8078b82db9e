"""Accessions through the workflow, against a recorded ENA on 127.0.0.1: a sample-sheet row
naming a run is resolved by the resolve_runs checkpoint, and its FASTQs are downloaded
(md5-checked) by download_run, in one Snakemake command; a run table already there is read
without network."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import urllib.parse
from pathlib import Path

import yaml
from httpserver import RecordedServer, Response

from deepallele.reads.accessions import ENA_FIELDS

REPO = Path(__file__).resolve().parents[2]
R1, R2 = b"@r1/1\nACGT\n+\nIIII\n", b"@r1/2\nTTGC\n+\nIIII\n"
HEADER = "\t".join(ENA_FIELDS)


def ena_route(accession: str) -> str:
    return "/ena/portal/api/filereport?" + urllib.parse.urlencode(dict(
        accession=accession, result="read_run", fields=",".join(ENA_FIELDS), format="tsv", download="true", limit="0"))


def filereport(base: str) -> str:
    row = dict.fromkeys(ENA_FIELDS, "")
    row.update(run_accession="SRR0000007", experiment_accession="SRX0000007", experiment_alias="GSM0000007",
               sample_title="F1 test", library_layout="PAIRED", read_count="1",
               fastq_ftp=f"{base}/fq/SRR0000007_1.fastq.gz;{base}/fq/SRR0000007_2.fastq.gz",
               fastq_md5=f"{hashlib.md5(R1).hexdigest()};{hashlib.md5(R2).hexdigest()}",
               fastq_bytes=f"{len(R1)};{len(R2)}")
    return HEADER + "\n" + "\t".join(row[f] for f in ENA_FIELDS) + "\n"


def test_accession_resolved_and_downloaded_in_one_command(tmp_path, real_genome):
    genome = real_genome(tmp_path)
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tunit\taccession\nf1\tL1\tSRR0000007\n")
    with RecordedServer() as server:
        server.add(ena_route("SRR0000007"), Response(body=filereport(server.url)))
        # the first answer of each FASTQ is a broken transfer: retried cleanly
        server.add("/fq/SRR0000007_1.fastq.gz", [Response(body=R1, truncate_after=5), Response(body=R1)])
        server.add("/fq/SRR0000007_2.fastq.gz", Response(body=R2))
        cfg = {"target_datasets": ["acc"],
               "genomes": {"g": {"reference_name": "B6", "strain_name": "CAST", **genome}},
               "datasets": {"acc": {"genome": "g", "assay": "chip", "samples": str(sheet)}},
               "accessions": {"portal_url": server.url + "/ena/portal/api", "eutils_url": server.url + "/eutils"},
               "downloads": {"retries": 2, "backoff_s": 0, "timeout_s": 10}}
        (tmp_path / "acc.yaml").write_text(yaml.safe_dump(cfg))
        res = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                              "--configfile", str(tmp_path / "acc.yaml"), "--cores", "1",
                              "resources/fastq/SRR0000007_1.fastq.gz", "resources/fastq/SRR0000007_2.fastq.gz"],
                             capture_output=True, text=True, cwd=tmp_path)
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
        requests = list(server.requests)
    assert (tmp_path / "resources/fastq/SRR0000007_1.fastq.gz").read_bytes() == R1
    assert (tmp_path / "resources/fastq/SRR0000007_2.fastq.gz").read_bytes() == R2
    assert requests.count("/fq/SRR0000007_1.fastq.gz") == 2
    table = (tmp_path / "resources/runs/acc.tsv").read_text()
    assert "SRR0000007" in table and hashlib.md5(R1).hexdigest() in table
    # the pinned table is read without network: the rest of the DAG plans with the server gone
    res = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                          "--configfile", str(tmp_path / "acc.yaml"), "-n", "--quiet", "rules"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "resolve_runs" not in res.stdout and "download_run" not in res.stdout
    assert "trim_galore" in res.stdout and "figure_performance" in res.stdout
