from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# Django's auth URL names stay unnamespaced, as its templates and views expect.
auth_urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.two_factor_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

app_name = "accounts"
urlpatterns = [
    path("no-role/", views.no_role, name="no_role"),
    path("line-manager/<secret:token>/", views.line_manager_confirm, name="line_manager_confirm"),
    path("two-step-sign-in/", views.two_factor_setup, name="two_factor_setup"),
    path("two-step-sign-in/policy/", views.two_factor_policy, name="two_factor_policy"),
]
