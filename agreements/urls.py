from django.urls import path

from agreements.views import records

app_name = "agreements"

urlpatterns = [
    path("", records.agreement_list, name="agreement_list"),
    path("new/", records.agreement_create, name="agreement_create"),
    path("<int:pk>/edit/", records.agreement_edit, name="agreement_edit"),
    path("<int:pk>/delete/", records.agreement_delete, name="agreement_delete"),
    path("documents/<int:pk>/", records.document_download, name="document_download"),
]
