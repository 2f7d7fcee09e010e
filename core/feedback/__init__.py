"""Feedback to the worker: an audit read, acknowledged, replied to and discussed.

When an audit of a case or of a member of staff is submitted, the worker whose work
it looked at is asked to read and acknowledge it, and may reply within
``REPLY_DAYS`` (agree, or disagree with reasons per standard); their team manager
records when it was discussed in supervision. The reply never changes the audit.

* ``workflow``: the steps and who may take them, free of HTTP;
* ``queries``: the lists on home pages;
* ``forms``: the reply and supervision forms;
* ``views``: the pages, the panel on the audit page and the home page sections;
* ``demo``: the demo borough's feedback.

Compliance (``core.programme.compliance.overdue_acknowledgements``) and the weekly
digest list acknowledgements not made by the end of the reply period.
"""
