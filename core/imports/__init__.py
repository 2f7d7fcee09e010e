"""Getting a council's own data in: staff, the case list and the statutory returns.

One module per job:

* ``files``: reading CSV and XLSX files into rows, whatever the encoding or
  the spreadsheet's layout; ``values``: dates, yes/no and the like.
* ``plan``: what an import would change (``ImportPlan``) and its ``Problem``s.
* ``staff``, ``cases``, ``cin_census``, ``ssda903``: one importer per kind of
  file. Each *checks* the whole file into a plan without writing, then
  *applies* the plan.
* ``runner``: runs an importer the same way for the command line, the web
  and the demo: records the ``ImportRun``, dry run or not, all or nothing, in
  one transaction.
* ``cli``: ``careaudit import ...``; ``views``: the administrators' pages.
"""
