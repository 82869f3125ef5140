from django.urls import path

from . import pickers, views

app_name = "partnerships"

# The partnership list, a partnership's, a person's and an organisation's page show
# agreements and visits too: they are workspace views (workspace/urls.py partnership_pages),
# which config/urls.py files under this namespace with the pages below.
urlpatterns = [
    path("partners/new/", views.partnership_create, name="partnership_create"),
    path("partners/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("partners/<int:pk>/delete/", views.partnership_delete, name="partnership_delete"),
    path("cities/new/", views.city_create, name="city_create"),
    path("cities/suggestions/", views.city_suggestions, name="city_suggestions"),
    path("cities/<int:pk>/", views.city_detail, name="city_detail"),
    path("cities/<int:pk>/edit/", views.city_edit, name="city_edit"),
    path("cities/<int:pk>/delete/", views.city_delete, name="city_delete"),
    path("pick/<slug:kind>/", pickers.pick, name="pick"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/photo/", views.person_photo, name="person_photo"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/delete/", views.organisation_delete, name="organisation_delete"),
]
