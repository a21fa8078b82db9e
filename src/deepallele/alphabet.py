"""The base alphabet: DNA letters <-> integer codes <-> one-hot, in one place.

This module is the ground floor: it imports nothing of the project and needs only numpy (a
``torch.Tensor`` handed to :func:`one_hot` is encoded with the torch its caller imported), so
every stage can use it.

Three forms of a sequence
-------------------------
1. **letters**: a ``str`` (or ``bytes``) of DNA letters, any case.
2. **codes**: ``numpy.ndarray`` of ``uint8``, shape ``(L,)`` for one sequence (``(N, L)``,
   ``(N, 2, L)`` ... for several): ``A=0, C=1, G=2, T=3, N=4`` and :data:`PAD_CODE` ``5`` for
   padding, the positions after the end of a sequence shorter than ``L`` (sequences are
   **right-padded**). This is what ``pairs.h5`` stores (``ref_codes`` / ``alt_codes``).
3. **one-hot**: ``float32`` (by default), shape ``(..., 4, L)``, channels before length in the
   order A, C, G, T (tangermeme's and the paper's layout): a base is a 1 in its channel; N is
   ``n`` in all four channels (default :data:`N_VALUE` ``0.25``, the paper's encoding; MeanDiff
   uses ``n=0`` because FIMO skips all-zero columns); padding is all zero. numpy in, numpy out;
   a ``torch.Tensor`` in gives a tensor on the same device.

Unknown letters (the one policy)
--------------------------------
* ``A, C, G, T`` (either case; soft-masked lower case is read as upper case) are the bases.
* ``N`` and the other IUPAC ambiguity letters ``R Y S W K M B D H V`` (either case) become
  **N** (code 4): each names a base that is not known. Reference assemblies such as mm10 hold
  only ACGTN; GRCh38 has a few IUPAC letters. (The paper's encoder makes IUPAC letters
  all-zero like padding; N, not padding, keeps a position inside the sequence.)
* **Anything else** (``-``, ``.``, ``*``, ``U``, digits, white space, non-ASCII) is an error:
  :class:`ValueError` naming the sequence, the letter and its 1-based position. Such a letter
  means the input is not DNA (an alignment gap, a symbolic allele, a broken file), and
  guessing would hide it.
* ``encode(..., acgt_only=True)`` also rejects N and the IUPAC letters, for callers whose
  sequences cannot hold an unknown base (the simulator).

Codes outside ``0..5`` are an error in :func:`decode` and in :func:`one_hot` of numpy codes
(torch codes are not range-checked, which would cost a device sync per batch: an out-of-range
code raises ``IndexError`` on the CPU and a device-side assert on a GPU).

Examples
--------
>>> encode("ACgtNR").tolist()
[0, 1, 2, 3, 4, 4]
>>> encode("ACG", 5).tolist()
[0, 1, 2, 5, 5]
>>> decode(encode("ACG", 5), pad="-")
'ACG--'
>>> one_hot(encode("AN", 3)).tolist()
[[1.0, 0.25, 0.0], [0.0, 0.25, 0.0], [0.0, 0.25, 0.0], [0.0, 0.25, 0.0]]
"""
from __future__ import annotations

import sys

import numpy as np

#: The four bases, in channel order.
BASES = "ACGT"
#: Code of each letter that is not N-like: the four bases and N.
BASE_CODES = {"A": 0, "C": 1, "G": 2, "T": 3, "N": 4}
#: Code of N (and of every other IUPAC ambiguity letter).
N_CODE = 4
#: Code of padding positions (after the end of a sequence).
PAD_CODE = 5
#: Value of N in each of the four one-hot channels (the paper's encoding).
N_VALUE = 0.25
#: The code table as the ``encoding`` attribute of ``pairs.h5`` spells it.
ENCODING = "A=0,C=1,G=2,T=3,N=4,padding=5"
#: IUPAC ambiguity letters other than N; they are coded as N.
IUPAC_AMBIGUOUS = "RYSWKMBDHV"

_INVALID = 255
_ENCODE = np.full(256, _INVALID, dtype=np.uint8)
for _letter, _code in [*BASE_CODES.items(), *((c, N_CODE) for c in IUPAC_AMBIGUOUS)]:
    _ENCODE[ord(_letter)] = _ENCODE[ord(_letter.lower())] = _code
_DECODE = np.frombuffer(b"ACGTN", dtype=np.uint8)

#: Rows of the one-hot encoding, indexed by code: A, C, G, T, N (0.25 each), padding (zeros); shape (6, 4).
ONE_HOT_TABLE = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1],
                          [N_VALUE] * 4, [0, 0, 0, 0]], dtype=np.float32)
ONE_HOT_TABLE.flags.writeable = False
_TABLES: dict = {}


