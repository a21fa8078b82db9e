"""Downloads with checksums, and the GET used for web APIs, both with retries.

Rules shared by :func:`download` and :func:`fetch_text`:

- **Retried** (exponential backoff, ``backoff_s * 2**(attempt - 1)`` seconds after failed
  attempt ``attempt``): HTTP 429 (after ``Retry-After`` seconds when the server sends it),
  HTTP 5xx, refused/reset/dropped connections, timeouts, temporary FTP errors, and truncated
  bodies (fewer bytes than ``Content-Length``). A download whose md5 does not match is a
  corrupt transfer and is retried too. Every retry starts from scratch (no byte ranges:
  not every mirror supports them, and the md5 covers the whole file anyway).
- **Not retried**: other HTTP 4xx (404 → "not found"), permanent FTP errors, a local file
  that does not exist, a ``.part`` file that cannot be written.
- ``retries`` is the number of *further* attempts after the first (``retries=0``: one try).
- HTTP 204 ("no content": ENA's answer for an accession with nothing public) is an empty body.

Sources (:func:`normalise_url`): ``https://``, ``http://``, ``ftp://`` (urllib), ``file://``
and plain local paths (copied through the same ``.part`` + md5 path, so a mirror or a local
copy named in the config behaves exactly like a download). ENA's scheme-less form
``ftp.sra.ebi.ac.uk/vol1/...`` becomes ``https://ftp.sra.ebi.ac.uk/vol1/...``.

A download never leaves a partial file at ``dest``: bytes go to ``<dest>.part`` in the same
folder (so the final :func:`os.replace` is atomic), and the ``.part`` file is removed on any
failure, including ``KeyboardInterrupt``.
"""
from __future__ import annotations

import email.utils
import ftplib
import gzip
import hashlib
import http.client
import logging
import math
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

LOGGER = logging.getLogger("deepallele.resources")
USER_AGENT = "deepallele-workflow (python urllib)"
CHUNK = 1 << 20
# a server asking for longer than this is treated as down rather than waited on for hours
MAX_RETRY_AFTER_S = 600.0
PROGRESS_EVERY_S = 30.0

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# "ftp.sra.ebi.ac.uk/vol1/..." : a dotted host name whose last label is letters, then / or end
_HOST_FIRST = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:/|$)")
_MD5 = re.compile(r"^[0-9a-fA-F]{32}$")


class DownloadError(RuntimeError):
    """A download or API call failed; the message names the URL, the cause and what to do."""


class _Attempt(Exception):
    """One failed attempt: ``reason`` for the message, ``retry`` whether another try may help."""

    def __init__(self, reason: str, retry: bool, wait: float | None = None):
        super().__init__(reason)
        self.reason, self.retry, self.wait = reason, retry, wait


def normalise_url(url: str) -> str:
    """Give ENA's scheme-less FTP paths an ``https://`` scheme; leave everything else as is.

    Parameters
    ----------
    url : str
        A URL (``https://``, ``http://``, ``ftp://``, ``file://``), a scheme-less
        ``host.domain/path`` (ENA's ``fastq_ftp`` form) or a local path.

    Returns
    -------
    str
        ``url`` stripped of surrounding white space; ``https://`` + ``url`` when it starts with a
        dotted host name (``ftp.sra.ebi.ac.uk/vol1/...``). ENA serves the same paths over https,
        which passes proxies and firewalls that block FTP. Write local paths as absolute,
        ``./relative`` or ``file://`` paths so that they are never read as a host name.
    """
    url = url.strip()
    if _SCHEME.match(url) or not _HOST_FIRST.match(url):
        return url
    return "https://" + url


def _local_path(url: str) -> Path | None:
    """The local file behind a ``file://`` URL or a plain path; None for network URLs."""
    if url.startswith("file://"):
        return Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
    if _SCHEME.match(url):
        return None
    return Path(url).expanduser()


