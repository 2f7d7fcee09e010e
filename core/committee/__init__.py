"""Committee reports: the narrative page, committee packs and their exports.

* ``requests``: a report request from a page's parameters (the report page's own
  reading), and back to the parameters for links.
* ``drafts``: a committee report's changes (create, save, pin, unpin, issue, start
  a new version), each recorded in the audit trail; an issued report refuses them.
* ``exports``: PDF, Word, Excel and CSV files made by a background job and kept in
  the database for download.
* ``narrative_page``: the evidence comments page (``/reports/narrative``), with
  "pin mode" for a draft.
* ``views``: the committee report pages (``/committee/...``).

The comments themselves are selected by ``core.reports.narrative``.
"""
