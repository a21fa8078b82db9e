"""Contig names across FASTA, VCF and BED/peak files: read them, map one naming onto another.

The mouse resources the workflow combines name chromosomes in two ways: UCSC mm10 (``chr1`` ...
``chrX``, ``chrY``, ``chrM``) and Ensembl / Mouse Genomes Project (``1`` ... ``X``, ``Y``,
``MT``). :func:`naming_map` maps one naming onto the contigs of a target (usually the reference
FASTA) with four rules only:

* the same name;
* ``chr`` added (``1`` -> ``chr1``);
* ``chr`` removed (``chr1`` -> ``1``);
* the mitochondrion, ``MT`` <-> ``chrM``.

Unplaced scaffolds are **not** guessed (Ensembl ``GL456210.1`` vs UCSC
``chr1_GL456210_random``): the chromosome they are "random" on is not in the Ensembl name, so a
guess could put variants on the wrong sequence. They map to ``None``.

:func:`check_naming` turns a mapping into messages that say what differs and give the command
that fixes the file; :func:`write_rename_map` writes the two-column map that ``bcftools annotate
--rename-chrs`` reads.
"""
from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

_MAX_LISTED = 5
_CONTIG_ID = re.compile(r"^##contig=<.*?\bID=([^,>]+)")
_MITO = {"MT": "chrM", "chrM": "MT"}


# --- reading -----------------------------------------------------------------------------------


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _open_binary(path: Path):
    """Binary reader for a plain, gzip or bgzip file (bgzip is multi-member gzip)."""
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


def _listed(items: Sequence, limit: int = _MAX_LISTED) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def read_fai(path: str | Path) -> dict[str, int]:
    """Contig lengths from a ``samtools faidx`` index or a ``chrom<TAB>size`` file, in file order.

    The one reader of contig sizes: blank and ``#`` lines are skipped, extra columns ignored.

    Raises
    ------
    ValueError
        The file is missing, has no contigs, or a line lacks a name and an integer length
        (the message names the file and line).
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: contig sizes file not found (index the FASTA with: samtools faidx)")
    sizes: dict[str, int] = {}
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            try:
                sizes[fields[0]] = int(fields[1])
            except (IndexError, ValueError):
                raise ValueError(f"{path} line {number}: expected 'name<TAB>length', got {line.strip()!r}") from None
    if not sizes:
        raise ValueError(f"{path}: no contigs")
    return sizes


def scan_fasta(path: str | Path) -> list[tuple[str, int]]:
    """``(name, length)`` of every sequence of a FASTA, in file order, duplicates kept.

    Reads the whole file once (plain, gzip or bgzip). The name is the header up to the first
    whitespace, as ``samtools faidx`` takes it.

    Raises
    ------
    ValueError
        The first non-empty line is not a ``>`` header (the file is not FASTA).
    """
    path = Path(path)
    records: list[tuple[str, int]] = []
    name, length = None, 0
    with _open_binary(path) as handle:
        for line in handle:
            if line.startswith(b">"):
                if name is not None:
                    records.append((name, length))
                fields = line[1:].split()
                name, length = (fields[0].decode() if fields else ""), 0
            elif name is None:
                if line.strip():
                    shown = line.strip()[:40].decode(errors="replace")
                    raise ValueError(f"{path}: not a FASTA file: the first non-empty line is {shown!r}, "
                                     "not a '>' header")
            else:
                length += len(line.strip())
    if name is not None:
        records.append((name, length))
    return records


def fasta_contigs(path: str | Path) -> dict[str, int]:
    """Contig name -> length of a FASTA, in file order.

    Parameters
    ----------
    path : str or pathlib.Path
        FASTA (plain, gzip or bgzip). When ``<path>.fai`` exists it is read instead of the
        sequences (it is assumed to be current); otherwise the file is streamed once.

    Returns
    -------
    dict of str to int

    Raises
    ------
    FileNotFoundError
        The FASTA is missing.
    ValueError
        Not a FASTA file, or a contig name occurs twice.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: FASTA file not found")
    fai = Path(f"{path}.fai")
    if fai.exists():
        return read_fai(fai)
    sizes: dict[str, int] = {}
    for name, length in scan_fasta(path):
        if name in sizes:
            raise ValueError(f"{path}: contig {name!r} occurs more than once")
        sizes[name] = length
    return sizes