def _with_params(url: str, params: dict | None) -> str:
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent/odd."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _failure(exc: BaseException) -> _Attempt:
    """Classify an exception raised while opening or reading a URL."""
    if isinstance(exc, urllib.error.HTTPError):
        code = exc.code
        if code == 429:
            return _Attempt("too many requests (HTTP 429)", True, _retry_after(exc.headers.get("Retry-After")))
        if code >= 500:
            return _Attempt(f"server error (HTTP {code} {exc.reason})", True)
        if code in (404, 410):
            return _Attempt(f"not found (HTTP {code})", False)
        return _Attempt(f"HTTP {code} {exc.reason}", False)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, ftplib.error_temp):
            return _Attempt(f"temporary FTP error ({reason})", True)
        if isinstance(reason, ftplib.error_perm):
            text = str(reason)
            return _Attempt(f"not found (FTP {text})" if text.startswith("550") else f"FTP error ({text})", False)
        if isinstance(reason, OSError):
            return _Attempt(f"connection failed ({reason})", True)
        return _Attempt(f"cannot open ({reason})", False)
    if isinstance(exc, http.client.IncompleteRead):
        return _Attempt(f"transfer interrupted (got {len(exc.partial)} bytes, {exc.expected} more expected)", True)
    if isinstance(exc, (http.client.HTTPException, ftplib.error_temp, EOFError)):
        return _Attempt(f"connection dropped ({type(exc).__name__}: {exc})", True)
    if isinstance(exc, TimeoutError):
        return _Attempt(f"timed out ({exc})", True)
    if isinstance(exc, OSError):  # ConnectionResetError, ConnectionRefusedError, socket errors
        return _Attempt(f"connection failed ({type(exc).__name__}: {exc})", True)
    return _Attempt(f"{type(exc).__name__}: {exc}", False)


def _open(url: str, timeout_s: float):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout_s)
    except Exception as exc:  # noqa: BLE001 (classified, not swallowed)
        raise _failure(exc) from exc


def _content_length(response) -> int | None:
    value = response.headers.get("Content-Length") if response.headers else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _sleep_before_retry(attempt: int, failure: _Attempt, backoff_s: float, what: str, log: logging.Logger):
    wait = failure.wait if failure.wait is not None else backoff_s * 2 ** (attempt - 1)
    log.warning("%s: attempt %d failed: %s; retrying in %.3g s", what, attempt, failure.reason, wait)
    time.sleep(wait)


def fetch_text(url: str, *, params: dict | None = None, retries: int = 5, backoff_s: float = 5.0,
               timeout_s: float = 60.0, log: logging.Logger | None = None) -> str:
    """GET a URL and return its body as text (for API calls: ENA portal, NCBI eutils).

    Parameters
    ----------
    url : str
        The endpoint (any scheme :func:`normalise_url` accepts; local paths are read directly).
    params : dict, optional
        Query parameters, URL-encoded in the given order and appended to ``url``.
    retries : int
        Further attempts after the first one for retryable failures (module docstring).
    backoff_s : float
        Wait after the first failed attempt; doubles after each further failure.
    timeout_s : float
        Socket timeout for connecting and for each read.
    log : logging.Logger, optional
        Where retries are reported (default: the ``deepallele.resources`` logger).

    Returns
    -------
    str
        The body decoded with the charset the server names (default UTF-8); ``""`` for HTTP 204.

    Raises
    ------
    DownloadError
        A non-retryable failure, or the last attempt failed; the message names the URL.
    """
    log = log or LOGGER
    full = _with_params(normalise_url(url), params)
    local = _local_path(full)
    if local is not None:
        try:
            return local.read_text()
        except OSError as exc:
            raise DownloadError(f"cannot read {local} (given as URL {url!r}): {exc}") from exc
    for attempt in range(1, retries + 2):
        try:
            return _get_text_once(full, timeout_s)
        except _Attempt as failure:
            if not failure.retry or attempt > retries:
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                raise DownloadError(
                    f"GET {full} failed{tries}: {failure.reason}. Check the accession or URL, and your network; "
                    f"for a service outage try again later, or set another service URL in the config."
                ) from None
            _sleep_before_retry(attempt, failure, backoff_s, f"GET {full}", log)
    raise AssertionError("unreachable")


def _get_text_once(url: str, timeout_s: float) -> str:
    response = _open(url, timeout_s)
    with response:
        if getattr(response, "status", 200) == 204:
            return ""
        expected = _content_length(response)
        try:
            body = response.read()
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc) from exc
        if expected is not None and len(body) < expected:
            raise _Attempt(f"truncated body ({len(body)} of {expected} bytes)", True)
        encoding = response.headers.get("Content-Encoding", "") if response.headers else ""
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        charset = response.headers.get_content_charset() if response.headers else None
        return body.decode(charset or "utf-8")


