"""URL converters of Steady's own, registered at start-up (core.apps)."""

from __future__ import annotations


class SecretTokenConverter:
    """A secret in a URL, as ``secrets.token_urlsafe`` makes it: at most 128 URL-safe characters.

    Anything else (a NUL byte, a slash, a megabyte of text) never reaches a view or the database:
    the URL does not match, so the answer is 404.
    """

    regex = r"[A-Za-z0-9_-]{1,128}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
