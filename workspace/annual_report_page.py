"""The annual report's page: choose the year, the language and the format, download."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from workspace.annual_report import FORMATS

EARLIEST_YEAR = 1950


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=EARLIEST_YEAR, max_value=2100)
    lang = forms.ChoiceField(
        label=_("Language"), choices=[("vi", _("Vietnamese")), ("en", _("English"))]
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", "PDF"), ("docx", _("Word (.docx)"))]
    )


@require_GET
@viewer_required
def annual_report(request: AuthenticatedRequest) -> HttpResponse:
    form = AnnualReportForm(request.GET or None, initial={"year": timezone.localdate().year - 1})
    if form.is_bound and form.is_valid():
        year, lang = form.cleaned_data["year"], form.cleaned_data["lang"]
        content_type, build = FORMATS[form.cleaned_data["file_format"]]
        response = HttpResponse(build(year, lang), content_type=content_type)
        name = f"bao-cao-{year}-{lang}.{form.cleaned_data['file_format']}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "workspace/annual_report.html", {"form": form})
