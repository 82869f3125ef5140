"""The import and export pages of every sheet, by its kind, and the import log pages.

``sheet_pages`` (the ``sheets`` namespace, under /imports/): ``sheets:import`` with the
sheet's kind (``/imports/visits/``), its template and its export. The URLs the pages had
before, under the names of the record apps they serve, lead to the same views:
config/urls.py adds ``agreement_pages`` and ``delegation_pages`` to the ``agreements``
and ``delegations`` namespaces, so ``agreements:import`` or ``delegations:visit_export``
keep their names, their URLs and the bookmarks made of them.
"""

from django.urls import URLPattern, path

from sheets import log_views, views
from sheets.models import ImportLog


def _pages(sheet: str, prefix: str, name: str, export: str = "") -> list[URLPattern]:
    kind = {"sheet": sheet}
    return [
        path(f"{prefix}import/", views.sheet_import, kind, name=f"{name}import"),
        path(
            f"{prefix}import/template.xlsx",
            views.sheet_template,
            kind,
            name=f"{name}import_template",
        ),
        path(f"{prefix}export/", views.sheet_export, kind, name=export or f"{name}export"),
    ]


agreement_pages = _pages(ImportLog.Sheet.AGREEMENTS, "", "")
delegation_pages = [
    *_pages(ImportLog.Sheet.VISITS, "visits/", "visit_", "visit_export"),
    *_pages(ImportLog.Sheet.ACTION_ITEMS, "actions/", "actionitem_", "actionitem_export"),
]

# The ``sheets`` namespace, under /imports/: an import's log page and its revert, and
# every sheet's pages by its kind.
log_pages = [
    path("<int:pk>/", log_views.import_log, name="import_log"),
    path("<int:pk>/revert/", log_views.import_revert, name="import_revert"),
    path("<slug:sheet>/", views.sheet_import, name="import"),
    path("<slug:sheet>/template.xlsx", views.sheet_template, name="import_template"),
    path("<slug:sheet>/export/", views.sheet_export, name="export"),
]
