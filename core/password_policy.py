"""What makes a password acceptable: the NCSC's guidance, not composition rules.

* at least 12 characters (no upper limit that matters: 256), any characters;
* not one of the tens of thousands of passwords attackers try first: the
  30,000 most common passwords from breaches, as shipped by ``zxcvbn``;
* not a single character repeated (twelve spaces), and not the person's own
  email address or name;
* not easy to guess in another way attackers know: sequences ("123456789012"),
  repeats ("passwordpassword"), a common word with digits ("iloveyou1234") or
  the person's name, by ``zxcvbn``'s estimate of the guesses needed (at least
  10^8, its "safely unguessable" level for online attacks);
* no expiry and no rules such as "one digit and one symbol", which make
  passwords harder to remember without making them harder to guess.
"""

from __future__ import annotations

import unicodedata
from functools import cache

MIN_LENGTH = 12
MAX_LENGTH = 256
#: zxcvbn's score 3: "safely unguessable" against throttled online guessing.
MIN_GUESSES_LOG10 = 8


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` may not be used, in words for the person choosing it; None if fine."""
    length = len(unicodedata.normalize("NFC", password))
    if length < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if length > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if "\x00" in password:
        return "Password must not contain invisible control characters"
    normal = _normal(password)
    if len(set(password)) == 1 or not normal:
        return "Password must not be one character repeated. Three random words work well"
    squashed = normal.replace(" ", "")
    if normal in _common() or squashed in _common():
        return (
            "This password is one of the most common passwords, so it is easy to guess. "
            "Choose another: three random words work well"
        )
    own = {_normal(email), _normal(email.split("@")[0]), _normal(name)} - {""}
    if normal in own or squashed in {o.replace(" ", "") for o in own}:
        return "Password must not be your email address or your name"
    if _guesses_log10(password[:100], tuple(sorted(own))) < MIN_GUESSES_LOG10:
        return (
            "This password would be easy to guess: it is made of a sequence, a repeat, a "
            "common word or your name. Choose another: three random words work well"
        )
    return None


def _guesses_log10(password: str, own: tuple[str, ...]) -> float:
    from zxcvbn import zxcvbn

    return float(zxcvbn(password, user_inputs=list(own))["guesses_log10"])
