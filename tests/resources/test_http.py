"""Downloads and API GETs against a local recorded server: retries, md5, partial files."""
from __future__ import annotations

import hashlib
import logging

import pytest
from httpserver import RecordedServer, Response

from deepallele.resources import http as rh
from deepallele.resources.http import DownloadError, download, fetch_text, md5sum, normalise_url, read_md5_file

DATA = bytes(range(256)) * 40  # 10,240 bytes
DATA_MD5 = hashlib.md5(DATA).hexdigest()
FAST = {"backoff_s": 0.01, "timeout_s": 5.0}


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """Record the backoff sleeps instead of sleeping (exact values become assertable)."""
    slept: list[float] = []
    monkeypatch.setattr(rh.time, "sleep", slept.append)
    return slept


def _no_leftovers(dest):
    assert not dest.exists()
    assert not dest.with_name(dest.name + ".part").exists()
    assert list(dest.parent.iterdir()) == []


def test_download_success_with_md5(tmp_path, waits):
    dest = tmp_path / "out" / "file.bin"
    with RecordedServer() as server:
        server.add("/file.bin", [Response(body=DATA)])
        got = download(server.url + "/file.bin", dest, DATA_MD5, **FAST)
        assert server.requests == ["/file.bin"]
    assert got == dest
    assert dest.read_bytes() == DATA
    assert sorted(p.name for p in dest.parent.iterdir()) == ["file.bin"]
    assert waits == []


def test_download_md5_mismatch_retries_then_fails_clean(tmp_path, waits):
    dest = tmp_path / "file.bin"
    wrong = "0" * 32
    with RecordedServer() as server:
        server.add("/file.bin", [Response(body=DATA)])
        url = server.url + "/file.bin"
        with pytest.raises(DownloadError) as err:
            download(url, dest, wrong, retries=1, **FAST)
        assert server.requests == ["/file.bin", "/file.bin"]
    msg = str(err.value)
    assert f"md5 mismatch: expected {wrong}, got {DATA_MD5}" in msg
    assert url in msg and str(dest) in msg and "after 2 attempts" in msg
    assert "place the file at" in msg
    assert waits == [0.01]
    _no_leftovers(dest)


def test_interrupted_transfer_is_retried_from_scratch(tmp_path, waits):
    dest = tmp_path / "file.bin"
    with RecordedServer() as server:
        server.add("/file.bin", [Response(body=DATA, truncate_after=1000), Response(body=DATA)])
        download(server.url + "/file.bin", dest, DATA_MD5, **FAST)
        assert server.requests == ["/file.bin", "/file.bin"]
    assert dest.read_bytes() == DATA
    assert not (tmp_path / "file.bin.part").exists()
    assert waits == [0.01]


def test_interrupted_transfer_without_md5_is_still_detected(tmp_path, waits):
    dest = tmp_path / "file.bin"
    with RecordedServer() as server:
        server.add("/file.bin", [Response(body=DATA, truncate_after=10)])
        with pytest.raises(DownloadError, match=r"transfer interrupted") as err:
            download(server.url + "/file.bin", dest, None, retries=2, **FAST)
        assert len(server.requests) == 3
    assert "after 3 attempts" in str(err.value)
    assert waits == [0.01, 0.02]
    _no_leftovers(dest)


def test_429_honours_retry_after(tmp_path, waits):
    with RecordedServer() as server:
        server.add("/api?q=1", [Response(status=429, headers={"Retry-After": "0"}), Response(body="hello\n")])
        # a large backoff would be used if Retry-After were ignored
        text = fetch_text(server.url + "/api", params={"q": 1}, backoff_s=30.0, timeout_s=5.0)
        assert server.requests == ["/api?q=1", "/api?q=1"]
    assert text == "hello\n"
    assert waits == [0.0]


def test_429_without_retry_after_backs_off(tmp_path, waits):
    dest = tmp_path / "f"
    with RecordedServer() as server:
        server.add("/f", [Response(status=429), Response(body=DATA)])
        download(server.url + "/f", dest, DATA_MD5, **FAST)
    assert waits == [0.01]
    assert dest.read_bytes() == DATA