def _is_bcf(path: Path) -> bool:
    with _open_binary(path) as handle:
        return handle.read(3) == b"BCF"


def vcf_header_contigs(path: str | Path) -> list[str]:
    """Contig IDs of a VCF's ``##contig`` header lines, in header order (records are not read)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: VCF file not found")
    if _is_bcf(path):
        import pysam

        with pysam.VariantFile(str(path)) as variants:
            return list(variants.header.contigs)
    names: list[str] = []
    with _open_binary(path) as handle:
        for raw in handle:
            if not raw.startswith(b"##"):
                break
            match = _CONTIG_ID.match(raw.decode(errors="replace"))
            if match and match.group(1) not in names:
                names.append(match.group(1))
    return names


def vcf_record_contigs(path: str | Path) -> list[str]:
    """Distinct CHROM values of a VCF's records, whether the header declares them or not.

    From the tabix index (``<path>.tbi``, which lists the contigs holding records) when there
    is one; otherwise the records are streamed once (CHROM only), in order of first
    appearance. A BCF declares every contig: its header contigs are returned.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: VCF file not found")
    if _is_bcf(path):
        return vcf_header_contigs(path)
    if Path(f"{path}.tbi").exists():
        import pysam

        try:
            with pysam.TabixFile(str(path)) as tabix:
                return list(tabix.contigs)
        except (OSError, ValueError):
            pass  # an unusable index: read the records
    names: list[str] = []
    seen: set[str] = set()
    with _open_binary(path) as handle:
        for raw in handle:
            if raw.startswith(b"#"):
                continue
            chrom = raw.split(b"\t", 1)[0].strip()
            if chrom and chrom not in seen:
                seen.add(chrom)
                names.append(chrom.decode())
    return names


