"""The listener registry: one registration point, clear errors, and facilitation's listeners in place."""

from __future__ import annotations

import pytest

from sessions import listeners
from sessions.listeners import EVENTS, Listener, ListenerClash, emit, listeners_for, register

pytestmark = pytest.mark.cohorts


@pytest.fixture
def clean_registry(monkeypatch):
    """An empty registry for the test, the real one restored after it."""
    monkeypatch.setattr(listeners, "_LISTENERS", {event: [] for event in EVENTS})


def test_facilitation_fills_every_event_from_its_app_config():
    names = {event: [listener.name for listener in listeners_for(event)] for event in EVENTS}
    assert names == {
        "place_confirmed": ["protected_time_draft"],
        "place_withdrawn": ["protected_time_withdraw"],
        "session_changed": ["protected_time_lines"],
        "boosters_settled": ["protected_time_boosters"],
        "cohort_cancelled": ["protected_time_withdraw_all"],
    }


def test_a_second_listener_with_the_same_name_is_refused(clean_registry):
    register(Listener(event="place_confirmed", name="audit", handler=lambda **kwargs: None))
    with pytest.raises(ListenerClash, match="already registered"):
        register(Listener(event="place_confirmed", name="audit", handler=lambda **kwargs: None))


def test_an_unknown_event_is_refused(clean_registry):
    with pytest.raises(ListenerClash, match="Unknown sessions event"):
        register(Listener(event="place_confrimed", name="typo", handler=lambda **kwargs: None))


def test_emit_runs_listeners_in_registration_order_with_the_events_arguments(clean_registry):
    heard = []
    register(Listener(event="cohort_cancelled", name="first", handler=lambda **kw: heard.append(("first", kw))))
    register(Listener(event="cohort_cancelled", name="second", handler=lambda **kw: heard.append(("second", kw))))
    emit("cohort_cancelled", cohort="c", by="u")
    assert heard == [("first", {"cohort": "c", "by": "u"}), ("second", {"cohort": "c", "by": "u"})]


def test_emit_refuses_arguments_the_event_does_not_take(clean_registry):
    with pytest.raises(TypeError, match="cohort_cancelled takes"):
        emit("cohort_cancelled", cohort="c")