def test_5xx_then_success_exponential_backoff(waits):
    with RecordedServer() as server:
        server.add("/api", [Response(status=500), Response(status=503), Response(body="ok")])
        assert fetch_text(server.url + "/api", **FAST) == "ok"
        assert server.requests == ["/api"] * 3
    assert waits == [0.01, 0.02]


def test_5xx_exhausted_names_url_and_attempts(waits):
    with RecordedServer() as server:
        server.add("/api", [Response(status=502)])
        with pytest.raises(DownloadError) as err:
            fetch_text(server.url + "/api", retries=2, **FAST)
        assert len(server.requests) == 3
    assert str(err.value).startswith(f"GET {server.url}/api failed after 3 attempts: server error (HTTP 502")
    assert waits == [0.01, 0.02]


def test_404_fails_immediately(tmp_path, waits):
    dest = tmp_path / "missing.gz"
    with RecordedServer() as server:
        server.add("/missing.gz", [Response(status=404, body="nope")])
        url = server.url + "/missing.gz"
        with pytest.raises(DownloadError) as err:
            download(url, dest, None, **FAST)
        assert server.requests == ["/missing.gz"]
    assert str(err.value).startswith(f"could not download {url} to {dest}: not found (HTTP 404).")
    assert "set a mirror URL in the config" in str(err.value)
    assert waits == []
    _no_leftovers(dest)


def test_other_4xx_not_retried(waits):
    with RecordedServer() as server:
        server.add("/api", [Response(status=400, body='{"message":"Invalid accession"}')])
        with pytest.raises(DownloadError, match=r"HTTP 400 Bad Request"):
            fetch_text(server.url + "/api", **FAST)
        assert server.requests == ["/api"]
    assert waits == []


def test_204_is_empty_text(waits):
    with RecordedServer() as server:
        server.add("/api", [Response(status=204)])
        assert fetch_text(server.url + "/api", **FAST) == ""


def test_truncated_api_body_is_retried(waits):
    with RecordedServer() as server:
        server.add("/api", [Response(body="a\tb\n1\t2\n", truncate_after=3), Response(body="a\tb\n1\t2\n")])
        assert fetch_text(server.url + "/api", **FAST) == "a\tb\n1\t2\n"
        assert len(server.requests) == 2
    assert waits == [0.01]


def test_connection_refused_is_retried(waits):
    with RecordedServer() as server:
        url = server.url + "/api"
    # the server is gone: connections are refused
    with pytest.raises(DownloadError, match=r"after 2 attempts: connection failed"):
        fetch_text(url, retries=1, **FAST)
    assert waits == [0.01]


def test_keyboard_interrupt_removes_part(tmp_path, monkeypatch):
    dest = tmp_path / "file.bin"
    real_write = rh._write

    def write_then_interrupt(fh, block, part):
        real_write(fh, block, part)
        assert part.exists()
        raise KeyboardInterrupt

    monkeypatch.setattr(rh, "_write", write_then_interrupt)
    with RecordedServer() as server:
        server.add("/file.bin", [Response(body=DATA)])
        with pytest.raises(KeyboardInterrupt):
            download(server.url + "/file.bin", dest, DATA_MD5, **FAST)
    _no_leftovers(dest)


def test_local_copies_file_url_and_path(tmp_path, waits):
    src = tmp_path / "src" / "a b.bin"
    src.parent.mkdir()
    src.write_bytes(DATA)
    out = tmp_path / "out"
    assert download(src.as_uri(), out / "x.bin", DATA_MD5).read_bytes() == DATA
    assert download(str(src), out / "y.bin", DATA_MD5).read_bytes() == DATA
    assert sorted(p.name for p in out.iterdir()) == ["x.bin", "y.bin"]
    with pytest.raises(DownloadError, match=r"local file .*nothere.bin not found") as err:
        download(str(tmp_path / "nothere.bin"), out / "z.bin", None)
    assert "after" not in str(err.value)  # not retried
    with pytest.raises(DownloadError, match="md5 mismatch"):
        download(str(src), out / "w.bin", "f" * 32, retries=0)
    assert sorted(p.name for p in out.iterdir()) == ["x.bin", "y.bin"]
    assert waits == []


