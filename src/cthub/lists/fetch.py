"""Download a list from its publisher and load it as a new version.

Only ``http`` and ``https`` URLs are accepted; the download has a timeout and a size cap, and
goes to a temporary file that is removed after the load. A network failure is ``Unavailable``
(try again later); what was downloaded is parsed exactly as a local file would be.
"""

from __future__ import annotations

import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from cthub.core.errors import InvalidInput, Unavailable
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists.service import VersionView, load
from cthub.lists.sources.eu import DEFAULT_EU_URL
from cthub.lists.sources.ofac_xml import DEFAULT_OFAC_XML_URL
from cthub.lists.sources.uk import DEFAULT_UK_URL
from cthub.lists.sources.un import DEFAULT_UN_URL

#: The publishers' own URLs (``--url`` overrides; tests use a loopback server).
DEFAULT_URLS = {
    "un": DEFAULT_UN_URL,
    "ofac-xml": DEFAULT_OFAC_XML_URL,
    "eu": DEFAULT_EU_URL,
    "uk": DEFAULT_UK_URL,
}
MAX_BYTES = 100 * 1024 * 1024
TIMEOUT_S = 60.0
_CHUNK = 1024 * 1024


def download(
    url: str, dest: Path, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_S
) -> int:
    """Write ``url`` to ``dest``; returns the size. Refuses more than ``max_bytes``."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise InvalidInput("{url} is not an http or https URL.", url=url)
    request = urllib.request.Request(url, headers={"User-Agent": "cthub"})  # noqa: S310
    size = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp, dest.open("wb") as out:  # noqa: S310
            while chunk := resp.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidInput(
                        "{url} is larger than {limit} bytes; the download was stopped.",
                        hint="Check the URL; a sanctions list is a few megabytes.",
                        url=url,
                        limit=max_bytes,
                    )
                out.write(chunk)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise Unavailable(
            "{url} cannot be downloaded ({problem}).",
            hint="Check the network and the URL, or load a downloaded file with lists load.",
            url=url,
            problem=str(getattr(exc, "reason", exc)),
        ) from exc
    return size


def fetch(
    hub: Hub,
    actor: Actor,
    source_name: str,
    url: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_S,
    rescreen: bool = True,
) -> VersionView:
    """Download ``url`` (default: the publisher's URL for the source) and ``load`` it."""
    url = url or DEFAULT_URLS.get(source_name)
    if url is None:
        raise InvalidInput(
            "The {source} source has no download URL; give one with --url.", source=source_name
        )
    with tempfile.TemporaryDirectory(prefix="cthub-fetch-") as tmp:
        dest = Path(tmp) / (Path(urlsplit(url).path).name or "download")
        download(url, dest, max_bytes=max_bytes, timeout=timeout)
        return load(hub, actor, source_name, dest, source_label=url, rescreen=rescreen)


__all__ = ["DEFAULT_URLS", "MAX_BYTES", "download", "fetch"]
