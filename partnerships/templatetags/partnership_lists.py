"""``{% load partnership_lists %}``: the rows of the partners and organisations lists
written in Python (partnerships/list_rows.py):
``{% block rows %}{{ page_obj.object_list|partnership_rows }}{% endblock rows %}``."""

from django import template

from partnerships.list_rows import organisation_rows, partnership_rows

register = template.Library()
register.filter("partnership_rows", partnership_rows)
register.filter("organisation_rows", organisation_rows)
