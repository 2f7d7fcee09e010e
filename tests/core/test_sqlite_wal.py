"""SQLite in write-ahead-log mode: a save does not wait for a page being read (issue 12).

With several gunicorn workers on one SQLite file, an autosave's commit must not queue
behind another worker's page that is still reading (the default rollback journal makes
a commit wait for every reader, and fail with "database is locked" after the timeout).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from core import create_app
from core.extensions import db
from core.testing.database import test_config


def test_a_commit_goes_through_while_another_connection_is_reading(tmp_path: Path):
    app = create_app(test_config(f"sqlite:///{tmp_path / 'careaudit.sqlite3'}"))
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE note (n INTEGER)"))
            connection.execute(text("INSERT INTO note VALUES (:n)"), [{"n": n} for n in range(500)])
        reader, writer = db.engine.raw_connection(), db.engine.raw_connection()
        try:
            reading = reader.cursor()
            reading.execute("SELECT n FROM note")
            assert reading.fetchone() is not None  # mid-way through its rows: a read in progress
            writer.driver_connection.execute("PRAGMA busy_timeout = 300")  # fail fast if blocked
            saving = writer.cursor()
            saving.execute("INSERT INTO note VALUES (500)")
            writer.commit()  # "database is locked" under the rollback journal
            reading.close()
            counting = reader.cursor()
            counting.execute("SELECT count(*) FROM note")
            assert counting.fetchone()[0] == 501
            mode = reader.cursor()
            mode.execute("PRAGMA journal_mode")
            assert mode.fetchone()[0] == "wal"
            # WAL's advised setting: a commit does not wait for the disk (1 is NORMAL).
            mode.execute("PRAGMA synchronous")
            assert mode.fetchone()[0] == 1
        finally:
            reader.close()
            writer.close()
        db.engine.dispose()


def test_an_in_memory_database_still_works():
    app = create_app(test_config("sqlite://"))
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
