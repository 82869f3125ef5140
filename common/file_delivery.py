"""Handing out a stored file after the view has checked who asks.

The app never gives a public media URL: a view checks the user's role, then calls
``send_file``. By default Django streams the file itself. Behind a proxy that can send
files on the app's word (``FILE_DELIVERY``, SECURITY.md "Reverse proxy"), the view only
answers with a header naming the file and the proxy sends it:

- ``x-accel-redirect`` (nginx): ``X-Accel-Redirect: FILE_DELIVERY_PREFIX + the path under
  MEDIA_ROOT``; nginx maps that prefix to MEDIA_ROOT in an ``internal`` location, which
  no client can request directly.
- ``x-sendfile`` (Apache mod_xsendfile, lighttpd): ``X-Sendfile: the absolute path``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.encoding import escape_uri_path

X_ACCEL_REDIRECT = "x-accel-redirect"
X_SENDFILE = "x-sendfile"


def send_file(
    path: Path, *, filename: str, content_type: str | None = None
) -> HttpResponse | FileResponse:
    """The file at ``path`` (under MEDIA_ROOT) as a download, however FILE_DELIVERY says."""
    if not path.is_file():
        raise Http404
    mode = settings.FILE_DELIVERY
    response: HttpResponse | FileResponse
    if mode == X_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        relative = path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        response["X-Accel-Redirect"] = settings.FILE_DELIVERY_PREFIX + quote(relative.as_posix())
    elif mode == X_SENDFILE:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Sendfile"] = str(path.resolve())
    else:
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    if mode in (X_ACCEL_REDIRECT, X_SENDFILE):
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
        )
    response["Cache-Control"] = "private, no-store"
    return response
