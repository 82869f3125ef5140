from django.urls import path

from workspace import (
    annual_report_page,
    calendar_page,
    my_work,
    partner_map,
    personal,
    restoring,
    statistics,
    views,
)

app_name = "workspace"

urlpatterns = [
    path("dashboard/<slug:section>/", views.dashboard_section, name="dashboard_section"),
    path("my-work/", my_work.my_work, name="my_work"),
    path("calendar/", calendar_page.calendar_view, name="calendar"),
    path("map/", partner_map.partner_map, name="partner_map"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("reports/annual/", annual_report_page.annual_report, name="annual_report"),
    path("me/settings/", personal.personal_settings, name="personal_settings"),
    path("me/partnerships/", personal.followed_partnerships, name="followed_partnerships"),
    path("me/calendar-feed/", personal.calendar_feed_action, name="calendar_feed_action"),
    path(
        "history/restore/<str:label>/<int:pk>/",
        restoring.restore_removed,
        name="restore_removed",
    ),
]

# The pages of the partnerships app's records that tell their whole story (agreements,
# visits, action items). config/urls.py files them under the ``partnerships`` namespace
# with the rest of those records' pages, so ``partnerships:partnership_detail`` is the
# partnership's page wherever it is served from.
partnership_pages = [
    path("partners/", views.partnership_list, name="partnership_list"),
    path("partners/<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path("partners/<int:pk>/follow/", views.partnership_follow, name="partnership_follow"),
    path(
        "partners/<int:pk>/followers/",
        views.partnership_followers,
        name="partnership_followers",
    ),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]

# The same for an agreement's page (its action items, the visits it was signed during),
# filed under the ``agreements`` namespace.
agreement_pages = [
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
]
