"""JASPAR motifs offline (pyjaspar's bundled SQLite database) and MEME-format files.

The paper scans and annotates with ``JASPAR2020_CORE_vertebrates_non-redundant_pfms.TFnames.meme``:
746 motifs named by TF (unique names), probabilities straight from the JASPAR counts (no
pseudocount; FIMO/TomTom add their own ``eps``). :func:`jaspar_motifs` rebuilds the same set
from pyjaspar (which ships every JASPAR release and needs no network) and :func:`write_meme`
writes it as MEME v4 text::

    from deepallele.motifs.jaspar import jaspar_motifs, write_meme, read_meme
    motifs = jaspar_motifs()                     # {"Arnt": (4, 6) array, ..., "SPI1": ...}
    write_meme(motifs, "JASPAR2020.meme", ids=jaspar_matrix_ids())
    read_meme("JASPAR2020.meme")                 # the same dict back

Rows of every matrix are A, C, G, T; columns are motif positions. Motifs are ordered by JASPAR
matrix ID (as JASPAR's own files), so outputs are deterministic.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..alphabet import BASES

JASPAR_RELEASE = "JASPAR2020"
COLLECTION = "CORE"
TAX_GROUP = "vertebrates"
ALPHABET = BASES  # rows of a motif matrix, the one-hot channel order
URL_PREFIX = "http://jaspar.genereg.net/matrix/"


@lru_cache(maxsize=None)
def _fetch(release: str, collection: str, tax_group: str) -> tuple:
    """The Bio.motifs JASPAR records of one release/collection/taxon, latest versions only,
    sorted by matrix ID (cached: opening pyjaspar's database takes about a second)."""
    from pyjaspar import jaspardb

    records = jaspardb(release=release).fetch_motifs(collection=collection, tax_group=[tax_group],
                                                     all_versions=False)
    if not records:
        raise ValueError(f"pyjaspar has no {collection} {tax_group} motifs in release {release!r}")
    return tuple(sorted(records, key=lambda m: m.matrix_id))


def _unique_names(names: list[str], ids: list[str]) -> list[str]:
    """TF names, with the matrix ID appended to any name that occurs more than once."""
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    return [n if counts[n] == 1 else f"{n}_{i}" for n, i in zip(names, ids)]


def _pfm(record) -> np.ndarray:
    """(4, W) probabilities of one Bio.motifs record, from its counts (columns sum to 1)."""
    counts = np.array([[record.counts[b][i] for i in range(record.length)] for b in ALPHABET], dtype=np.float64)
    totals = counts.sum(axis=0)
    if np.any(totals <= 0):
        raise ValueError(f"JASPAR matrix {record.matrix_id} ({record.name}) has a column without counts")
    return counts / totals


def jaspar_motifs(release: str = JASPAR_RELEASE, collection: str = COLLECTION,
                  tax_group: str = TAX_GROUP) -> dict[str, np.ndarray]:
    """Position frequency matrices of a JASPAR collection, non-redundant, named by TF.

    Parameters
    ----------
    release : str
        pyjaspar release name (``"JASPAR2020"``: 746 CORE vertebrates motifs).
    collection : str
        JASPAR collection.
    tax_group : str
        JASPAR taxonomic group.

    Returns
    -------
    dict of str to numpy.ndarray
        TF name -> (4, W) float64 probabilities (rows A, C, G, T; no pseudocount), in matrix-ID
        order. Names are JASPAR's (``SPI1``, ``FOS::JUN``, ``Ddit3::Cebpa``, ``MAX(var.2)``);
        a name shared by several matrices would get ``_<matrix ID>`` appended so every key is
        unique (none is shared in JASPAR 2020 CORE vertebrates).

    Examples
    --------
    >>> motifs = jaspar_motifs()
    >>> len(motifs), motifs["SPI1"].shape[0]
    (746, 4)
    """
    records = _fetch(release, collection, tax_group)
    names = _unique_names([r.name for r in records], [r.matrix_id for r in records])
    return {name: _pfm(r) for name, r in zip(names, records)}


def jaspar_matrix_ids(release: str = JASPAR_RELEASE, collection: str = COLLECTION,
                      tax_group: str = TAX_GROUP) -> dict[str, str]:
    """JASPAR matrix ID of each motif of :func:`jaspar_motifs` (same keys and order).

    Returns
    -------
    dict of str to str
        TF name -> matrix ID (``"SPI1" -> "MA0080.5"``).
    """
    records = _fetch(release, collection, tax_group)
    names = _unique_names([r.name for r in records], [r.matrix_id for r in records])
    return {name: r.matrix_id for name, r in zip(names, records)}


def write_meme(motifs: dict[str, np.ndarray], path: str | Path, ids: dict[str, str] | None = None,
               nsites: dict[str, int] | None = None) -> Path:
    """Write motifs as a MEME v4 text file (uniform background, both strands).

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        Name -> (4, W) probabilities (rows A, C, G, T). Names must not contain whitespace.
    path : str or pathlib.Path
        Output file (written to ``<path>.tmp`` and renamed, so a failure leaves no partial file).
    ids : dict of str to str, optional
        Name -> JASPAR matrix ID; adds a ``URL`` line per motif as in JASPAR's files.
    nsites : dict of str to int, optional
        Name -> number of sites for the ``nsites=`` field (default 20, MEME's convention when
        unknown).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        A matrix that is not (4, W) with W >= 1, has negative or non-finite entries, or columns
        that do not sum to 1 (within 1e-3); or a name with whitespace.
    """
    path = Path(path)
    lines = ["MEME version 4", "", f"ALPHABET= {ALPHABET}", "", "strands: + -", "",
             "Background letter frequencies", "A 0.25 C 0.25 G 0.25 T 0.25", ""]
    for name, pfm in motifs.items():
        pfm = np.asarray(pfm, dtype=np.float64)
        if not name or any(c.isspace() for c in name):
            raise ValueError(f"{path}: motif name {name!r} is empty or contains whitespace")
        if pfm.ndim != 2 or pfm.shape[0] != 4 or pfm.shape[1] < 1:
            raise ValueError(f"{path}: motif {name!r} has shape {pfm.shape}, expected (4, W)")
        if not np.all(np.isfinite(pfm)) or np.any(pfm < 0) or not np.allclose(pfm.sum(axis=0), 1.0, atol=1e-3):
            raise ValueError(f"{path}: motif {name!r} is not a probability matrix (columns must sum to 1)")
        n = (nsites or {}).get(name, 20)
        lines += [f"MOTIF {name}", "",
                  f"letter-probability matrix: alength= 4 w= {pfm.shape[1]} nsites= {n} E= 0"]
        lines += ["  ".join(f"{p:.6f}" for p in col) for col in pfm.T]
        if ids and name in ids:
            lines += ["", f"URL {URL_PREFIX}{ids[name]}"]
        lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)
    return path


