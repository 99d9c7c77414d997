"""A versioned fragment cache: rendered parts of pages kept per person until a write they show bumps a scope.

A fragment is stored with the version of every scope it depends on (``person:<id>``, ``cohort:<id>``,
``programme:<id>``, ...). The service that changes what a scope covers calls ``bump(scope, ...)``, which
gives those scopes new versions: every fragment stored under an old version is a miss from then on, so it
is rendered again. Nothing is deleted by pattern and nothing is looked up by list: a hit is two cache reads
(the fragment, then its scopes' versions in one ``get_many``), or one when this process rendered or read
the fragment last (it keeps its last ``LOCAL_FRAGMENTS``, checked against the shared versions all the same).

    html = page_cache.fragment(
        "participant-home",
        user_id=user.pk,                                   # never shared between people
        key=(user.time_zone, today),                       # and whatever else changes the text
        scopes=lambda: [page_cache.cohort(pk) for pk in ...],  # read before rendering; person:<id> is added
        render=lambda: page_cache.Rendered(html=..., valid_until=next_change),
    )

Rules that keep it right:

- **Versions are read before rendering**, so a write that commits while a fragment is being rendered leaves
  that fragment under a version already old: it is never served. ``bump`` gives new versions at once and
  again when the transaction commits (a page rendered in between, from the data before the commit, is a miss
  afterwards too).
- A missing version (evicted, expired, a new cache) is a new random one, never "0": an old fragment can
  never match it.
- **The clock**: ``render`` may return ``Rendered(html, valid_until)``, the next moment the fragment's text
  would change by itself (a session starts, a window opens); it is a miss from then on. ``timeout`` caps
  the age of any fragment (``STEADY_PAGE_CACHE_SECONDS``), for changes by the clock nobody named.
- The active language is part of every key. Put the time zone and the date in ``key`` where the text shows them.
- Every fragment also depends on ``EVERYTHING``, which the admin's saves and deletes bump (they go round the
  services), and rare writes any page may show (crisis contacts).
- **Nothing per request in a fragment**: no messages; the request's host or path only if in the key. Forms
  render their CSRF token as ``CSRF_PLACEHOLDER`` (pass it as the ``csrf_token`` context value) and the view
  puts the request's own token in with ``csrf_fill`` after reading the fragment.
- ``scopes`` (a list, or a callable run only on a miss) names what the fragment shows beyond the person; it
  may itself change only through writes that bump one of its scopes (a person's places change by services
  that bump ``person:<id>``).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

FRAGMENT_PREFIX = "steady:page:f:"
VERSION_PREFIX = "steady:page:v:"
# Versions outlive every fragment: losing one only makes its fragments misses.
VERSION_SECONDS = 60 * 60 * 24 * 30
# Letters and digits only, so escaping leaves it as it is.
CSRF_PLACEHOLDER = "steadycsrfplaceholder7d41c0e2"


@dataclass(frozen=True)
class Rendered:
    """What a fragment's ``render`` returns when the clock changes it: ``valid_until`` (aware) is when."""

    html: str
    valid_until: datetime | None = None


# Every fragment depends on this scope too: bumped by writes that any page may show and that are too rare to
# name finer (crisis contacts) and by the admin's saves and deletes, which go round the services.
EVERYTHING = "everything"


def person(pk: int) -> str:
    """The scope of everything about one person (their places, check-ins, requests, answers, preferences)."""
    return f"person:{pk}"


def cohort(pk: int) -> str:
    """The scope of one cohort: its details, sessions, register and what it releases."""
    return f"cohort:{pk}"


def programme(pk: int) -> str:
    """The scope of one programme: its plans, materials, pack and questionnaire schedule."""
    return f"programme:{pk}"


def _new_version() -> str:
    return secrets.token_hex(8)


def _versions(scopes: Sequence[str]) -> dict[str, str]:
    """The current version of each scope, giving a new one to any scope without (one or two cache trips)."""
    keys = {VERSION_PREFIX + s: s for s in scopes}
    found = cache.get_many(list(keys))
    versions = {keys[k]: v for k, v in found.items()}
    for key, scope in keys.items():
        if key not in found:
            version = _new_version()
            # ``add`` keeps a version another process set meanwhile; that one is read back.
            if not cache.add(key, version, VERSION_SECONDS):
                version = cache.get(key) or version
            versions[scope] = version
    return versions


