"""The demo borough loaded once per database backend in a whole test run, then copied.

``careaudit demo`` takes half a minute or more; several tests read the borough it makes
(the report tally's check, the accessibility sweep's site). The first process to need it
on a backend loads it and writes its rows to a file in the run's shared temporary folder,
under a file lock; every other test (in that process or another xdist worker) gets the
same rows inserted into its own empty database. Tests of the ``demo`` command itself run
the command instead.
"""

from __future__ import annotations

import fcntl
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from core.extensions import db
from core.testing.database import xdist_worker

Rows = list[tuple[str, list[dict[str, object]]]]

#: Each backend's rows, kept after their first load or read in this process.
_ROWS: dict[str, Rows] = {}


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The run's folder above each xdist worker's own (None without xdist)."""
    return tmp_path_factory.getbasetemp().parent if xdist_worker() else None


@contextmanager
def _locked(shared: Path | None, backend: str) -> Iterator[Path | None]:
    if shared is None:
        yield None
        return
    with open(shared / f"demo-{backend}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield shared / f"demo-{backend}.pickle"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_demo(shared: Path | None) -> None:
    """Fill the app's empty database with the demo borough (seed 2011, today), and commit."""
    from core.demo import load

    backend = db.engine.dialect.name
    rows = _ROWS.get(backend)
    if rows is None:
        with _locked(shared, backend) as file:
            if file is not None and file.exists():
                rows = pickle.loads(file.read_bytes())
            else:
                load(seed=2011, today=date.today())
                rows = [
                    (table.name, [dict(r._mapping) for r in db.session.execute(table.select())])
                    for table in db.metadata.sorted_tables
                ]
                if file is not None:
                    file.write_bytes(pickle.dumps(rows))
                _ROWS[backend] = rows
                return
        _ROWS[backend] = rows
    _insert(rows)


def _insert(rows: Rows) -> None:
    tables = db.metadata.tables
    for name, data in rows:
        if data:
            db.session.execute(tables[name].insert(), data)
    if db.engine.dialect.name == "postgresql":
        # Rows came with their ids: move each id sequence past them.
        for name, data in rows:
            table = tables[name]
            if data and "id" in table.c and table.c.id.autoincrement is not False:
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{name}"))'
                    )
                )
    db.session.commit()
