"""FASTQ pair checks (truncation, structure, mate sync) and unit merging, on hand-made files."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from deepallele.reads.fastq import FastqError, check_and_merge_units, check_fastq_pair, merge_units


def _records(n: int, mate: int, prefix: str = "r", length: int = 8) -> list[tuple[str, str, str]]:
    bases = "ACGT"
    return [(f"{prefix}{i}/{mate} extra:comment", "".join(bases[(i + k + mate) % 4] for k in range(length)),
             "I" * length) for i in range(n)]


def _text(records) -> bytes:
    return "".join(f"@{h}\n{s}\n+\n{q}\n" for h, s, q in records).encode()


def _write(path: Path, records=None, data: bytes | None = None) -> Path:
    data = _text(records) if data is None else data
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path.write_bytes(data)
    return path


def _pair(tmp: Path, n: int = 5, prefix: str = "r", name: str = "u") -> tuple[Path, Path]:
    return (_write(tmp / f"{name}_1.fastq.gz", _records(n, 1, prefix)),
            _write(tmp / f"{name}_2.fastq.gz", _records(n, 2, prefix)))


def test_valid_pair_counts(tmp_path):
    fq1, fq2 = _pair(tmp_path, n=7)
    stats = check_fastq_pair(fq1, fq2)
    assert stats["pairs"] == 7 and stats["bases"] == 2 * 7 * 8 and stats["complete"]
    assert stats["max_read_length"] == 8 and stats["fastq_1"] == str(fq1)


def test_max_records_stops_early(tmp_path):
    fq1, fq2 = _pair(tmp_path, n=7)
    stats = check_fastq_pair(fq1, fq2, max_records=3)
    assert stats["pairs"] == 3 and not stats["complete"]


def test_casava_and_sra_style_names_match(tmp_path):
    r1 = [(f"SRR1.{i} M:1:2 length=4", "ACGT", "IIII") for i in range(3)]
    r2 = [(f"SRR1.{i} M:1:2 length=4", "TTTT", "IIII") for i in range(3)]
    assert check_fastq_pair(_write(tmp_path / "a.fq.gz", r1), _write(tmp_path / "b.fq.gz", r2))["pairs"] == 3


def test_plain_fastq_is_accepted(tmp_path):
    fq1 = _write(tmp_path / "a_1.fastq", _records(4, 1))
    fq2 = _write(tmp_path / "a_2.fastq", _records(4, 2))
    assert check_fastq_pair(fq1, fq2)["pairs"] == 4


def test_truncated_gzip_is_named(tmp_path):
    fq1, fq2 = _pair(tmp_path, n=200)
    data = fq2.read_bytes()
    fq2.write_bytes(data[: len(data) // 2])
    with pytest.raises(FastqError, match="truncated") as err:
        check_fastq_pair(fq1, fq2)
    assert str(fq2) in str(err.value)


def test_corrupt_gzip_is_named(tmp_path):
    fq1, fq2 = _pair(tmp_path, n=50)
    data = bytearray(fq1.read_bytes())
    data[-8] ^= 0xFF  # CRC of the member
    fq1.write_bytes(bytes(data))
    with pytest.raises(FastqError, match="corrupt") as err:
        check_fastq_pair(fq1, fq2)
    assert str(fq1) in str(err.value)


def test_gz_name_without_gzip_content(tmp_path):
    fq1, fq2 = _pair(tmp_path)
    fq1.write_bytes(b"<html>not found</html>\n")
    with pytest.raises(FastqError, match="not a gzip file") as err:
        check_fastq_pair(fq1, fq2)
    assert str(fq1) in str(err.value)


def test_mismatched_names(tmp_path):
    fq1 = _write(tmp_path / "a_1.fastq.gz", _records(5, 1, "r"))
    r2 = _records(5, 2, "r")
    r2[3] = ("other/2", r2[3][1], r2[3][2])
    fq2 = _write(tmp_path / "a_2.fastq.gz", r2)
    with pytest.raises(FastqError, match="out of sync at record 4") as err:
        check_fastq_pair(fq1, fq2)
    assert str(fq1) in str(err.value) and "other/2" in str(err.value)


def test_unequal_sequence_and_quality_lengths(tmp_path):
    r1 = _records(5, 1)
    r1[2] = (r1[2][0], r1[2][1], r1[2][2][:-1])
    fq1 = _write(tmp_path / "a_1.fastq.gz", r1)
    fq2 = _write(tmp_path / "a_2.fastq.gz", _records(5, 2))
    with pytest.raises(FastqError, match="record 3 .*sequence length 8 differs from quality length 7") as err:
        check_fastq_pair(fq1, fq2)
    assert str(fq1) in str(err.value)


def test_unequal_record_counts(tmp_path):
    fq1 = _write(tmp_path / "a_1.fastq.gz", _records(5, 1))
    fq2 = _write(tmp_path / "a_2.fastq.gz", _records(3, 2))
    with pytest.raises(FastqError, match="different numbers of reads") as err:
        check_fastq_pair(fq1, fq2)
    assert f"{fq2} ends after 3 records" in str(err.value)


def test_incomplete_last_record(tmp_path):
    fq1 = _write(tmp_path / "a_1.fastq.gz", data=_text(_records(3, 1)) + b"@r3/1\nACGT\n")
    fq2 = _write(tmp_path / "a_2.fastq.gz", _records(4, 2))
    with pytest.raises(FastqError, match="incomplete last record at line 13") as err:
        check_fastq_pair(fq1, fq2)
    assert str(fq1) in str(err.value)


def test_not_four_line_records(tmp_path):
    data = _text(_records(3, 1)).replace(b"\n+\n", b"\n+\nIIIIIIII\n", 1)  # an extra line in record 1
    fq1 = _write(tmp_path / "a_1.fastq.gz", data=data)
    fq2 = _write(tmp_path / "a_2.fastq.gz", _records(3, 2))
    with pytest.raises(FastqError, match="line 5: expected a record header") as err:
        check_fastq_pair(fq1, fq2)
    assert str(fq1) in str(err.value)


def test_empty_files(tmp_path):
    fq1 = _write(tmp_path / "a_1.fastq.gz", [])
    fq2 = _write(tmp_path / "a_2.fastq.gz", [])
    with pytest.raises(FastqError, match="no reads"):
        check_fastq_pair(fq1, fq2)


def test_missing_file(tmp_path):
    fq1, _ = _pair(tmp_path)
    with pytest.raises(FastqError, match="file not found"):
        check_fastq_pair(fq1, tmp_path / "missing.fastq.gz")


def test_merge_keeps_order_and_is_valid(tmp_path):
    a = _pair(tmp_path, n=3, prefix="a", name="a")
    b = _pair(tmp_path, n=4, prefix="b", name="b")
    c = (_write(tmp_path / "c_1.fastq", _records(2, 1, "c")), _write(tmp_path / "c_2.fastq", _records(2, 2, "c")))
    out1, out2 = tmp_path / "out" / "m_R1.fastq.gz", tmp_path / "out" / "m_R2.fastq.gz"
    merge_units([b, c, a], out1, out2)
    assert check_fastq_pair(out1, out2)["pairs"] == 9
    for out, mate in ((out1, 1), (out2, 2)):
        text = gzip.decompress(out.read_bytes())
        assert text == _text(_records(4, mate, "b") + _records(2, mate, "c") + _records(3, mate, "a"))
    # gzip inputs are copied byte for byte, and the result is deterministic
    assert out1.read_bytes().startswith(b[0].read_bytes())
    first = out1.read_bytes()
    merge_units([b, c, a], out1, out2)
    assert out1.read_bytes() == first
    assert sorted(p.name for p in out1.parent.iterdir()) == ["m_R1.fastq.gz", "m_R2.fastq.gz"]


def test_merge_failure_leaves_no_output(tmp_path):
    a = _pair(tmp_path, n=3, name="a")
    out1, out2 = tmp_path / "m_R1.fastq.gz", tmp_path / "m_R2.fastq.gz"
    with pytest.raises(FileNotFoundError):
        merge_units([a, (a[0], tmp_path / "missing_2.fastq.gz")], out1, out2)
    assert not out1.exists() and not out2.exists()
    assert not list(tmp_path.glob(".m_R*"))
    with pytest.raises(ValueError, match="no FASTQ pairs"):
        merge_units([], out1, out2)


def test_check_and_merge_units(tmp_path, caplog):
    a, b = _pair(tmp_path, n=3, prefix="a", name="a"), _pair(tmp_path, n=4, prefix="b", name="b")
    out1, out2 = tmp_path / "m_R1.fastq.gz", tmp_path / "m_R2.fastq.gz"
    with caplog.at_level("INFO", logger="deepallele.reads.fastq"):
        assert check_and_merge_units(["L1", "L2"], [*a, *b], out1, out2) == 7
    assert "unit L1: 3 read pairs" in caplog.text and "unit L2: 4 read pairs" in caplog.text
    assert gzip.decompress(out2.read_bytes()) == _text(_records(3, 2, "a") + _records(4, 2, "b"))
    with pytest.raises(ValueError, match="2 unit"):
        check_and_merge_units(["L1", "L2"], [*a, b[0]], tmp_path / "x_R1.fastq.gz", tmp_path / "x_R2.fastq.gz")
    # a bad second unit stops before anything is written
    bad = (_write(tmp_path / "c_1.fastq.gz", _records(2, 1, "c")),
           _write(tmp_path / "c_2.fastq.gz", _records(3, 2, "c")))
    with pytest.raises(FastqError, match="c_"):
        check_and_merge_units(["L1", "L3"], [*a, *bad], tmp_path / "y_R1.fastq.gz", tmp_path / "y_R2.fastq.gz")
    assert not (tmp_path / "y_R1.fastq.gz").exists()
