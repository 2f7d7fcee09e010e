"""What a request has read is kept only while nothing could have changed it (core.memo).

Pages ask the same questions several times (a tool's settings, the report tally); the
memo answers the repeats without the database, but must never answer with something
the same transaction would now read differently.
"""

from __future__ import annotations

from sqlalchemy import select, update

from core import memo
from core.extensions import db
from core.models import Team
from tests.factories import Borough


def _team_name(team_id: int) -> str:
    return memo.remember(
        ("team name", team_id),
        lambda: db.session.scalar(select(Team.name).where(Team.id == team_id)) or "",
    )


def test_a_second_ask_in_the_same_transaction_is_answered_without_the_database(
    app, borough: Borough
):
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert memo.remember("answer", read) == 1
    assert memo.remember("answer", read) == 1
    assert memo.remember("another question", read) == 2
    assert len(reads) == 2


def test_a_change_not_yet_flushed_is_seen_as_a_query_would_see_it(app, borough: Borough):
    team = borough.north
    assert _team_name(team.id) == team.name
    team.name = "CIN North (renamed)"  # pending: a query would autoflush it first
    assert _team_name(team.id) == "CIN North (renamed)"


def test_a_write_statement_forgets_what_was_read(app, borough: Borough):
    team_id = borough.north.id
    first = _team_name(team_id)
    db.session.execute(update(Team).where(Team.id == team_id).values(name="Renamed by SQL"))
    assert first != "Renamed by SQL"
    assert _team_name(team_id) == "Renamed by SQL"


def test_the_end_of_the_transaction_forgets_what_was_read(app, borough: Borough):
    reads: list[int] = []

    def read() -> None:
        reads.append(1)
        db.session.execute(select(Team.id).limit(1))

    memo.remember("answer", read)
    db.session.commit()
    memo.remember("answer", read)
    db.session.rollback()
    memo.remember("answer", read)
    assert len(reads) == 3


def test_a_tools_settings_changed_in_the_request_are_read_again(app, borough: Borough):
    from core.tools.registry import get_registry

    registry = get_registry()
    tool, spec = next(
        (tool.slug, spec)
        for tool in registry.all()
        for spec in registry.setting_specs(tool.slug)
        if spec.kind == "bool"
    )
    before = registry.settings(tool, borough.cin.id)
    registry.set_switch(tool, borough.cin.id, True, {**before, spec.key: not before[spec.key]})
    assert registry.settings(tool, borough.cin.id)[spec.key] is (not before[spec.key])