def vcf_contigs(path: str | Path) -> list[str]:
    """Contig names of a VCF: its ``##contig`` header lines, else the CHROM values of its records.

    Parameters
    ----------
    path : str or pathlib.Path
        VCF, plain or bgzipped, or BCF.

    Returns
    -------
    list of str
        Header order; for a VCF without ``##contig`` lines, the distinct CHROM values in order
        of first appearance (see :func:`vcf_record_contigs`; the records are streamed, not held
        in memory).
    """
    return vcf_header_contigs(path) or vcf_record_contigs(path)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def table_contigs(path: str | Path, column: int | None = None) -> list[str]:
    """Distinct contig names of a BED, narrowPeak or SAF file, in order of first appearance.

    Parameters
    ----------
    path : str or pathlib.Path
        Tab-separated table, optionally gzipped. Blank, ``#``, ``track`` and ``browser`` lines
        are skipped, and so is a header line (a SAF ``GeneID ...`` header, or a line whose
        second column is not an integer, e.g. ``chrom start end``).
    column : int, optional
        0-based column holding the contig. Default: 1 for SAF (a ``GeneID`` header or a
        ``.saf`` name), else 0.

    Returns
    -------
    list of str
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: file not found")
    is_saf = path.name.lower().removesuffix(".gz").endswith(".saf")
    names: list[str] = []
    seen: set[str] = set()
    first = True
    with _open_binary(path) as handle:
        for raw in handle:
            line = raw.decode(errors="replace").rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "track", "browser")):
                continue
            fields = line.split("\t")
            if len(fields) == 1:  # space-separated BED
                fields = stripped.split()
            if first:
                first = False
                if fields[0].strip().lower() == "geneid":
                    is_saf = True
                    continue
                if len(fields) > 1 and not _is_int(fields[1].strip()) and not is_saf:
                    continue  # a BED header line such as "chrom start end"
            col = column if column is not None else (1 if is_saf else 0)
            if col >= len(fields):
                continue
            name = fields[col].strip()
            if name not in seen:
                seen.add(name)
                names.append(name)
    return names


# --- mapping -----------------------------------------------------------------------------------


def _candidates(name: str) -> list[str]:
    """Target names ``name`` may denote, in order of preference (the same name first)."""
    out = [name]
    if name in _MITO:
        out.append(_MITO[name])
    if name.startswith("chr") and len(name) > 3:
        out.append(name[3:])
    else:
        out.append("chr" + name)
    return out


def naming_map(names: Iterable[str], target: Iterable[str]) -> dict[str, str | None]:
    """The target contig each name denotes, or None.

    Parameters
    ----------
    names : iterable of str
        Contig names of the file to be matched (e.g. a VCF's).
    target : iterable of str
        Contig names of the naming to match (e.g. the reference FASTA's).

    Returns
    -------
    dict of str to str or None
        For each name, in order: the same name if the target has it; else ``chr`` + name; else
        the name without ``chr``; for ``MT`` / ``chrM`` the other spelling; else None. A name
        whose target contig is already taken by an identical name (a file naming both ``1``
        and ``chr1``) maps to None, so renaming never merges two contigs.
    """
    names = list(dict.fromkeys(names))
    target_set = set(target)
    identical = {n for n in names if n in target_set}
    mapping: dict[str, str | None] = {}
    claimed: set[str] = set(identical)
    for name in names:
        if name in identical:
            mapping[name] = name
            continue
        found = None
        for candidate in _candidates(name)[1:]:
            if candidate in target_set and candidate not in claimed:
                found = candidate
                break
        if found is not None:
            claimed.add(found)
        mapping[name] = found
    return mapping


def _style(names: Sequence[str]) -> str:
    with_chr = sum(1 for n in names if n.startswith("chr"))
    if with_chr == len(names):
        return "with 'chr'"
    if with_chr == 0:
        return "no 'chr'"
    return "mixed 'chr'"


def _fix_kind(what: str) -> str:
    text = what.lower()
    if "vcf" in text or "bcf" in text:
        return "vcf"
    if "bam" in text or ".cram" in text:
        return "bam"
    if any(key in text for key in ("peak", "bed", "saf", "narrowpeak", "table")):
        return "table"
    return "other"


def _path_in(what: str, default: str) -> str:
    """The last word of ``what`` that looks like a file name (for the fix command)."""
    for word in reversed(what.split()):
        if "." in word or "/" in word:
            return word.strip("'\"(),:;")
    return default


def fix_command(renames: Mapping[str, str], kind: str, path: str, column: int = 0,
                map_file: str = "contig_map.tsv") -> str:
    """A shell command that renames the contigs of ``path`` by ``renames`` (old -> new).

    ``kind`` is ``"vcf"`` (``bcftools annotate --rename-chrs``, the map written by
    :func:`write_rename_map` to ``map_file``), ``"bam"`` (``samtools view`` + ``sed`` on the
    header) or ``"table"`` (an ``awk`` one-liner with the map inline, renaming field
    ``column + 1``; comment, track and header lines pass unchanged since their first field is
    not in the map).
    """
    pairs = list(renames.items())
    if kind == "vcf":
        stem = re.sub(r"\.(vcf|bcf)(\.gz)?$", "", path)
        return (f"bcftools annotate --rename-chrs {map_file} {path} -Oz -o {stem}.renamed.vcf.gz "
                f"(map: one 'old<TAB>new' line per contig, e.g. printf '{pairs[0][0]}\\t{pairs[0][1]}\\n')")
    if kind == "table" and all("," not in a + b and "=" not in a + b and "'" not in a + b for a, b in pairs):
        inline = ",".join(f"{a}={b}" for a, b in pairs)
        field = f"${column + 1}"
        out = re.sub(r"(\.[A-Za-z]+)(\.gz)?$", r".renamed\1", path) if "." in Path(path).name else path + ".renamed"
        reader = f"<(zcat {path})" if path.endswith(".gz") else path
        return ("awk -v map='" + inline + "' 'BEGIN{FS=OFS=\"\\t\"; n=split(map,p,\",\"); "
                "for(i=1;i<=n;i++){split(p[i],kv,\"=\"); m[kv[1]]=kv[2]}} "
                f"({field} in m){{{field}=m[{field}]}} 1' {reader} > {out}")
    if kind == "bam":
        return (f"realign against the target, or rename the @SQ SN: names of {path}'s header with "
                f"samtools reheader (old<TAB>new pairs in {map_file})")
    return f"rename the contigs with the two-column map {map_file} (old<TAB>new)"


def check_naming(names: Iterable[str] | Mapping[str, int], target: Iterable[str], what: str,
                 target_what: str, *, kind: str | None = None, column: int = 0) -> list[str]:
    """Problems between a file's contig names and a target naming, as readable messages.

    Parameters
    ----------
    names : iterable of str, or mapping of str to int
        The file's contig names; a mapping gives each name's record (or peak) count, which is
        then reported for the names without a counterpart.
    target : iterable of str
        The target naming (e.g. the reference FASTA's contigs).
    what, target_what : str
        How the messages name the file and the target, e.g. ``"strain VCF x.vcf.gz"`` and
        ``"the reference FASTA mm10.fa"``. The last word with a dot or slash is taken as the
        file's path in the fix command.
    kind : {"vcf", "table", "bam", "other"}, optional
        Which fix command to give; guessed from ``what`` (``VCF``, ``peak``/``BED``/``SAF``,
        ``BAM``) when left out.
    column : int
        0-based contig column of a table (1 for SAF), for its fix command.

    Returns
    -------
    list of str
        Empty when every name is in the target. Otherwise one message for the names that can
        be renamed (with the count, the first renames and the fix command) and one for the
        names with no counterpart (with their count, the first few and, given counts, their
        records).
    """
    counts = dict(names) if isinstance(names, Mapping) else None
    names = list(dict.fromkeys(names))
    target = list(dict.fromkeys(target))
    mapping = naming_map(names, target)
    renames = {a: b for a, b in mapping.items() if b is not None and a != b}
    missing = [a for a, b in mapping.items() if b is None]
    if not renames and not missing:
        return []
    messages = []
    kind = kind or _fix_kind(what)
    if renames:
        shown = _listed([f"{a}->{b}" for a, b in renames.items()], 3)
        fix = fix_command(renames, kind, _path_in(what, "FILE"), column)
        messages.append(
            f"{what} names contigs {_listed(names, 3)} ({_style(names)}), {target_what} names "
            f"{_listed(target, 3)} ({_style(target)}): {len(renames)} contig"
            f"{'s' if len(renames) != 1 else ''} can be renamed ({shown}); rename with: {fix}")
    if missing:
        if counts is not None:
            listed = _listed([f"{n} ({counts.get(n, 0)} records)" for n in missing])
            total = sum(counts.get(n, 0) for n in missing)
            extra = f"; {total} record{'s' if total != 1 else ''} in all"
        else:
            listed, extra = _listed(missing), ""
        messages.append(
            f"{what}: {len(missing)} contig{'s' if len(missing) != 1 else ''} with no counterpart in "
            f"{target_what}: {listed}{extra} (unplaced scaffolds such as GL456210.1 vs "
            "chr1_GL456210_random are not matched; such records cannot be used)")
    return messages


def write_rename_map(mapping: Mapping[str, str | None], path: str | Path) -> Path:
    """Write ``old<TAB>new`` lines for ``bcftools annotate --rename-chrs``.

    Only real renames are written (entries mapping to None or to the same name are left out),
    in the mapping's order. Returns the path.
    """
    path = Path(path)
    with open(path, "w") as handle:
        for old, new in mapping.items():
            if new is not None and new != old:
                handle.write(f"{old}\t{new}\n")
    return path


def rename_contigs(df: pd.DataFrame, column: str, mapping: Mapping[str, str | None]) -> pd.DataFrame:
    """A copy of ``df`` with ``column`` renamed by ``mapping``.

    Names missing from the mapping or mapped to None keep their name (drop them explicitly if
    they must go).
    """
    renames = {old: new for old, new in mapping.items() if new is not None and new != old}
    out = df.copy()
    out[column] = out[column].map(lambda name: renames.get(name, name))
    return out
