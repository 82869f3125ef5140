from django.urls import path

from delegations.views import action_items, brief, visit_parts, visits

app_name = "delegations"

urlpatterns = [
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/new/", visits.visit_create, name="visit_create"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", visits.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", visits.visit_delete, name="visit_delete"),
    path("visits/<int:pk>/brief/", brief.visit_brief, name="visit_brief"),
    path("visits/<int:pk>/<slug:kind>/", visit_parts.part_list, name="visit_part_list"),
    path("visits/<int:pk>/<slug:kind>/new/", visit_parts.part_new, name="visit_part_new"),
    path("visits/<int:pk>/<slug:kind>/<int:row>/", visit_parts.part_row, name="visit_part_row"),
    path(
        "visits/<int:pk>/<slug:kind>/<int:row>/edit/",
        visit_parts.part_edit,
        name="visit_part_edit",
    ),
    path(
        "visits/<int:pk>/<slug:kind>/<int:row>/delete/",
        visit_parts.part_delete,
        name="visit_part_delete",
    ),
    path(
        "visits/<int:pk>/documents/<int:row>/file/",
        visit_parts.document_file,
        name="visit_document",
    ),
    path("actions/", action_items.actionitem_list, name="actionitem_list"),
    path("actions/new/", action_items.actionitem_create, name="actionitem_create"),
    path("actions/status/", action_items.actionitem_bulk_status, name="actionitem_bulk_status"),
    path("actions/<int:pk>/", action_items.actionitem_detail, name="actionitem_detail"),
    path("actions/<int:pk>/edit/", action_items.actionitem_edit, name="actionitem_edit"),
    path("actions/<int:pk>/delete/", action_items.actionitem_delete, name="actionitem_delete"),
    path(
        "actions/<int:pk>/status/", action_items.actionitem_status_or_item, name="actionitem_status"
    ),
]
