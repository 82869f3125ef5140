from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<uuid:pk>/", views.job_detail, name="job_detail"),
    path("<uuid:pk>/result", views.job_result, name="job_result"),
    path("<uuid:pk>/cancel/", views.job_cancel, name="job_cancel"),
]
