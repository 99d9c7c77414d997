from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from accounts.forms import LineManagerPasswordForm, LoginForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from accounts.line_managers import line_manager_request_confirm, line_manager_request_for_token
from accounts.models import User
from accounts.selectors import home_url_name_for
from core.errors import DomainError


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the home page of their first role."""
    return redirect(home_url_name_for(request.user))


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_role.html")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


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