def read_meme(path: str | Path) -> dict[str, np.ndarray]:
    """Read the motifs of a MEME text file (any number of motifs, DNA alphabet ACGT).

    Parameters
    ----------
    path : str or pathlib.Path
        MEME v4 file (as :func:`write_meme`, JASPAR or the MEME suite write it).

    Returns
    -------
    dict of str to numpy.ndarray
        Motif name (first word after ``MOTIF``) -> (4, W) float64 probabilities, in file order.

    Raises
    ------
    ValueError
        A duplicate motif name, a matrix row without 4 numbers, a ``w=`` that disagrees with the
        rows, or no motifs at all; the message names the file and line.
    """
    path = Path(path)
    motifs: dict[str, np.ndarray] = {}
    name, rows, width, start = None, None, None, 0

    def finish(lineno):
        if name is not None:
            if rows is None or not rows:
                raise ValueError(f"{path}:{start}: motif {name!r} has no letter-probability matrix")
            if width is not None and len(rows) != width:
                raise ValueError(f"{path}:{lineno}: motif {name!r} has {len(rows)} rows but w= {width}")
            motifs[name] = np.array(rows, dtype=np.float64).T

    lines = path.read_text().splitlines()
    reading = False
    for i, line in enumerate(lines, start=1):
        words = line.split()
        if words[:1] == ["MOTIF"]:
            finish(i)
            if len(words) < 2:
                raise ValueError(f"{path}:{i}: MOTIF line without a name")
            name, rows, width, start, reading = words[1], None, None, i, False
            if name in motifs:
                raise ValueError(f"{path}:{i}: duplicate motif name {name!r}")
        elif line.startswith("letter-probability matrix"):
            if name is None:
                raise ValueError(f"{path}:{i}: matrix before any MOTIF line")
            rows, reading = [], True
            fields = line.split("w=")
            width = int(fields[1].split()[0]) if len(fields) > 1 else None
        elif reading:
            if not words or words[0] == "URL":
                reading = False
                continue
            try:
                values = [float(w) for w in words]
            except ValueError:
                reading = False
                continue
            if len(values) != 4:
                raise ValueError(f"{path}:{i}: matrix row of motif {name!r} has {len(values)} values, expected 4")
            rows.append(values)
            if width is not None and len(rows) == width:
                reading = False
    finish(len(lines))
    if not motifs:
        raise ValueError(f"{path}: no motifs found (not a MEME file?)")
    return motifs


def build_jaspar_meme(path: str | Path, release: str = JASPAR_RELEASE, collection: str = COLLECTION,
                      tax_group: str = TAX_GROUP) -> Path:
    """Write the JASPAR collection of :func:`jaspar_motifs` as a MEME file with URL lines.

    Parameters
    ----------
    path : str or pathlib.Path
        Output MEME file (e.g. ``resources/motifs/JASPAR2020_CORE_vertebrates_non-redundant.meme``).
    release, collection, tax_group : str
        As :func:`jaspar_motifs`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    records = _fetch(release, collection, tax_group)
    motifs = jaspar_motifs(release, collection, tax_group)
    ids = jaspar_matrix_ids(release, collection, tax_group)
    # JASPAR matrices are counts; their first column's total is the number of sites
    nsites = {name: int(round(sum(r.counts[b][0] for b in ALPHABET))) for name, r in zip(motifs, records)}
    return write_meme(motifs, path, ids=ids, nsites=nsites)
