"""A bounded, same-site, GET-only crawler that looks for planted strings in everything a person can reach.

``Crawl(client, canaries)`` fetches its seeds and every same-site link found in each HTML page (``href``,
``src``, ``hx-get``, and the ``action`` of forms sent with GET), follows redirects, reads streamed bodies
(CSV, JSON, ``.ics``, files) and headers, and records each canary it finds and where. It never posts, never
signs out, and fetches every seed but, of the links it finds, at most ``per_path`` variants of one path
(query strings) and ``per_pattern`` paths of one shape (``/admin/accounts/user/N/change/``), and ``limit``
pages in all. A canary cut short (a page that shows the first words of a note) is caught by its prefix, and
an ``.ics`` body is unfolded first (RFC 5545 folds long lines).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.test import Client

SKIP_PREFIXES = ("/static/", "/accounts/logout/", "/admin/logout/", "/favicon.ico")
SITE_HOSTS = {"", "testserver"}
PREFIX = "CANARY-"  # every typed canary starts so (tests/privacy/canaries.py)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("href", "src", "hx-get", "data-hx-get"):
            if found.get(name):
                self.links.append(found[name])
        if tag == "form" and (found.get("method") or "get").lower() == "get":
            self.links.append(found.get("action") or "")


def site_path(url: str, *, base: str) -> str | None:
    """The path and query of ``url`` (relative to ``base``) when it is on this site, else None."""
    absolute = urljoin(base, url.strip())
    parts = urlsplit(absolute)
    site = urlsplit(settings.STEADY_SITE_URL)
    if parts.scheme not in ("", "http", "https"):
        return None
    if parts.netloc not in SITE_HOSTS and parts.netloc != site.netloc:
        return None
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    if path.startswith(SKIP_PREFIXES):
        return None
    return path


def links_in(html: str, *, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = (site_path(link, base=base) for link in parser.links if not link.startswith(("#", "mailto:", "tel:")))
    return [path for path in found if path is not None]


URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]+")


def links_in_text(text: str) -> list[str]:
    found = (site_path(url, base="http://testserver/") for url in URL_IN_TEXT.findall(text))
    return [path for path in found if path is not None]


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@dataclass
class Crawl:
    client: Client
    canaries: dict[str, str]  # label -> planted string
    limit: int = 600
    per_path: int = 3
    per_pattern: int = 4
    fetched: list[tuple[str, int]] = field(default_factory=list)
    found: dict[str, set[str]] = field(default_factory=dict)  # label -> where
    _seen: set[str] = field(default_factory=set)
    _counts: dict[str, int] = field(default_factory=dict)

    def look(self, text: str, *, where: str) -> None:
        lowered = text.replace("\r\n ", "").replace("\n ", "").lower()
        whole = 0
        for label, planted in self.canaries.items():
            if planted.lower() in lowered:
                self.found.setdefault(label, set()).add(where)
                whole += planted.lower().startswith(PREFIX.lower()) * lowered.count(planted.lower())
        if lowered.count(PREFIX.lower()) > whole:
            start = lowered.index(PREFIX.lower())
            self.found.setdefault(f"part of a canary: {lowered[start : start + 40]!r}", set()).add(where)

    def _allowed(self, path: str) -> bool:
        bare = path.split("?", 1)[0]
        keys = (f"path {bare}", f"shape {re.sub(r'[0-9]+', 'N', bare)}")
        if self._counts.get(keys[0], 0) >= self.per_path or self._counts.get(keys[1], 0) >= self.per_pattern:
            return False
        for key in keys:
            self._counts[key] = self._counts.get(key, 0) + 1
        return True

    def run(self, seeds: list[str]) -> Crawl:
        queue = deque((path, True) for path in seeds)
        while queue and len(self.fetched) < self.limit:
            path, seed = queue.popleft()
            if path in self._seen or not (seed or self._allowed(path)):
                continue
            self._seen.add(path)
            queue.extend((link, False) for link in self.fetch(path))
        return self

    def fetch(self, path: str) -> list[str]:
        """GET ``path``, look for canaries in its headers and body; return the same-site links it holds."""
        response = self.client.get(path)
        self.fetched.append((path, response.status_code))
        body = body_of(response).decode("utf-8", errors="replace")
        headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
        self.look(headers + "\n" + body, where=path)
        if response.status_code in (301, 302, 303, 307, 308):
            target = site_path(response.headers["Location"], base=f"http://testserver{path}")
            return [target] if target else []
        if response.status_code == 200 and "html" in response.headers.get("Content-Type", ""):
            return links_in(body, base=f"http://testserver{path}")
        return []
