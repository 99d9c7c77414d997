from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views
from accounts.urls import auth_urlpatterns
from core import views as core_views

admin.site.site_header = "Steady administration"
admin.site.site_title = "Steady"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("accounts.urls")),
    path("programmes/", include("programmes.urls")),
    path("", include("sessions.urls")),
    # The organisation report moved to facilitation (it adds protected time); old links still work.
    path(
        "measures/organisation/",
        RedirectView.as_view(pattern_name="facilitation:organisation_report", query_string=True),
    ),
    path("measures/", include("measures.urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("facilitation.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

if settings.STEADY_BENCH_FLOOR:
    urlpatterns += [path("bench/floor/", core_views.bench_floor, name="bench_floor")]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
