"""Passwords follow the NCSC's guidance: long enough, not common, no composition rules."""

from __future__ import annotations

import pytest

from core.password_policy import password_problem


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",  # three random words
        "lorry tulip violin",
        "ЖёлтыйКотБежит",  # any characters count
        "zq8$Lm2!pR9x",
        "Annabelle Ashworth lorry",
    ],
)
def test_long_uncommon_passwords_are_accepted_whatever_they_are_made_of(password: str):
    assert password_problem(password) is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short one", "12 characters or more"),
        ("password1234", "most common passwords"),
        ("PASSWORD1234", "most common passwords"),
        ("1234567890123", "easy to guess"),
        ("iloveyou1234", "easy to guess"),
        ("passwordpassword", "easy to guess"),
        ("a" * 11 + "b", "easy to guess"),
        (" " * 12, "one character repeated"),
        ("aaaaaaaaaaaa", "one character repeated"),
        ("x" * 257, "256 characters or fewer"),
        ("twelve chars\x00", "control characters"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str):
    problem = password_problem(password)
    assert problem is not None and reason in problem


def test_a_password_may_not_be_the_persons_own_email_or_name():
    assert "email address or your name" in password_problem(
        "ann.ash.worker@council.example", email="ann.ash.worker@council.example"
    )
    assert "email address or your name" in password_problem(
        "Annabelle Ashworth", name="Annabelle Ashworth"
    )
    assert password_problem("Annabelle Ashworth lorry", name="Annabelle Ashworth") is None


def test_an_administrator_cannot_give_a_common_password(client, auth, borough):
    auth.login("admin@test.example")
    response = client.post(
        "/admin/users/new",
        data={
            "name": "New Person",
            "email": "new.person@test.example",
            "role": "senior_manager",
            "password": "password1234",
            "active": "y",
        },
    )
    assert response.status_code == 400
    assert "one of the most common passwords" in response.get_data(as_text=True)
    assert 'value="New Person"' in response.get_data(as_text=True)  # typed values kept


def test_create_user_refuses_a_common_password(runner, app):
    result = runner.invoke(
        args=["create-user", "--email", "a@x.example", "--name", "A", "--password", "password1234"]
    )
    assert result.exit_code != 0
    assert "common passwords" in result.output
