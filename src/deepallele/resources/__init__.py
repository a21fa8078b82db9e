"""Resources: downloads of public files with checksums, and API calls with retries.

``http``
    :func:`~deepallele.resources.http.download` streams a URL (https, http, ftp, ``file://``
    or a local path) to a ``.part`` file, checks its md5 and only then moves it into place;
    :func:`~deepallele.resources.http.fetch_text` is the GET used for the ENA and NCBI APIs.
    Both retry what is worth retrying (HTTP 429 and 5xx, dropped connections, timeouts,
    truncated bodies) and fail at once, with a :class:`~deepallele.resources.http.DownloadError`
    naming the URL, on anything else.
"""
from .http import DownloadError, download, fetch_text, md5sum, normalise_url, read_md5_file

__all__ = ["DownloadError", "download", "fetch_text", "md5sum", "normalise_url", "read_md5_file"]