def md5sum(path: str | Path, chunk: int = CHUNK) -> str:
    """The md5 of a file, as 32 lower-case hex digits.

    Parameters
    ----------
    path : str or Path
        The file.
    chunk : int
        Bytes read at a time (memory stays flat for large FASTQs).

    Returns
    -------
    str
        The hex digest.
    """
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_md5_file(text: str, filename: str | None = None) -> str:
    """The md5 in a ``.md5`` companion file (as servers publish next to ``<file>``).

    Accepted lines: ``<md5>  <name>`` (md5sum; a ``*`` before the name for binary mode),
    ``MD5 (<name>) = <md5>`` (BSD ``md5``), or a bare ``<md5>``. Blank and ``#`` lines are skipped.

    Parameters
    ----------
    text : str
        The companion file's contents.
    filename : str, optional
        The file whose md5 is wanted; compared by base name, since listings often carry a path
        (``./CAST_EiJ.mgp.v5.snps.dbSNP142.vcf.gz``). Needed when the file lists several files.

    Returns
    -------
    str
        32 lower-case hex digits.

    Raises
    ------
    ValueError
        No md5 in the text, several entries and no ``filename``, or no entry for ``filename``.
    """
    entries: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        bsd = re.match(r"^MD5 ?\((.*)\) ?= ?([0-9a-fA-F]{32})$", line)
        if bsd:
            entries.append((bsd.group(2).lower(), bsd.group(1)))
            continue
        fields = line.split(None, 1)
        if not _MD5.match(fields[0]):
            raise ValueError(f"not an md5 file: line {line[:80]!r} does not start with a 32-hex-digit md5")
        name = fields[1].strip().lstrip("*") if len(fields) > 1 else None
        entries.append((fields[0].lower(), name))
    if not entries:
        raise ValueError("md5 file holds no md5")
    if filename is None:
        if len(entries) > 1:
            raise ValueError(f"md5 file lists {len(entries)} files; name the one wanted ({[n for _, n in entries]})")
        return entries[0][0]
    want = os.path.basename(filename)
    for md5, name in entries:
        if name is None and len(entries) == 1:
            return md5
        if name is not None and os.path.basename(name) == want:
            return md5
    raise ValueError(f"md5 file has no entry for {want} (it lists {[n for _, n in entries]})")


class _Progress:
    """Log bytes/total every ~10 % of the total, or every 30 s (unknown totals: every 30 s)."""

    def __init__(self, log: logging.Logger, label: str, total: int | None):
        self.log, self.label, self.total = log, label, total
        self.next_fraction = 0.1
        self.last = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        due_time = now - self.last >= PROGRESS_EVERY_S
        if self.total:
            fraction = done / self.total
            if fraction >= self.next_fraction or due_time:
                self.log.info("%s: %s of %s bytes (%d %%)", self.label, f"{done:,}", f"{self.total:,}",
                              int(100 * fraction))
                self.next_fraction = (math.floor(fraction * 10) + 1) / 10
                self.last = now
        elif due_time:
            self.log.info("%s: %s bytes so far", self.label, f"{done:,}")
            self.last = now


def _write(fh, block: bytes, part: Path) -> None:
    try:
        fh.write(block)
    except OSError as exc:  # a full disk is not a network problem: no retry
        raise _Attempt(f"cannot write {part} ({exc})", False) from exc


