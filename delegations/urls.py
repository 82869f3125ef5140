from django.urls import path

from delegations import views, views_brief, views_import

app_name = "delegations"

urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", views.visit_delete, name="visit_delete"),
    path("visits/<int:pk>/brief.pdf", views_brief.visit_brief, name="visit_brief"),
    path("visits/import/", views_import.visit_import, name="visit_import"),
    path(
        "visits/import/template.xlsx",
        views_import.visit_import_template,
        name="visit_import_template",
    ),
    path("visits/export/", views_import.visit_export, name="visit_export"),
    path("actions/", views.actionitem_list, name="actionitem_list"),
    path("actions/import/", views_import.actionitem_import, name="actionitem_import"),
    path(
        "actions/import/template.xlsx",
        views_import.actionitem_import_template,
        name="actionitem_import_template",
    ),
    path("actions/export/", views_import.actionitem_export, name="actionitem_export"),
    path("actions/new/", views.actionitem_create, name="actionitem_create"),
    path("actions/<int:pk>/", views.actionitem_detail, name="actionitem_detail"),
    path("actions/<int:pk>/edit/", views.actionitem_edit, name="actionitem_edit"),
    path("actions/<int:pk>/delete/", views.actionitem_delete, name="actionitem_delete"),
    path("actions/<int:pk>/status/", views.actionitem_status, name="actionitem_status"),
]
