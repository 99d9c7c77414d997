from __future__ import annotations

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def send_password_reset_email(*, user_id: int, domain: str, use_https: bool) -> bool:
    """Email a password-reset link; the token is made here, so it never travels through the broker."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "user": user,
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("registration/password_reset_subject.txt", context).strip()
    body = render_to_string("registration/password_reset_email.txt", context)
    message = EmailMultiAlternatives(subject, body, to=[user.email])
    message.send()
    return True
