"""The annual report's page: choose the year, the language and the format, and for this
download only the document's number, place, date and signer (prefilled from the REPORT_*
settings, which the command's --number --place --date --signer-title --signer-name override
the same way)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common.date_fields import DayField
from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from workspace.annual_report import FORMATS, Letterhead

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EARLIEST_YEAR = 1950
LATEST_YEAR = 2100

# A line of the letterhead: no line breaks, tabs or other control characters (they would
# break the heading's layout in the PDF and are dropped from Word anyway).
one_line = RegexValidator(
    r"[\x00-\x1f\x7f-\x9f]", inverse_match=True, message=_("Write it on one line.")
)


def _line(label: StrOrPromise, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=False, validators=[one_line], **kwargs
    )


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    lang = forms.ChoiceField(
        label=_("Language"), choices=[("vi", _("Vietnamese")), ("en", _("English"))]
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", "PDF"), ("docx", _("Word (.docx)"))]
    )
    number = _line(_("Document number"), 40, help_text=_('For example "12/BC-SNV".'))
    place = _line(_("Place"), 80)
    day = DayField(
        label=_("Date"), required=False, help_text=_("Left blank, the date is left to fill in.")
    )
    signer_title = _line(_("Signer's title"), 120)
    signer_name = _line(_("Signer's name"), 120)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year, day = cleaned.get("year"), cleaned.get("day")
        if year and day and not year <= day.year <= LATEST_YEAR:
            self.add_error("day", _("The report is dated in the year it covers or later."))
        return cleaned

    def letterhead(self) -> Letterhead:
        """What was typed; a field left empty takes the settings' value, then the default."""
        data = self.cleaned_data
        return Letterhead(
            number=data["number"],
            place=data["place"],
            day=data["day"],
            signer_title=data["signer_title"],
            signer_name=data["signer_name"],
        )


def _initial() -> dict[str, Any]:
    return {
        "year": timezone.localdate().year - 1,
        "number": settings.REPORT_NUMBER,
        "place": settings.REPORT_PLACE,
        "signer_title": settings.REPORT_SIGNER_TITLE,
        "signer_name": settings.REPORT_SIGNER_NAME,
    }


@require_GET
@viewer_required
def annual_report(request: AuthenticatedRequest) -> HttpResponse:
    form = AnnualReportForm(request.GET or None, initial=_initial())
    if form.is_bound and form.is_valid():
        year, lang = form.cleaned_data["year"], form.cleaned_data["lang"]
        file_format = form.cleaned_data["file_format"]
        content_type, build = FORMATS[file_format]
        response = HttpResponse(build(year, lang, form.letterhead()), content_type=content_type)
        name = f"bao-cao-{year}-{lang}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "workspace/annual_report.html", {"form": form})
