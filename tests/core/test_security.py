"""Response headers that protect case-level pages."""

from __future__ import annotations


def test_pages_are_not_cached_framed_or_sniffed(client, auth, borough):
    """A case page carries no-store, a frame ban, nosniff and a same-site CSP."""
    auth.login("team_manager@test.example")
    response = client.get(f"/cases/{borough.cases['cin'].id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_static_files_may_be_cached(client):
    """The stylesheet is not marked no-store, so pages stay fast."""
    response = client.get("/static/govuk/govuk-frontend.min.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()
