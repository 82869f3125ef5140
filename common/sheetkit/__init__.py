r"""The machinery every spreadsheet sheet shares, generic over the model (issue 12, point 1).

A record app defines its sheet (its columns and how a row becomes its records) on
``resource.SheetResource`` and names it in its AppConfig's ``sheets``; the ``sheets`` app
reads the files, previews, logs and serves the pages. Nothing here knows an app of ours:
the look-ups of cities, people and organisations the record sheets share are
``partnerships.sheet_lookups`` and ``partnerships.sheet_resource``.

* ``cells``: a cell as text (``cell_text``), formula escaping, list cells and their
  escaping: ``;``, ``( ) [ ]`` and ``\`` inside an item are written with a backslash
  before them (``Lê Văn Bình \(Bình Lê\) (Chủ tịch)``); a cell beginning with
  ``= + - @``, a tab, a carriage return or an apostrophe is exported with one more
  apostrophe before it, which the import removes.
* ``widgets``: text, choices (code, English or Vietnamese label, synonyms, head noun) and
  dates (date cells, ``yyyy-mm-dd`` or ``dd/mm/yyyy``: day first, always; partial
  ``2004``, ``12/2023`` where the column allows).
* ``countries``: a country by ISO code (``BY``/``BLR``) or English or Vietnamese name.
* ``writer``: the one bulk writer with history (``create_with_history``) every sheet uses.
* ``resource``: ``SheetResource``, rows validated one by one (``full_clean`` without the
  per-row database checks, which are done once for the whole sheet), then everything
  written in bulk, with history, after the last row.
"""
