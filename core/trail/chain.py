"""The trail's hash chain: appending an entry, verifying the chain, pruning it.

Each entry's hash is SHA-256 over a canonical JSON serialisation of its fields,
including the previous entry's hash, so changing or removing any entry breaks
every link after it. Two servers appending at once cannot fork the chain: an
entry's id is the last id plus one, so the primary key refuses a second entry
claiming the same place, and on PostgreSQL a transaction-level advisory lock
makes the second writer wait instead of fail. On SQLite the database's write
lock does the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text

from core.models import TrailEntry

#: The "previous hash" of the very first entry.
GENESIS = "0" * 64
#: pg_advisory_xact_lock key for appending ("CATRAIL" in ASCII, any fixed number will do).
LOCK_KEY = 0x4341545241494C
#: The PostgreSQL setting prune sets so the append-only trigger lets it delete.
PRUNE_SETTING = "careaudit.trail_prune"
#: The action of prune's checkpoint entry.
PRUNED = "trail.pruned"

FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "summary",
    "before",
    "after",
    "ip_address",
    "request_id",
    "prev_hash",
)

table = TrailEntry.__table__


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    fields = {name: values.get(name) for name in FIELDS}
    at = fields["at"]
    if isinstance(at, datetime):
        fields["at"] = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return fields


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(values: Mapping[str, Any]) -> bytes:
    """The bytes hashed for an entry: its fields as sorted, compact JSON."""
    return _json(_fields(values)).encode()


def canonical_parts(values: Mapping[str, Any]) -> tuple[str, str, str]:
    """The canonical form of an entry not yet numbered, cut where its id and the previous
    entry's hash go: ``head + str(id) + middle + prev_hash + tail`` is exactly
    ``canonical()`` of the numbered entry (decoded), so the server can finish it."""
    fields = _fields(values)
    pieces: list[str] = []
    current = "{"
    for number, name in enumerate(sorted(fields)):
        current += "," if number else ""
        if name == "id":
            pieces.append(current + '"id":')
            current = ""
        elif name == "prev_hash":
            pieces.append(current + '"prev_hash":"')
            current = '"'  # a hash is hex: its JSON is itself in quotes
        else:
            current += f"{_json(name)}:{_json(fields[name])}"
    head, middle = pieces
    return head, middle, current + "}"


def entry_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of the entry's canonical form (which includes the previous hash)."""
    return hashlib.sha256(canonical(values)).hexdigest()


def lock(connection: Connection) -> None:
    """Take the append lock for the rest of the transaction.

    PostgreSQL: an advisory lock held until commit or rollback. SQLite: a write
    that touches nothing, which makes the transaction take the database's write
    lock now, before the last entry is read.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    else:
        connection.execute(delete(table).where(table.c.id < 0))


#: PostgreSQL: lock, read the last entry and insert in one statement (migration 0024).
_APPEND = text(
    "SELECT careaudit_trail_append(CAST(:lock_key AS bigint), :head, :middle, :tail, "
    "CAST(:at AS timestamp), CAST(:actor_id AS integer), :actor_label, :action, "
    ":object_type, :object_id, CAST(:case_id AS integer), :summary, "
    "CAST(:before AS json), CAST(:after AS json), :ip_address, :request_id)"
)


def append(connection: Connection, values: Mapping[str, Any]) -> int:
    """Append one entry in the connection's transaction; return its id.

    On PostgreSQL one round trip to a function that takes the lock, reads the last
    entry and inserts (a page that records a view made three); elsewhere the same
    steps from here."""
    if connection.dialect.name == "postgresql":
        return _append_on_the_server(connection, values)
    lock(connection)
    last = connection.execute(
        select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)
    ).first()
    row = dict(values)
    row["id"] = last.id + 1 if last is not None else 1
    row["prev_hash"] = last.hash if last is not None else GENESIS
    row["hash"] = entry_hash(row)
    connection.execute(insert(table).values(**row))
    return row["id"]


def _append_on_the_server(connection: Connection, values: Mapping[str, Any]) -> int:
    head, middle, tail = canonical_parts(values)
    before, after = values.get("before"), values.get("after")
    parameters = {name: values.get(name) for name in FIELDS if name not in ("id", "prev_hash")}
    if isinstance(parameters["at"], datetime):  # stored as the canonical form has it
        parameters["at"] = parameters["at"].replace(tzinfo=None)
    parameters.update(
        lock_key=LOCK_KEY,
        head=head,
        middle=middle,
        tail=tail,
        before=None if before is None else _json(before),
        after=None if after is None else _json(after),
    )
    return int(connection.execute(_APPEND, parameters).scalar_one())


# -- verify -------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: the count, and the first problem (None when intact)."""

    count: int
    problem: str | None = None
    #: The id of the entry found altered, or the first missing id.
    entry_id: int | None = None
    head_id: int | None = None
    head_hash: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _rows(connection: Connection) -> Iterator[Any]:
    result = connection.execution_options(yield_per=1000).execute(
        select(*(table.c[name] for name in FIELDS), table.c.hash).order_by(table.c.id)
    )
    yield from result


