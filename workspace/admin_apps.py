"""``django.contrib.admin``'s app, with the site that lets in administrators only.

In INSTALLED_APPS in place of ``django.contrib.admin`` (a module of its own: the
workspace's apps.py keeps its one AppConfig).
"""

from django.contrib.admin.apps import AdminConfig


class OfficeAdminConfig(AdminConfig):
    default_site = "workspace.admin_site.OfficeAdminSite"
