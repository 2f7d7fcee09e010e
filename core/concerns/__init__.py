"""Safeguarding escalation: "a child (or adult) may be at risk now", raised from an audit.

* :mod:`~core.concerns.workflow`: raising a concern (saved at once, even from a draft
  audit; the team's managers, the service manager and the safeguarding mailbox are
  told), recording responses, escalating the unanswered to senior managers.
* :mod:`~core.concerns.working_days`: ``due_by``: England and Wales working days.
* :mod:`~core.concerns.scope`: who sees, answers and is told about a concern.
* :mod:`~core.concerns.mail`: the email to the safeguarding mailbox (an address).
* :mod:`~core.concerns.views`: the pages, ``careaudit concerns escalate`` and the panels.
* :mod:`~core.concerns.demo`: the demo borough's concerns.

Nothing about a concern is changed or deleted: see :mod:`core.models.concerns`.
"""
