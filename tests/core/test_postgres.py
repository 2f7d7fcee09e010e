"""PostgreSQL keeps the statements psycopg prepared across requests, and a pooled
connection is checked without a round trip (issue 12).

A page that changes nothing ends its transaction with a rollback. psycopg's own
rollback forgets every prepared statement, so PostgreSQL planned each statement of
each page again on every view; careaudit's dialect rolls back without forgetting.
"""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import NullPool, create_engine, select, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

from core import postgres
from core.extensions import db
from core.models import Directorate, Service


@pytest.fixture
def on_postgresql(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")


def _prepared() -> set[str]:
    rows = db.session.execute(text("SELECT statement FROM pg_prepared_statements"))
    return {statement for (statement,) in rows}


def test_the_app_talks_to_postgresql_through_careaudits_dialect(app: Flask, on_postgresql):
    assert isinstance(db.engine.dialect, postgres.Dialect)


def test_a_statement_run_by_request_after_request_is_prepared_once_and_kept(
    app: Flask, on_postgresql
):
    """Each round is a request: a read, then the rollback that ends it."""
    reading = select(Service.id).where(Service.name == "never a service's name")
    for _ in range(8):
        db.session.execute(reading).all()
        db.session.rollback()
    kept = _prepared()
    assert any("FROM service" in s and "service.name = $1" in s for s in kept), kept


def test_a_rollback_still_undoes_the_transaction(app: Flask, on_postgresql):
    for _ in range(6):  # with statements prepared on the connection
        db.session.execute(select(Service.id)).all()
        db.session.rollback()
    db.session.add(Directorate(code="gone", name="Rolled back"))
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(Directorate.id).where(Directorate.code == "gone")) is None
    # and the connection is fit for the next transaction
    db.session.add(Directorate(code="kept", name="Kept"))
    db.session.commit()
    assert db.session.scalar(select(Directorate.name).where(Directorate.code == "kept")) == "Kept"


def test_a_failed_statement_is_rolled_back_and_the_connection_goes_on(app: Flask, on_postgresql):
    with pytest.raises(Exception, match="division by zero"):
        db.session.execute(text("SELECT 1 / 0"))
    db.session.rollback()
    assert db.session.scalar(text("SELECT 2")) == 2


def test_preparing_can_be_turned_off_for_a_pooler_in_transaction_mode(
    monkeypatch: pytest.MonkeyPatch, database_url: str
):
    if not database_url.startswith("postgresql"):
        pytest.skip("prepared statements are PostgreSQL's")
    from core import create_app
    from core.testing.database import test_config

    monkeypatch.setenv("CAREAUDIT_PREPARED_STATEMENTS", "0")
    app = create_app(test_config(database_url))
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            assert raw.driver_connection.prepare_threshold is None
        finally:
            raw.close()
        db.engine.dispose()


def _pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the pings that go to the server (SQLAlchemy's ``SELECT 1``)."""
    asked: list[int] = []
    server_ping = PGDialect_psycopg.do_ping

    def counted(self, dbapi_connection):
        asked.append(1)
        return server_ping(self, dbapi_connection)

    monkeypatch.setattr(PGDialect_psycopg, "do_ping", counted)
    return asked


def test_a_healthy_pooled_connection_is_handed_out_without_asking_the_server(
    app: Flask, on_postgresql, monkeypatch: pytest.MonkeyPatch
):
    db.session.execute(select(Service.id)).all()
    db.session.commit()
    db.session.close()  # back to the pool
    asked = _pings(monkeypatch)
    for _ in range(3):
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT 2")) == 2
    assert asked == []


def test_a_connection_the_server_ended_is_replaced_before_anyone_uses_it(
    app: Flask, on_postgresql, monkeypatch: pytest.MonkeyPatch
):
    """As after a database restart: the next request works, on a new connection."""
    db.session.close()
    db.engine.dispose()  # an empty pool: the next connection made is the only one in it
    with db.engine.connect() as connection:
        ended = connection.scalar(text("SELECT pg_backend_pid()"))
    outside = create_engine(db.engine.url, poolclass=NullPool)
    with outside.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended})
        for _ in range(50):  # until the server process has gone
            gone = admin.scalar(
                text("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = :pid)"),
                {"pid": ended},
            )
            if gone:
                break
            time.sleep(0.1)
    outside.dispose()
    asked = _pings(monkeypatch)
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT pg_backend_pid()")) != ended
    assert asked, "the goodbye on the socket made the pool ask the server"


def _plan_cache_mode() -> str:
    return str(db.session.execute(text("SHOW plan_cache_mode")).scalar())


def test_a_generic_plan_is_asked_for_one_block_and_the_setting_put_back(app: Flask, on_postgresql):
    db.session.execute(select(Directorate.id)).all()  # a transaction under way
    before = _plan_cache_mode()
    with postgres.generic_plan(db.session):
        assert _plan_cache_mode() == "force_generic_plan"
    assert _plan_cache_mode() == before


def test_the_setting_is_put_back_when_the_block_fails(app: Flask, on_postgresql):
    before = _plan_cache_mode()
    with pytest.raises(LookupError), postgres.generic_plan(db.session):
        raise LookupError("not found")
    assert _plan_cache_mode() == before


def test_other_databases_run_the_block_unchanged(app: Flask):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("the SQLite side")
    with postgres.generic_plan(db.session):
        assert db.session.execute(select(Directorate.id)).all() == []
