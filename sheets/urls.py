"""The import and export pages, under the names of the record apps they serve.

config/urls.py adds these patterns to the ``agreements`` and ``delegations`` namespaces,
so that ``agreements:import`` or ``delegations:visit_export`` keep their names and URLs.
"""

from django.urls import path

from sheets import log_views, views

agreement_pages = [
    path("import/", views.agreement_import, name="import"),
    path("import/template.xlsx", views.agreement_import_template, name="import_template"),
    path("export/", views.agreement_export, name="export"),
]

delegation_pages = [
    path("visits/import/", views.visit_import, name="visit_import"),
    path(
        "visits/import/template.xlsx",
        views.visit_import_template,
        name="visit_import_template",
    ),
    path("visits/export/", views.visit_export, name="visit_export"),
    path("actions/import/", views.actionitem_import, name="actionitem_import"),
    path(
        "actions/import/template.xlsx",
        views.actionitem_import_template,
        name="actionitem_import_template",
    ),
    path("actions/export/", views.actionitem_export, name="actionitem_export"),
]

# An import's log page and its revert: the ``sheets`` namespace, under /imports/.
log_pages = [
    path("<int:pk>/", log_views.import_log, name="import_log"),
    path("<int:pk>/revert/", log_views.import_revert, name="import_revert"),
]