def _checkpoints(connection: Connection) -> set[tuple[int, str]]:
    """(last removed id, its hash) from every prune entry still in the trail."""
    found = set()
    for after in connection.scalars(select(table.c.after).where(table.c.action == PRUNED)):
        if isinstance(after, dict) and "through_id" in after and "through_hash" in after:
            found.add((after["through_id"], after["through_hash"]))
    return found


def verify(connection: Connection) -> Verdict:
    """Walk the chain from the oldest entry; report the first altered or removed entry."""
    previous = None
    count = 0
    for row in _rows(connection):
        values = row._asdict()
        if previous is None:
            if row.id == 1:
                if row.prev_hash != GENESIS:
                    return Verdict(count, f"Entry {row.id} has been altered.", row.id)
            elif (row.id - 1, row.prev_hash) not in _checkpoints(connection):
                return Verdict(
                    count,
                    f"Entry {row.id - 1} is missing: entries before {row.id} were removed "
                    "without a prune checkpoint.",
                    row.id - 1,
                )
        elif row.id != previous.id + 1:
            return Verdict(
                count,
                f"Entry {previous.id + 1} is missing: the chain jumps from entry "
                f"{previous.id} to entry {row.id}.",
                previous.id + 1,
            )
        if entry_hash(values) != row.hash:
            return Verdict(count, f"Entry {row.id} has been altered.", row.id)
        if previous is not None and row.prev_hash != previous.hash:
            # The previous entry passed its own check, so it was rewritten whole.
            return Verdict(count, f"Entry {previous.id} has been altered.", previous.id)
        previous = row
        count += 1
    if previous is None:
        return Verdict(count)
    return Verdict(count, head_id=previous.id, head_hash=previous.hash)


def check_anchors(connection: Connection, anchors: list[tuple[int, str]]) -> str | None:
    """The first anchor (an entry's id and hash noted earlier) the trail no longer has."""
    for entry_id, expected in anchors:
        found = connection.scalar(select(table.c.hash).where(table.c.id == entry_id))
        if found == expected:
            continue
        if found is not None:
            return f"Entry {entry_id} no longer has the hash noted: the trail was rewritten."
        newest = connection.scalar(select(func.max(table.c.id)))
        if newest is None or newest < entry_id:
            return f"Entry {entry_id} is missing: the newest entries were removed."
        # Older than the oldest entry kept: pruned, so there is nothing left to compare.
    return None


# -- prune --------------------------------------------------------------------


def allow_deletes(connection: Connection) -> None:
    """Let this transaction delete trail entries (PostgreSQL's trigger refuses others)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL {PRUNE_SETTING} = 'on'"))


def prune(connection: Connection, cutoff: datetime, checkpoint: Mapping[str, Any]) -> int:
    """Delete the entries before ``cutoff`` and append a checkpoint; return how many went.

    Only a prefix of the chain is deleted (every id up to the newest entry older
    than the cutoff), and the checkpoint records the last removed id and hash,
    so ``verify`` can start from the oldest entry that remains.
    """
    lock(connection)
    through_id = connection.scalar(select(func.max(table.c.id)).where(table.c.at < cutoff))
    removed = 0
    if through_id is not None:
        allow_deletes(connection)
        removed = connection.execute(delete(table).where(table.c.id <= through_id)).rowcount
    oldest = connection.execute(
        select(table.c.id, table.c.prev_hash).order_by(table.c.id).limit(1)
    ).first()
    after: dict[str, Any] = {"removed": removed, "before": cutoff.isoformat()}
    if oldest is not None and oldest.id > 1:
        after["through_id"] = oldest.id - 1
        after["through_hash"] = oldest.prev_hash
    append(connection, {**checkpoint, "action": PRUNED, "after": after})
    return removed
