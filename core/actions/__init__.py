"""Following an audit up: remedial actions, sign-off and re-audit.

* ``rules``: who may set, confirm and sign off; whom an action may go to; which
  outcomes need an action (the tool's ``careaudit_outcomes_needing_action`` or core's
  rule) and whether the follow-up may be signed off.
* ``followup``: the changes (set, done, confirm, reopen, sign off, ask for a re-audit,
  make a re-audit due), each recorded in the audit trail against the audit.
* ``comparison``: an audit and its re-audit side by side, standard by standard.
* ``reminders``: due-soon and overdue emails for actions, sent by ``careaudit remind``.
* ``views``: the audit page's panel, the home page's section, the Actions page and CSV.
"""
