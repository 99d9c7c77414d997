from __future__ import annotations

import time
from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.decorators import role_required
from accounts.forms import (
    LineManagerPasswordForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    TwoFactorCodeForm,
    TwoFactorPolicyForm,
)
from accounts.line_managers import line_manager_request_confirm, line_manager_request_for_token
from accounts.models import User
from accounts.selectors import (
    home_url_name_for,
    two_factor_device_for,
    two_factor_policy_get,
    two_factor_qr_svg,
    two_factor_required_for,
    user_get_active,
)
from accounts.services import (
    two_factor_code_check,
    two_factor_device_confirm,
    two_factor_device_remove,
    two_factor_key_new,
    two_factor_policy_update,
)
from core.errors import DomainError
from core.forms import form_add_domain_error


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the home page of their first role."""
    return redirect(home_url_name_for(request.user))


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_role.html")


class LoginView(auth_views.LoginView):
    """The password first; a person with an authenticator then gives a code before they are signed in."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if two_factor_device_for(user=user) is not None:
            self.request.session[two_factor.PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("login_code")
        response = super().form_valid(form)
        if two_factor_required_for(user=user):
            self.request.session[two_factor.SETUP_REQUIRED] = True
            return redirect("accounts:two_factor_setup")
        return response


def two_factor_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the person's authenticator app."""
    pending = request.session.get(two_factor.PENDING)
    fresh = pending is not None and 0 <= time.time() - pending["at"] <= two_factor.PENDING_SECONDS
    user = user_get_active(pk=pending["user"]) if fresh else None
    device = two_factor_device_for(user=user) if user is not None else None
    if device is None:
        request.session.pop(two_factor.PENDING, None)
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor_code_check(device=device, token=form.cleaned_data["code"]):
            del request.session[two_factor.PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        # django-axes counts a wrong code as a failed sign-in for this account and address.
        user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
        form.add_error("code", _("That code did not match. Try the newest code from your app."))
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/login_code.html", {"form": form}, status=status)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn two-step sign-in on (scan the code, type a code back) or off."""
    user = request.user
    device = two_factor_device_for(user=user)
    required = two_factor_required_for(user=user)
    form = TwoFactorCodeForm(
        request.POST or None, submit_label=_("Turn off two-step sign-in") if device else _("Turn on two-step sign-in")
    )
    context: dict[str, object] = {"form": form, "device": device, "required": required}
    if device is None:
        key = request.session.get(two_factor.SETUP_KEY) or two_factor_key_new()
        request.session[two_factor.SETUP_KEY] = key
        if request.method == "POST" and form.is_valid():
            try:
                device = two_factor_device_confirm(user=user, key=key, token=form.cleaned_data["code"])
            except DomainError as error:
                form_add_domain_error(form=form, error=error)
            else:
                for name in (two_factor.SETUP_KEY, two_factor.SETUP_REQUIRED):
                    request.session.pop(name, None)
                otp_login(request, device)
                messages.success(request, _("Two-step sign-in is on. Steady will ask for a code when you sign in."))
                return redirect("home")
        context["qr_svg"] = two_factor_qr_svg(config_url=TOTPDevice(user=user, key=key).config_url)
        context["manual_key"] = b32encode(bytes.fromhex(key)).decode()
    elif request.method == "POST" and form.is_valid():
        try:
            two_factor_device_remove(user=user, token=form.cleaned_data["code"])
        except DomainError as error:
            form_add_domain_error(form=form, error=error)
        else:
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("accounts:two_factor_setup")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@role_required("service_lead")
def two_factor_policy(request: HttpRequest) -> HttpResponse:
    """The service lead decides whether facilitators and service leads must use two-step sign-in."""
    policy = two_factor_policy_get()
    form = TwoFactorPolicyForm(
        request.POST or None,
        initial={
            "required_for_facilitators": policy.required_for_facilitators,
            "required_for_service_leads": policy.required_for_service_leads,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_policy_update(by=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form=form, error=error)
        else:
            messages.success(request, _("Saved. People who must now set it up will be asked when they next sign in."))
            return redirect("accounts:two_factor_policy")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor_policy.html", {"form": form, "policy": policy}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")


def line_manager_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The named manager confirms by the emailed link; with no account yet, they choose a password here."""
    try:
        pending = line_manager_request_for_token(token=token)
    except DomainError as error:
        return render(request, "accounts/line_manager_confirm.html", {"unusable": error.message}, status=410)
    has_account = User.objects.filter(email__iexact=pending.email).exists()
    form = LineManagerPasswordForm(request.POST or None) if not has_account else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            line_manager_request_confirm(
                request=pending, by=None, password=form.cleaned_data["password"] if form else None
            )
        except DomainError as error:
            return render(request, "accounts/line_manager_confirm.html", {"unusable": error.message}, status=410)
        return render(request, "accounts/line_manager_confirm.html", {"done": True, "pending": pending})
    return render(
        request, "accounts/line_manager_confirm.html", {"pending": pending, "form": form, "has_account": has_account}
    )
