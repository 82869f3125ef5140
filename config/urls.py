from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from agreements import urls as agreements_urls
from common import views as common_views
from partnerships import urls as partnerships_urls
from workspace import urls as workspace_urls
from workspace import views as workspace

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", workspace.dashboard, name="dashboard"),
    path("search/", workspace.search, name="search"),
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
    path(
        "agreements/",
        include(([*agreements_urls.urlpatterns, *workspace_urls.agreement_pages], "agreements")),
    ),
    path("", include("delegations.urls")),
    path("jobs/", include("jobs.urls")),
]

if settings.DEBUG:
    from django.urls import re_path

    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", common_views.development_media),
    ]

handler400 = common_views.bad_request
