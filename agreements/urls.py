from django.urls import path

from agreements import views, views_import

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/delete/", views.agreement_delete, name="agreement_delete"),
    path("import/", views_import.agreement_import, name="import"),
    path("import/template.xlsx", views_import.agreement_import_template, name="import_template"),
    path("export/", views_import.agreement_export, name="export"),
]
