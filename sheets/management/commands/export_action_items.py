"""Export every action item with the import columns (export → import changes nothing)."""

from sheets.export_command import ExportCommand
from sheets.models import ImportLog


class Command(ExportCommand):
    help = "Export all action items to .csv, .xlsx or .ods (default: csv to standard output)."
    sheet = ImportLog.Sheet.ACTION_ITEMS
    records = "action items"
