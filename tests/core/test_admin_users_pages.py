"""The users list in pages: a borough's couple of thousand staff are not one page (issue 12)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.admin.views import USERS_PAGE_SIZE
from core.extensions import db
from core.models import Role, User
from tests.conftest import AuthActions
from tests.factories import Borough


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, borough: Borough) -> FlaskClient:
    for n in range(USERS_PAGE_SIZE + 30):
        db.session.add(
            User(
                name=f"Worker {n:04d}",
                email=f"worker{n:04d}@test.example",
                role=Role.SOCIAL_WORKER,
                team=borough.north,
                password_hash="!",
            )
        )
    db.session.commit()
    assert auth.login("admin@test.example").status_code == 302
    return client


def listed(page: bytes) -> list[str]:
    return re.findall(r'href="/admin/users/(\d+)"', page.decode())


def test_every_user_is_on_exactly_one_page_with_their_team(admin: FlaskClient):
    total = db.session.scalar(select(func.count(User.id)))
    first = admin.get("/admin/users")
    assert first.status_code == 200
    text = first.get_data(as_text=True)
    assert f"Showing 1 to {USERS_PAGE_SIZE} of {total} users" in text
    assert "Page 1 of 2" in text and 'rel="next"' in text
    second = admin.get("/admin/users?page=2")
    assert f"of {total} users" in second.get_data(as_text=True)
    ids = listed(first.data) + listed(second.data)
    assert len(ids) == len(set(ids)) == total
    worker = db.session.scalar(select(User).where(User.email == "worker0000@test.example"))
    row = re.search(
        rf'/admin/users/{worker.id}".*?</tr>', text + second.get_data(as_text=True), re.S
    )
    assert row and worker.team.name in row.group(0)


def test_a_search_pages_within_its_matches_and_a_page_too_far_shows_the_last(admin: FlaskClient):
    found = admin.get("/admin/users?q=worker 012").get_data(as_text=True)
    assert "10 users" in found and "Page 1 of" not in found  # Worker 0120 to Worker 0129
    assert len(listed(found.encode())) == 10
    last = admin.get("/admin/users?page=99")
    assert last.status_code == 200 and "Page 2 of 2" in last.get_data(as_text=True)
    assert admin.get("/admin/users?page=nonsense").status_code == 200
