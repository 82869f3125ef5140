"""Export every agreement with the import columns (export → import changes nothing)."""

from sheets.export_command import ExportCommand
from sheets.models import ImportLog


class Command(ExportCommand):
    help = "Export all agreements to .csv, .xlsx or .ods (default: csv to standard output)."
    sheet = ImportLog.Sheet.AGREEMENTS
    records = "agreements"
