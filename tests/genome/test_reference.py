"""prepare_reference_fasta: plain -> symlink, gzip/bgzip -> decompressed, the index beside dest only."""
from __future__ import annotations

import gzip
import os
import runpy
import stat
from pathlib import Path
from types import SimpleNamespace

import pysam
import pytest

from deepallele.genome.reference import prepare_reference_fasta

FASTA = ">chr1 desc\nACGTACGTAC\nACG\n>chr2\nAAAA\n"
# samtools faidx: name, length, offset, bases per line, bytes per line
FAI = "chr1\t13\t11\t10\t11\nchr2\t4\t32\t4\t5\n"


@pytest.fixture
def source_dir(tmp_path):
    """A directory with the source FASTA, made read-only after the test writes into it."""
    src = tmp_path / "src"
    src.mkdir()
    yield src
    src.chmod(0o755)


def _readonly(directory: Path) -> list[str]:
    directory.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return sorted(p.name for p in directory.iterdir())


def test_plain_source_is_linked_and_indexed_beside_dest(tmp_path, source_dir):
    (source_dir / "mm10.fa").write_text(FASTA)
    before = _readonly(source_dir)
    dest = tmp_path / "resources" / "genomes" / "mm10" / "reference.fa"
    # a relative source path: the link must still point to the absolute, resolved file
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert prepare_reference_fasta(Path("src") / "mm10.fa", dest) == dest
    finally:
        os.chdir(cwd)
    assert dest.is_symlink()
    assert os.readlink(dest) == str((source_dir / "mm10.fa").resolve())
    assert Path(f"{dest}.fai").read_text() == FAI
    assert not Path(f"{dest}.fai").is_symlink()
    assert sorted(p.name for p in source_dir.iterdir()) == before == ["mm10.fa"]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["reference.fa", "reference.fa.fai"]
    with pysam.FastaFile(str(dest)) as fa:
        assert fa.fetch("chr1") == "ACGTACGTACACG"


@pytest.mark.parametrize("compress", ["gzip", "bgzip"])
def test_compressed_source_is_decompressed(tmp_path, source_dir, compress):
    plain = tmp_path / "plain.fa"
    plain.write_text(FASTA)
    source = source_dir / "mm10.fa.gz"
    if compress == "gzip":
        source.write_bytes(gzip.compress(FASTA.encode()))
    else:
        pysam.tabix_compress(str(plain), str(source))
    before = _readonly(source_dir)
    dest = tmp_path / "out" / "reference.fa"
    prepare_reference_fasta(source, dest)
    assert not dest.is_symlink()
    assert dest.read_text() == FASTA
    assert Path(f"{dest}.fai").read_text() == FAI
    assert sorted(p.name for p in source_dir.iterdir()) == before == ["mm10.fa.gz"]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["reference.fa", "reference.fa.fai"]


def test_rerun_replaces_dest(tmp_path):
    first, second = tmp_path / "a.fa", tmp_path / "b.fa.gz"
    first.write_text(FASTA)
    second.write_bytes(gzip.compress(b">x\nGG\n"))
    dest = tmp_path / "out" / "reference.fa"
    prepare_reference_fasta(first, dest)
    prepare_reference_fasta(second, dest)
    assert not dest.is_symlink() and dest.read_text() == ">x\nGG\n"
    assert Path(f"{dest}.fai").read_text() == "x\t2\t3\t2\t3\n"
    prepare_reference_fasta(first, dest)
    assert os.readlink(dest) == str(first.resolve())
    assert Path(f"{dest}.fai").read_text() == FAI
    Path(f"{dest}.fai").write_text("stale\t1\t1\t1\t2\n")
    prepare_reference_fasta(first, dest)  # dest already links to the source: only re-indexed
    assert os.readlink(dest) == str(first.resolve())
    assert Path(f"{dest}.fai").read_text() == FAI
    assert sorted(p.name for p in dest.parent.iterdir()) == ["reference.fa", "reference.fa.fai"]


@pytest.mark.parametrize("content, compressed, message", [
    ("", False, r"src\.fa: the reference FASTA is empty$"),
    ("\n\n", False, r"src\.fa: the reference FASTA is empty \(only blank lines\)"),
    ("##fileformat=VCFv4.2\n", True, r"src\.fa: not a FASTA file: the first non-empty line is '##fileformat=VCFv4.2'"),
    ("\nACGT\n>chr1\nACGT\n", False, r"src\.fa: not a FASTA file: the first non-empty line is 'ACGT'"),
    (">chr1\nAC\n>chr2\nGT\n>chr1 again\nTT\n", True, r"src\.fa: contig names occur more than once: 'chr1'"),
    (">chr1\nAC\n>chr2\nGT\n>chr1 again\nTT\n", False, r"src\.fa: contig names occur more than once: 'chr1'"),
    (">chr1\n>chr2\n", False, r"src\.fa: the reference FASTA has no sequence bases"),
    (">chr1\nACGT\nAC\nACGT\n", False, r"src\.fa: samtools faidx cannot index this FASTA"),
])
def test_errors_leave_nothing_at_dest(tmp_path, content, compressed, message):
    source = tmp_path / "src.fa"
    source.write_bytes(gzip.compress(content.encode()) if compressed else content.encode())
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValueError, match=message):
        prepare_reference_fasta(source, out / "reference.fa")
    assert list(out.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src.fa"]


def test_missing_source(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.fa: reference FASTA not found"):
        prepare_reference_fasta(tmp_path / "nope.fa", tmp_path / "reference.fa")


def test_snakemake_script(tmp_path, repo):
    source = tmp_path / "in.fa.gz"
    source.write_bytes(gzip.compress(FASTA.encode()))
    dest = tmp_path / "res" / "reference.fa"
    sm = SimpleNamespace(input=SimpleNamespace(fasta=str(source)),
                         output=SimpleNamespace(fasta=str(dest), fai=f"{dest}.fai"),
                         log=[str(tmp_path / "prepare.log")])
    runpy.run_path(str(repo / "scripts" / "prepare_reference.py"), init_globals={"snakemake": sm})
    assert dest.read_text() == FASTA
    assert Path(f"{dest}.fai").read_text() == FAI
    assert "2 contigs, 17 bp" in (tmp_path / "prepare.log").read_text()
