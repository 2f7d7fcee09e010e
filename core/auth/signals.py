"""Signals sent by signing in, for other parts (the audit trail) to record.

Connect with ``signed_in.connect(receiver)``; each is sent with the app as sender.

- ``signed_in``: ``user`` (the ``User``) and ``method`` (``"password"``, ``"oidc"``).
- ``sign_in_failed``: ``email`` (lower-cased, as typed), ``user_id`` (the account's id,
  or None when no account has that email) and ``reason``: ``"wrong"`` (wrong password,
  unknown or inactive account: the user is told the same in every case) or ``"held"``
  (refused by throttling, password not checked) or ``"code"`` (right password, wrong
  two-step verification code) or ``"oidc"`` (the identity provider's answer was refused,
  or named no active account; ``email`` is "" when the answer named nobody, and
  ``detail`` says why: ``"account"``, ``"no_email"``, ``"denied"``, ``"state"``,
  ``"token"`` or ``"provider"``).
- Sessions ending: ``core.sessions.session_ended``.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
signed_in = _signals.signal("careaudit-signed-in")
sign_in_failed = _signals.signal("careaudit-sign-in-failed")
