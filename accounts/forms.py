from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.tasks import send_password_reset_email
from core.forms import CrispyFormMixin


class LoginForm(CrispyFormMixin, auth_forms.AuthenticationForm):
    """Sign-in form with one message for every failure: it never says which part was wrong."""

    submit_label = _("Sign in")
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("That email address and password do not match an account. Please try again."),
        "inactive": _("That email address and password do not match an account. Please try again."),
    }


class PasswordResetForm(CrispyFormMixin, auth_forms.PasswordResetForm):
    """Send the reset link from a Celery worker, after the request's transaction commits."""

    submit_label = _("Send me a link")

    def save(
        self, *, domain_override: str | None = None, use_https: bool = False, request: Any = None, **_: Any
    ) -> None:
        domain = domain_override or (request.get_host() if request else "127.0.0.1:8000")
        for user in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(
                lambda user_id=user.pk: send_password_reset_email.delay(
                    user_id=user_id, domain=domain, use_https=use_https
                )
            )


class SetPasswordForm(CrispyFormMixin, auth_forms.SetPasswordForm):
    submit_label = _("Save new password")


class PasswordChangeForm(CrispyFormMixin, auth_forms.PasswordChangeForm):
    submit_label = _("Change password")


class UserCreationForm(auth_forms.UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class LineManagerPasswordForm(CrispyFormMixin, forms.Form):
    """A named line manager without an account chooses a password as they confirm."""

    submit_label = _("Confirm and create my account")
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput, min_length=8)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class LineManagerNameForm(forms.Form):
    """A person names their line manager (by work email) so they can ask for protected time."""

    first_name = forms.CharField(label=_("Their first name"), max_length=80)
    last_name = forms.CharField(label=_("Their last name"), max_length=80, required=False)
    email = forms.EmailField(label=_("Their work email"))


class TwoFactorCodeForm(CrispyFormMixin, forms.Form):
    """The six-digit code from an authenticator app."""

    submit_label = _("Continue")
    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )


class TwoFactorPolicyForm(CrispyFormMixin, forms.Form):
    submit_label = _("Save")
    required_for_facilitators = forms.BooleanField(label=_("Facilitators must use two-step sign-in"), required=False)
    required_for_service_leads = forms.BooleanField(label=_("Service leads must use two-step sign-in"), required=False)