def test_md5_companion_file(tmp_path, waits):
    dest = tmp_path / "CAST_EiJ.snps.vcf.gz"
    with RecordedServer() as server:
        server.add("/rel/CAST_EiJ.snps.vcf.gz.md5", [Response(body=f"{DATA_MD5.upper()}  ./CAST_EiJ.snps.vcf.gz\n")])
        server.add("/rel/CAST_EiJ.snps.vcf.gz", [Response(body=DATA)])
        url = server.url + "/rel/CAST_EiJ.snps.vcf.gz"
        download(url, dest, "", md5_url=url + ".md5", **FAST)
        assert server.requests == ["/rel/CAST_EiJ.snps.vcf.gz.md5", "/rel/CAST_EiJ.snps.vcf.gz"]
    assert md5sum(dest) == DATA_MD5


def test_progress_logged_every_tenth(tmp_path, caplog):
    body = b"x" * (3 * rh.CHUNK)  # three reads of one chunk: 33 %, 66 %, 100 %
    with RecordedServer() as server:
        server.add("/big", [Response(body=body)])
        with caplog.at_level(logging.INFO, logger="deepallele.resources"):
            download(server.url + "/big", tmp_path / "big", None, **FAST)
    progress = [r.getMessage() for r in caplog.records if "bytes (" in r.getMessage()]
    assert progress == [
        "big: 1,048,576 of 3,145,728 bytes (33 %)",
        "big: 2,097,152 of 3,145,728 bytes (66 %)",
        "big: 3,145,728 of 3,145,728 bytes (100 %)",
    ]


def test_normalise_url():
    assert (normalise_url("ftp.sra.ebi.ac.uk/vol1/fastq/SRR900/001/SRR9000101/SRR9000101_1.fastq.gz")
            == "https://ftp.sra.ebi.ac.uk/vol1/fastq/SRR900/001/SRR9000101/SRR9000101_1.fastq.gz")
    assert normalise_url(" ftp://ftp.ebi.ac.uk/x.gz ") == "ftp://ftp.ebi.ac.uk/x.gz"
    assert normalise_url("https://a.org/x") == "https://a.org/x"
    assert normalise_url("file:///data/x.gz") == "file:///data/x.gz"
    assert normalise_url("/data/x.gz") == "/data/x.gz"
    assert normalise_url("reads/x.fastq.gz") == "reads/x.fastq.gz"
    assert normalise_url("./ftp.sra.ebi.ac.uk/x") == "./ftp.sra.ebi.ac.uk/x"


def test_md5sum_and_md5_files(tmp_path):
    f = tmp_path / "abc"
    f.write_bytes(b"abc")
    assert md5sum(f, chunk=1) == "900150983cd24fb0d6963f7d28e17f72"
    h = "900150983cd24fb0d6963f7d28e17f72"
    assert read_md5_file(h + "\n") == h
    assert read_md5_file(f"{h.upper()}  abc\n", filename="abc") == h
    assert read_md5_file(f"{h} *dir/abc\n", filename="https://x.org/rel/abc") == h
    assert read_md5_file(f"MD5 (abc) = {h}\n", filename="abc") == h
    two = f"{'1' * 32}  other.gz\n{h}  ./abc\n"
    assert read_md5_file(two, filename="abc") == h
    with pytest.raises(ValueError, match="lists 2 files"):
        read_md5_file(two)
    with pytest.raises(ValueError, match="no entry for zzz"):
        read_md5_file(two, filename="zzz")
    with pytest.raises(ValueError, match="not an md5 file"):
        read_md5_file("<html>404</html>")