# ----------------------------------------------------------------------------- letters <-> codes
def _raw_bytes(seq: str | bytes, name: str) -> np.ndarray:
    if isinstance(seq, str):
        try:
            raw = seq.encode("ascii")
        except UnicodeEncodeError as err:
            raise ValueError(f"{name}: letter {seq[err.start]!r} at position {err.start + 1} is not a DNA letter "
                             "(A, C, G, T, N or an IUPAC code)") from None
    else:
        raw = bytes(seq)
    return np.frombuffer(raw, dtype=np.uint8)


def encode(seq: str | bytes, length: int | None = None, *, name: str = "sequence",
           acgt_only: bool = False) -> np.ndarray:
    """Codes of a DNA sequence, optionally right-padded to ``length`` (the module's letter policy).

    Parameters
    ----------
    seq : str or bytes
        DNA letters, any case.
    length : int, optional
        ``L``: right-pad with :data:`PAD_CODE` to this length (the sequence must not be longer).
    name : str
        What the sequence is, for error messages (e.g. ``"peak chr1-10-20, strain allele"``).
    acgt_only : bool
        Reject N and the IUPAC letters too (only A, C, G, T allowed).

    Returns
    -------
    numpy.ndarray of uint8, shape (len(seq),), or (length,) when ``length`` is given
        ``A=0, C=1, G=2, T=3``; N and IUPAC letters 4; padding 5.

    Raises
    ------
    ValueError
        A letter that is no base, N or IUPAC code (with ``acgt_only``: no base), naming
        ``name``, the letter and its 1-based position; or a sequence longer than ``length``.

    Examples
    --------
    >>> encode("ACgtNR").tolist()
    [0, 1, 2, 3, 4, 4]
    >>> encode("ACgt", 6).tolist()
    [0, 1, 2, 3, 5, 5]
    """
    raw = _raw_bytes(seq, name)
    if length is not None and raw.size > length:
        raise ValueError(f"{name}: sequence of {raw.size} bp is longer than {length}")
    codes = _ENCODE[raw]
    bad = codes == _INVALID
    if acgt_only:
        bad |= codes == N_CODE
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        allowed = "A, C, G or T" if acgt_only else "A, C, G, T, N or an IUPAC code"
        raise ValueError(f"{name}: letter {chr(raw[i])!r} at position {i + 1} is not {allowed}; "
                         f"{int(bad.sum())} such letter(s)")
    if length is None:
        return codes
    out = np.full(length, PAD_CODE, dtype=np.uint8)
    out[:codes.size] = codes
    return out


def decode(codes: np.ndarray, pad: str = "") -> str:
    """Letters of one sequence's codes (upper case); padding becomes ``pad`` (default: dropped).

    Parameters
    ----------
    codes : array-like of int, shape (L,)
        Codes ``0..5``.
    pad : str
        Text for each padding position.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Codes that are not one-dimensional or lie outside ``0..5``.

    Examples
    --------
    >>> decode(np.array([0, 1, 2, 3, 4, 5, 5], dtype=np.uint8))
    'ACGTN'
    >>> decode(np.array([0, 5, 3]), pad="-")
    'A-T'
    """
    codes = np.asarray(codes)
    if codes.ndim != 1:
        raise ValueError(f"decode takes the codes of one sequence, shape (L,), not {codes.shape}")
    if codes.size and (codes.min() < 0 or codes.max() > PAD_CODE):
        raise ValueError(f"base codes must lie in 0..{PAD_CODE}")
    is_pad = codes == PAD_CODE
    text = _DECODE[np.where(is_pad, 0, codes)].tobytes().decode("ascii")
    if not is_pad.any():
        return text
    chars = np.array(list(text), dtype=object)
    chars[is_pad] = pad
    return "".join(chars)


# ----------------------------------------------------------------------------- codes <-> one-hot
def _torch_of(x):
    """The torch module when ``x`` is a tensor, else None (torch is never imported here: a tensor
    exists only where its caller imported torch, so this module stays a base dependency)."""
    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(x, torch.Tensor) else None


def _table(n: float, dtype) -> np.ndarray:
    key = ("numpy", float(n), np.dtype(dtype).str)
    table = _TABLES.get(key)
    if table is None:
        if np.issubdtype(dtype, np.integer) and n != int(n):
            raise ValueError(f"an integer one-hot cannot hold n={n}")
        table = ONE_HOT_TABLE.astype(np.float64)
        table[N_CODE] = n
        table = _TABLES[key] = table.astype(dtype)
        table.flags.writeable = False
    return table


def _torch_table(torch, n: float, dtype, device):
    key = ("torch", float(n), dtype, device)
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = torch.tensor(_table(n, np.float64), device=device).to(dtype)
    return table


