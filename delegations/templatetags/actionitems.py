"""``{% load actionitems %}``: the inline status change of an action item, anywhere.

``{% actionitem_status_form item as status_form %}`` builds the small form that
templates/…/includes/actionitem_status.html renders (no query).
"""

from django import template

from delegations.forms import StatusForm

register = template.Library()


@register.simple_tag
def actionitem_status_form(item):
    return StatusForm(instance=item, prefix=f"item{item.pk}")