def _stream_once(source: str, part: Path, timeout_s: float, progress_label: str,
                 log: logging.Logger) -> tuple[int, str]:
    """One attempt: copy ``source`` into ``part``; returns (bytes, md5)."""
    local = _local_path(source)
    if local is not None:
        if not local.is_file():
            raise _Attempt(f"local file {local} not found", False)
        try:
            reader = open(local, "rb")
        except OSError as exc:
            raise _Attempt(f"cannot read local file {local} ({exc})", False) from exc
        total = local.stat().st_size
    else:
        reader = _open(source, timeout_s)
        total = _content_length(reader)
    digest, done = hashlib.md5(), 0
    progress = _Progress(log, progress_label, total)
    try:
        out = open(part, "wb")
    except OSError as exc:
        reader.close()
        raise _Attempt(f"cannot write {part} ({exc})", False) from exc
    with reader, out:
        while True:
            try:
                block = reader.read(CHUNK)
            except _Attempt:
                raise
            except Exception as exc:  # noqa: BLE001
                raise _failure(exc) from exc
            if not block:
                break
            _write(out, block, part)
            digest.update(block)
            done += len(block)
            progress.update(done)
    if total is not None and done < total:
        raise _Attempt(f"transfer interrupted (got {done:,} of {total:,} bytes)", True)
    return done, digest.hexdigest()


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def download(url: str, dest: str | Path, md5: str | None = None, *, md5_url: str | None = None,
             retries: int = 5, backoff_s: float = 5.0, timeout_s: float = 60.0,
             log: logging.Logger | None = None) -> Path:
    """Download ``url`` to ``dest`` through ``<dest>.part``, checking its md5 when known.

    Parameters
    ----------
    url : str
        ``https://``, ``http://``, ``ftp://``, ``file://``, a local path, or ENA's scheme-less
        ``ftp.sra.ebi.ac.uk/...`` form (see :func:`normalise_url`).
    dest : str or Path
        The final file; its folder is created. Overwritten if present.
    md5 : str, optional
        Expected md5 (32 hex digits). Empty or None: no check (unless ``md5_url`` is given).
    md5_url : str, optional
        A ``.md5`` companion file to fetch (:func:`fetch_text`) and parse
        (:func:`read_md5_file`, by the base name of ``url``) when ``md5`` is not given.
    retries, backoff_s, timeout_s
        As for :func:`fetch_text`. An md5 mismatch counts as a failed, retryable attempt.
    log : logging.Logger, optional
        For progress (every ~10 % or 30 s) and retries (default ``deepallele.resources``).

    Returns
    -------
    Path
        ``dest``, complete and (when an md5 is known) verified.

    Raises
    ------
    DownloadError
        The message names the URL, ``dest``, the cause and what to do; neither ``dest`` nor
        ``<dest>.part`` exists afterwards.
    """
    log = log or LOGGER
    dest = Path(dest)
    source = normalise_url(str(url))
    advice = (f"Check the URL, try again later, set a mirror URL in the config, or place the file at "
              f"{dest} yourself; the workflow then skips the download.")
    if not md5 and md5_url:
        try:
            md5 = read_md5_file(fetch_text(md5_url, retries=retries, backoff_s=backoff_s, timeout_s=timeout_s,
                                           log=log), filename=urllib.parse.urlparse(source).path or source)
        except ValueError as exc:
            raise DownloadError(f"md5 companion {md5_url} for {source}: {exc}. {advice}") from exc
    md5 = (md5 or "").strip().lower() or None
    if md5 is not None and not _MD5.match(md5):
        raise DownloadError(f"expected md5 {md5!r} for {source} is not 32 hex digits; fix it in the config or "
                            f"run table")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    log.info("downloading %s to %s%s", source, dest, f" (md5 {md5})" if md5 else " (no md5 to check)")
    try:
        for attempt in range(1, retries + 2):
            try:
                size, got = _stream_once(source, part, timeout_s, dest.name, log)
                if md5 is not None and got != md5:
                    raise _Attempt(f"md5 mismatch: expected {md5}, got {got} ({size:,} bytes): a corrupt "
                                   f"transfer or a changed file", True)
            except _Attempt as failure:
                _remove(part)
                if not failure.retry or attempt > retries:
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    raise DownloadError(f"could not download {source} to {dest}{tries}: {failure.reason}. "
                                        f"{advice}") from None
                _sleep_before_retry(attempt, failure, backoff_s, f"download {source}", log)
                continue
            os.replace(part, dest)
            log.info("downloaded %s (%s bytes%s)", dest, f"{size:,}", ", md5 ok" if md5 else "")
            return dest
    except BaseException:  # KeyboardInterrupt and anything unforeseen: never leave a .part behind
        _remove(part)
        raise
    raise AssertionError("unreachable")


__all__ = ["DownloadError", "download", "fetch_text", "md5sum", "normalise_url", "read_md5_file"]
