"""The Django admin, for administrators only.

``OfficeAdminConfig`` (workspace/admin_apps.py, in INSTALLED_APPS in place of
``django.contrib.admin``) makes
``OfficeAdminSite`` the default site: Django lets in any active staff account; this site
lets in only those whose role is administrator (superusers count), so a viewer or an
editor who was marked staff is refused like anyone else (SECURITY.md, "Accounts").
"""

from django.contrib import admin
from django.http import HttpRequest

from common.permissions import may_use_admin


class OfficeAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)
