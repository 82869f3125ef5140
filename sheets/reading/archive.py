"""The ZIP container of .xlsx and .ods, checked before anything in it is inflated."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext

from .limits import SheetError

MAX_UNCOMPRESSED = 100 * 1024 * 1024  # all members together
# Plain XML rarely compresses beyond 1:100 (a LibreOffice sheet formatted down to the last
# row reaches a few hundred); a zip bomb does thousands.
MAX_RATIO = 1000  # uncompressed / compressed, for members bigger than 1 MB
MAX_MEMBERS = 10_000


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open an .xlsx/.ods archive after checking what it claims to inflate to.

    The declared sizes are checked here; the readers also stop at the declared size
    when they inflate (``zipfile`` checks the CRC and length of what it inflates), so a
    member lying about its size is refused as damaged.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise SheetError(gettext("The file is damaged or is not a spreadsheet.")) from error
    if len(members) > MAX_MEMBERS:
        raise SheetError(gettext("The file is damaged or is not a spreadsheet."))
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise SheetError(
                gettext("The file is refused: it expands to far more than its size (a “zip bomb”).")
            )
    if total > MAX_UNCOMPRESSED:
        raise SheetError(
            gettext("The file is refused: its contents are larger than %(mb)d MB once unpacked.")
            % {"mb": MAX_UNCOMPRESSED // (1024 * 1024)}
        )
    return archive