# Each process keeps its last fragments too, so a hit is one cache trip (the versions) rather than two, and no
# page travels from the cache. Checked against the shared versions every time, exactly as a shared entry is.
LOCAL_FRAGMENTS = 256
_local: OrderedDict[str, tuple[dict[str, str], datetime, str]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> tuple[dict[str, str], datetime, str] | None:
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def _local_put(key: str, entry: tuple[dict[str, str], datetime, str]) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_FRAGMENTS:
            _local.popitem(last=False)


def _fresh(entry: tuple[dict[str, str], datetime, str], now: datetime) -> bool:
    """Whether a stored fragment still holds: before its expiry (checked here too, so a clock moved on counts
    whatever the cache's own timeout) and every scope still at the version it was rendered under."""
    versions, expires_at, _html = entry
    if now >= expires_at:
        return False
    current = cache.get_many([VERSION_PREFIX + s for s in versions])
    return all(current.get(VERSION_PREFIX + s) == v for s, v in versions.items())


def _fragment_key(name: str, user_id: int | None, key: Sequence[object]) -> str:
    digest = hashlib.sha256(repr((get_language(), tuple(key))).encode()).hexdigest()[:32]
    return f"{FRAGMENT_PREFIX}{name}:{user_id if user_id is not None else '-'}:{digest}"


def fragment(
    name: str,
    *,
    user_id: int | None,
    render: Callable[[], str | Rendered],
    key: Sequence[object] = (),
    scopes: Iterable[str] | Callable[[], Iterable[str]] = (),
    timeout: int | None = None,
) -> SafeString:
    """The fragment ``name`` for ``user_id`` (and ``key``), from the cache while its scopes' versions hold.

    ``user_id`` None is for fragments that show nothing personal (the same for everyone who may see them);
    otherwise the person's scope is one of the fragment's scopes and the key is theirs alone.
    """
    fragment_key = _fragment_key(name, user_id, key)
    now = timezone.now()
    # This process's copy first (one cache trip: its versions), then the shared one (two trips).
    local = _local_get(fragment_key)
    if local is not None and _fresh(local, now):
        return mark_safe(local[2])  # noqa: S308 - rendered by our templates before it was stored
    shared = cache.get(fragment_key)
    if shared is not None and shared != local and _fresh(shared, now):
        _local_put(fragment_key, shared)
        return mark_safe(shared[2])  # noqa: S308 - rendered by our templates before it was stored
    wanted = [EVERYTHING, *(scopes() if callable(scopes) else scopes)]
    if user_id is not None:
        wanted.insert(1, person(user_id))
    versions = _versions(list(dict.fromkeys(wanted)))
    result = render()
    rendered = result if isinstance(result, Rendered) else Rendered(html=result)
    seconds = timeout if timeout is not None else settings.STEADY_PAGE_CACHE_SECONDS
    if rendered.valid_until is not None:
        seconds = min(seconds, int((rendered.valid_until - now).total_seconds()))
    if seconds > 0:
        entry = (versions, now + timedelta(seconds=seconds), str(rendered.html))
        cache.set(fragment_key, entry, seconds)
        _local_put(fragment_key, entry)
    return mark_safe(rendered.html)  # noqa: S308 - rendered by our templates


def _bump_now(scopes: Sequence[str]) -> None:
    cache.set_many({VERSION_PREFIX + s: _new_version() for s in scopes}, VERSION_SECONDS)


def bump(*scopes: str) -> None:
    """Make every fragment that depends on one of ``scopes`` a miss: now, and again when the transaction commits."""
    if not scopes:
        return
    _bump_now(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump_now(scopes))


def csrf_fill(html: str, request: HttpRequest) -> SafeString:
    """``html`` with the request's own CSRF token where a fragment holds ``CSRF_PLACEHOLDER``."""
    if CSRF_PLACEHOLDER not in html:
        return mark_safe(html)  # noqa: S308 - a fragment, already safe
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 - the token is [A-Za-z0-9]
