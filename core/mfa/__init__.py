"""Two-step verification: a code from an authenticator app after the password.

- ``totp``: secrets, the enrolment QR code, and checking a code (each code once);
- ``vault``: secrets are kept encrypted, with a key derived from SECRET_KEY;
- ``recovery``: single-use recovery codes, shown once, kept as hashes;
- ``policy``: who must use it (administrators, and the roles in CAREAUDIT_MFA_ROLES)
  and the "remember this device" cookie (at most 12 hours);
- ``flow``: the hand-off from a correct password to the second step;
- ``views``: the pages: the second step and enrolment at sign-in, the account's
  two-step settings, and an administrator's reset for a lost phone.

Signing in through the council's identity provider (core.oidc) skips this step: the
identity provider applies its own second factor.
"""
