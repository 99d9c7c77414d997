from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from accounts.forms import LoginForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from accounts.selectors import home_url_name_for


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
