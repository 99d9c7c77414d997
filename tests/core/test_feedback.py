from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from core.errors import DomainError
from core.feedback import service_attempt


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _refuse():
    raise DomainError("Not now.")


def test_a_call_that_goes_through_shows_the_success_message():
    request = _request()
    assert service_attempt(request, lambda: None, success="Done.") is True
    assert [(m.level, m.message) for m in messages.get_messages(request)] == [(messages.SUCCESS, "Done.")]


def test_a_refusal_shows_the_domain_error_at_the_level_asked():
    request = _request()
    assert service_attempt(request, _refuse, success="Done.") is False
    assert service_attempt(request, _refuse, success="Done.", level=messages.ERROR) is False
    assert [(m.level, m.message) for m in messages.get_messages(request)] == [
        (messages.WARNING, "Not now."),
        (messages.ERROR, "Not now."),
    ]
