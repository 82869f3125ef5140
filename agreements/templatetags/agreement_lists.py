"""``{% load agreement_lists %}``: the agreements list's rows written in Python
(agreements/list_rows.py):
``{% block rows %}{{ page_obj.object_list|agreement_rows }}{% endblock rows %}``."""

from django import template

from agreements.list_rows import agreement_rows

register = template.Library()
register.filter("agreement_rows", agreement_rows)
