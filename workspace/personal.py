"""A staff member's own settings page (from the user menu): the personal calendar feed
(turn on, replace the secret URL, turn off), the e-mail reminders (how often, in
which language) and the partnerships the account follows (what its reminders and My work
cover besides its assigned items)."""

from __future__ import annotations

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from partnerships.models import Partnership
from workspace.models import PersonalSettings


class ReminderForm(forms.ModelForm):
    class Meta:
        model = PersonalSettings
        fields = ["reminder_frequency", "language"]


class FollowedPartnershipsForm(forms.Form):
    partnerships = forms.ModelMultipleChoiceField(
        label=_l("Partnerships I follow"),
        queryset=Partnership.objects.select_related("home_city", "partner_city"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_l(
            "Your reminders and My work include their expiring agreements and coming visits."
        ),
    )

    def save(self, user: User) -> None:
        """Changed from the partnerships' side, so that each one's history records it."""
        chosen = set(self.cleaned_data["partnerships"])
        followed = set(Partnership.objects.followed_by(user))
        for partnership in chosen ^ followed:
            partnership.set_followed(user, follow=partnership in chosen)


@require_http_methods(["GET", "POST"])
@viewer_required
def personal_settings(request: AuthenticatedRequest) -> HttpResponse:
    mine = PersonalSettings.of(request.user)
    form = ReminderForm(request.POST if request.method == "POST" else None, instance=mine)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your reminder settings were saved."))
        return HttpResponseRedirect(reverse("workspace:personal_settings"))
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[mine.feed_token]))
        if mine.feed_token
        else ""
    )
    context = {
        "form": form,
        "follow_form": FollowedPartnershipsForm(
            initial={"partnerships": Partnership.objects.followed_by(request.user)}
        ),
        "feed_url": feed_url,
        "feed_scope": mine.feed_scope,
        "has_email": bool(request.user.email),
    }
    status = HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK
    return render(request, "workspace/personal_settings.html", context, status=status)


@require_POST
@viewer_required
def followed_partnerships(request: AuthenticatedRequest) -> HttpResponse:
    form = FollowedPartnershipsForm(request.POST)
    if form.is_valid():
        form.save(request.user)
        messages.success(request, _("The partnerships you follow were saved."))
    else:
        messages.error(request, _("Choose partnerships from the list."))
    return HttpResponseRedirect(reverse("workspace:personal_settings") + "#followed")


@require_POST
@viewer_required
def calendar_feed_action(request: AuthenticatedRequest) -> HttpResponse:
    mine = PersonalSettings.of(request.user)
    action = request.POST.get("action")
    if action in PersonalSettings.FeedScope.values:
        mine.feed_scope = action
        mine.save(update_fields=["feed_scope"])
        messages.success(
            request,
            _("Your calendar feed shows %(scope)s.") % {"scope": mine.get_feed_scope_display()},
        )
    elif action == "off":
        mine.turn_feed_off()
        messages.success(request, _("Your calendar feed is off: its address no longer works."))
    else:
        mine.turn_feed_on()
        messages.success(
            request, _("Your calendar feed has a new address; the old one no longer works.")
        )
    return HttpResponseRedirect(reverse("workspace:personal_settings"))
