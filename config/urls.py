from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from agreements import urls as agreements_urls
from common import views as common_views
from delegations import urls as delegations_urls
from partnerships import urls as partnerships_urls
from sheets import urls as sheets_urls
from workspace import urls as workspace_urls
from workspace import views as workspace
from workspace.calendar_feed import calendar_feed

# The app's own error pages, in the shell (common/error_pages.py).
handler400 = "common.error_pages.bad_request"
handler403 = "common.error_pages.permission_denied"
handler404 = "common.error_pages.page_not_found"
handler500 = "common.error_pages.server_error"

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    path("favicon.ico", common_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # Logging out says so on the page it lands on; the rest are Django's (our templates).
    path("accounts/logout/", workspace.SignOutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", workspace.dashboard, name="dashboard"),
    path("search/", workspace.search, name="search"),
    # No session: the secret in the address is the key (workspace/calendar_feed.py).
    path("calendar/feed/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("", include("workspace.urls")),
    # One namespace for the pages of partners, cities, people and organisations: the
    # partnerships app's own, and the workspace's pages of the same records that also
    # show agreements and visits (the partnership list and page, a person's page…).
    # The same for agreements (an agreement's page shows its action items and visits).
    path(
        "",
        include(
            ([*partnerships_urls.urlpatterns, *workspace_urls.partnership_pages], "partnerships")
        ),
    ),
    # The import and export pages of a record's sheet (sheets/) keep their record app's
    # namespace too: agreements:import, delegations:visit_export…
    path(
        "agreements/",
        include(
            (
                [
                    *agreements_urls.urlpatterns,
                    *workspace_urls.agreement_pages,
                    *sheets_urls.agreement_pages,
                ],
                "agreements",
            )
        ),
    ),
    path(
        "",
        include(([*delegations_urls.urlpatterns, *sheets_urls.delegation_pages], "delegations")),
    ),
    path("jobs/", include("jobs.urls")),
    path("imports/", include((sheets_urls.log_pages, "sheets"))),
]

if settings.DEBUG:
    from django.urls import re_path

    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", common_views.development_media),
    ]
