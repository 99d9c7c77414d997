"""core.page_cache: fragments kept per person until a scope they depend on is bumped or the clock moves on."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone, translation

from core import page_cache


@pytest.fixture(autouse=True)
def _own_keys(monkeypatch) -> None:
    """Keys of this test alone: with Redis the cache outlives each test, and these ids are made up."""
    prefix = f"test-page-cache:{secrets.token_hex(6)}:"
    monkeypatch.setattr(page_cache, "FRAGMENT_PREFIX", prefix + "f:")
    monkeypatch.setattr(page_cache, "VERSION_PREFIX", prefix + "v:")


class Renders:
    """A render function that counts its calls and returns a new text each time."""

    def __init__(self, valid_until=None) -> None:
        self.calls = 0
        self.valid_until = valid_until

    def __call__(self):
        self.calls += 1
        html = f"<p>render {self.calls}</p>"
        return page_cache.Rendered(html=html, valid_until=self.valid_until) if self.valid_until else html


def get(render, *, user_id=1, key=(), scopes=()):
    return page_cache.fragment("test", user_id=user_id, key=key, scopes=scopes, render=render)


def test_second_read_comes_from_the_cache() -> None:
    render = Renders()
    assert get(render) == "<p>render 1</p>"
    assert get(render) == "<p>render 1</p>"
    assert render.calls == 1


def test_bumping_the_person_renders_again() -> None:
    render = Renders()
    get(render, user_id=7)
    page_cache.bump(page_cache.person(7))
    assert get(render, user_id=7) == "<p>render 2</p>"


def test_bumping_someone_else_keeps_the_fragment() -> None:
    render = Renders()
    get(render, user_id=7)
    page_cache.bump(page_cache.person(8), page_cache.cohort(7))
    get(render, user_id=7)
    assert render.calls == 1


def test_bumping_a_scope_of_the_fragment_renders_again() -> None:
    render = Renders()
    scopes = [page_cache.cohort(3), page_cache.programme(2)]
    get(render, scopes=scopes)
    page_cache.bump(page_cache.programme(2))
    assert get(render, scopes=scopes) == "<p>render 2</p>"


def test_scopes_are_worked_out_only_on_a_miss() -> None:
    asked = []

    def scopes():
        asked.append(1)
        return [page_cache.cohort(3)]

    render = Renders()
    get(render, scopes=scopes)
    get(render, scopes=scopes)
    assert len(asked) == 1
    page_cache.bump(page_cache.cohort(3))
    assert get(render, scopes=scopes) == "<p>render 2</p>"
    assert len(asked) == 2


def test_fragments_are_never_shared_between_people() -> None:
    first, second = Renders(), Renders()
    get(first, user_id=1)
    assert get(second, user_id=2) == "<p>render 1</p>"
    assert second.calls == 1


def test_the_key_and_the_language_are_part_of_the_fragment() -> None:
    render = Renders()
    get(render, key=("Europe/London",))
    get(render, key=("America/Toronto",))
    with translation.override("fr"):
        get(render, key=("Europe/London",))
    assert render.calls == 3


def test_a_fragment_is_a_miss_once_the_clock_reaches_its_next_change() -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        render = Renders(valid_until=start + timedelta(minutes=3))
        get(render)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        get(render)
        assert render.calls == 1
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        get(render)
        assert render.calls == 2


def test_a_lost_version_is_never_taken_for_an_old_one() -> None:
    render = Renders()
    get(render, user_id=5)
    cache.delete(page_cache.VERSION_PREFIX + page_cache.person(5))
    assert get(render, user_id=5) == "<p>render 2</p>"
    get(render, user_id=5)
    assert render.calls == 2


def test_a_write_during_a_render_leaves_that_fragment_old() -> None:
    """Versions are read before the render: a bump while it renders makes the stored fragment a miss."""
    calls = []

    def render():
        calls.append(1)
        if len(calls) == 1:
            page_cache.bump(page_cache.person(4))  # another process's write, committed mid-render
        return f"<p>{len(calls)}</p>"

    get(render, user_id=4)
    assert get(render, user_id=4) == "<p>2</p>"


@pytest.mark.django_db(transaction=True)
def test_bump_inside_a_transaction_bumps_again_on_commit() -> None:
    """A page rendered between the write and its commit (from the data before it) is a miss after the commit."""
    render = Renders()
    with transaction.atomic():
        page_cache.bump(page_cache.person(9))
        get(render, user_id=9)  # stands for another request, reading before the commit
        get(render, user_id=9)
        assert render.calls == 1
    get(render, user_id=9)
    assert render.calls == 2


def test_csrf_placeholder_is_filled_with_the_request_token() -> None:
    request = RequestFactory().get("/")
    html = f'<input name="csrfmiddlewaretoken" value="{page_cache.CSRF_PLACEHOLDER}">'
    filled = page_cache.csrf_fill(html, request)
    assert page_cache.CSRF_PLACEHOLDER not in filled
    assert 'value="' in filled and len(filled) > len('<input name="csrfmiddlewaretoken" value="">') + 30


def test_shared_fragment_depends_only_on_its_scopes() -> None:
    render = Renders()
    page_cache.fragment("shared", user_id=None, scopes=["crisis-contacts"], render=render)
    page_cache.fragment("shared", user_id=None, scopes=["crisis-contacts"], render=render)
    page_cache.bump(page_cache.person(1))
    page_cache.fragment("shared", user_id=None, scopes=["crisis-contacts"], render=render)
    assert render.calls == 1
    page_cache.bump("crisis-contacts")
    page_cache.fragment("shared", user_id=None, scopes=["crisis-contacts"], render=render)
    assert render.calls == 2


def test_no_fragment_outlives_the_longest_age(settings) -> None:
    settings.STEADY_PAGE_CACHE_SECONDS = 60
    start = timezone.now()
    render = Renders()
    with time_machine.travel(start, tick=False):
        get(render)
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        get(render)
    assert render.calls == 2


def test_another_processs_fragment_is_read_from_the_shared_cache() -> None:
    render = Renders()
    get(render)
    page_cache._local.clear()  # as if another process had rendered it
    assert get(render) == "<p>render 1</p>"
    assert render.calls == 1


def test_this_processs_copy_is_a_miss_once_bumped() -> None:
    render = Renders()
    get(render, user_id=3)
    assert page_cache._local  # kept here too
    page_cache.bump(page_cache.person(3))
    assert get(render, user_id=3) == "<p>render 2</p>"


def test_the_admin_and_rare_writes_bump_every_fragment() -> None:
    render = Renders()
    get(render, user_id=3, scopes=[page_cache.cohort(1)])
    page_cache.bump(page_cache.EVERYTHING)
    assert get(render, user_id=3, scopes=[page_cache.cohort(1)]) == "<p>render 2</p>"
