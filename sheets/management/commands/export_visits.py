"""Export every delegation visit with the import columns (export → import changes nothing)."""

from sheets.export_command import ExportCommand
from sheets.models import ImportLog


class Command(ExportCommand):
    help = "Export all delegation visits to .csv, .xlsx or .ods (default: csv to standard output)."
    sheet = ImportLog.Sheet.VISITS
    records = "visits"