def one_hot(codes, n: float = N_VALUE, dtype=None):
    """One-hot of codes, channels before length.

    Parameters
    ----------
    codes : numpy.ndarray or torch.Tensor of int, shape (..., L)
        Codes ``0..5``, e.g. ``(L,)``, ``(N, L)`` or ``(N, 2, L)``.
    n : float
        Value of N in each of the four channels: :data:`N_VALUE` (0.25, the paper's) or 0
        (FIMO's, an all-zero column like padding).
    dtype : numpy or torch dtype, optional
        Of the result (default float32).

    Returns
    -------
    numpy.ndarray or torch.Tensor, shape (..., 4, L)
        Channels A, C, G, T; N is ``n`` in every channel, padding all zeros. A tensor when
        ``codes`` is one, on its device; contiguous.

    Raises
    ------
    ValueError
        numpy codes outside ``0..5`` (torch codes are not checked, see the module notes).

    Examples
    --------
    >>> one_hot(np.array([[0, 4, 5]])).shape
    (1, 4, 3)
    >>> one_hot(np.array([3, 4]), n=0, dtype=np.int8).tolist()
    [[0, 0], [0, 0], [0, 0], [1, 0]]
    """
    torch = _torch_of(codes)
    if torch is not None:
        dtype = torch.float32 if dtype is None else dtype
        table = _torch_table(torch, n, dtype, codes.device)
        index = codes.long()
        # embedding is a much faster gather than advanced indexing on the CPU
        out = torch.nn.functional.embedding(index, table) if dtype.is_floating_point else table[index]
        return out.transpose(-1, -2).contiguous()
    codes = np.asarray(codes)
    if codes.size and (codes.min() < 0 or codes.max() > PAD_CODE):
        raise ValueError(f"base codes must lie in 0..{PAD_CODE}")
    table = _table(n, np.float32 if dtype is None else dtype)
    return np.ascontiguousarray(np.moveaxis(table[codes], -1, -2))


def from_one_hot(x: np.ndarray, n: float = N_VALUE, *, channel_axis: int = -2, what: str = "one-hot",
                 first_row: int = 0) -> np.ndarray:
    """Codes of a one-hot array (the inverse of :func:`one_hot`), checking every position.

    Parameters
    ----------
    x : numpy.ndarray, shape (..., 4, L) (or (..., L, 4) with ``channel_axis=-1``)
        Each position must be exactly one-hot, ``n`` in all four channels (N) or all zero
        (padding).
    n : float
        Value of N in each channel (with ``n=0`` N looks like padding and is read as padding).
    channel_axis : int
        Axis of the four channels.
    what : str
        What ``x`` is, for error messages.
    first_row : int
        Index of ``x[0]`` in a larger array (for error messages, when ``x`` is one block).

    Returns
    -------
    numpy.ndarray of uint8, shape ``x.shape`` without the channel axis
        Codes A=0, C=1, G=2, T=3, N=4, padding 5.

    Raises
    ------
    ValueError
        No axis of 4 channels, or a position that is none of the three kinds (its row and
        position named).

    Examples
    --------
    >>> from_one_hot(one_hot(np.array([2, 4, 5]))).tolist()
    [2, 4, 5]
    """
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[channel_axis] != 4:
        raise ValueError(f"{what}: expected 4 channels on axis {channel_axis}, got shape {x.shape}")
    x = np.moveaxis(x, channel_axis, -1)
    zeros = x == 0
    is_pad = zeros.all(-1)
    is_n = (x == n).all(-1)
    is_hot = ((x == 1).sum(-1) == 1) & (zeros.sum(-1) == 3)
    bad = ~(is_pad | is_n | is_hot)
    if bad.any():
        where = tuple(int(v[0]) for v in np.nonzero(bad))
        place = (f"position {where[0]}" if len(where) == 1 else
                 f"row {first_row + where[0]}, position {where[-1]}" if len(where) == 2 else f"index {where}")
        raise ValueError(f"{what}: {place} is not one-hot, all {n:g} (N) or all zero (padding): "
                         f"{x[where].tolist()}; {int(bad.any(-1).sum()) if bad.ndim > 1 else 1} such row(s) "
                         "in this block")
    codes = np.argmax(x, axis=-1).astype(np.uint8)
    codes[is_n] = N_CODE
    codes[is_pad] = PAD_CODE
    return codes


_COMPLEMENT_STR = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_COMPLEMENT_BYTES = bytes.maketrans(b"ACGTNacgtn", b"TGCANtgcan")


def reverse_complement(seq: str | bytes) -> str | bytes:
    """Reverse complement of DNA letters (``str`` in, ``str`` out; ``bytes`` in, ``bytes`` out).

    ``N`` stays ``N`` and case is kept; other letters are left as they are (reversed), so a
    caller that must reject them checks first (barcodes are checked against the whitelist's
    letters).

    Examples
    --------
    >>> reverse_complement("AACgN")
    'NcGTT'
    >>> reverse_complement(b"ACGT")
    b'ACGT'
    """
    table = _COMPLEMENT_BYTES if isinstance(seq, (bytes, bytearray)) else _COMPLEMENT_STR
    return seq.translate(table)[::-1]
