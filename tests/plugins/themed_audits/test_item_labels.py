"""A theme names its own items: their reference and date columns, labels and plural.

A theme of missing episodes is not a theme of referrals: its file has an
``episode_reference`` and an ``episode_date``, and its pages, messages and
audit header say so. Themes that name nothing keep the referral wording.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import Audit
from core.tools import Option, Question, QuestionKind, Section
from core.tools.registry import get_registry
from plugins.themed_audits import PopulationColumn, Theme
from plugins.themed_audits.models import PopulationItem
from plugins.themed_audits.population import BASE_COLUMNS, parse_population
from plugins.themed_audits.rereferral.theme import theme as rereferral
from tests.factories import Borough
from tests.plugins.themed_audits.test_journey import create, draw

HEADER = "episode_reference,case_reference,episode_date,team,hours_missing"


class MissingEpisodeTheme(Theme):
    slug = "missing_episode_theme"
    title = "Missing episodes themed audit"
    item_label = "episode of going missing"
    item_label_plural = "episodes of going missing"
    item_reference_column = "episode_reference"
    item_reference_label = "Missing episode reference"
    item_date_column = "episode_date"
    item_date_label = "Date reported missing"
    columns = (PopulationColumn("hours_missing", "Hours missing", kind="int"),)
    sections = (
        Section(
            "return",
            "The return",
            questions=(
                Question(
                    key="return_interview",
                    text="Was a return interview offered within 72 hours?",
                    kind=QuestionKind.CHOICE,
                    name="whether a return interview was offered",
                    options=(Option("yes", "Yes"), Option("no", "No")),
                ),
            ),
        ),
    )

    def derive(self, row: Mapping[str, Any]) -> dict[str, Any]:
        # The date is read under the theme's own column name.
        return {"weekday": row["episode_date"].strftime("%A"), **super().derive(row)}


THEME = MissingEpisodeTheme()
PERIOD = (date(2026, 4, 1), date(2026, 10, 31))


def test_the_plural_is_the_themes_own_or_an_s():
    assert THEME.item_label_for(1) == "episode of going missing"
    assert THEME.item_label_for(0) == THEME.item_label_for(3) == "episodes of going missing"
    assert rereferral.item_label_for(2) == "re-referrals"
    assert Theme().item_label_for(2) == "items"


def test_a_theme_that_names_nothing_keeps_the_referral_columns():
    assert [(c.name, c.label) for c in rereferral.base_columns()] == [
        ("referral_reference", "Referral reference"),
        ("case_reference", "Child's case reference"),
        ("referral_date", "Referral date"),
        ("team", "Team"),
    ]
    assert rereferral.base_columns() == BASE_COLUMNS


def test_the_population_is_read_under_the_themes_own_headings():
    text = "\n".join(
        [
            HEADER,
            "ME1,C1,2026-05-02,CIN North,30",
            "ME1,C2,2026-05-03,CIN North,4",  # the same episode twice
            "ME3,C3,2025-05-03,CIN North,4",  # before the period
            "ME4,C4,,CIN North,4",  # no date
        ]
    )
    result = parse_population(THEME, text, {"cin north": 1}, PERIOD)
    assert [(r.reference, r.item_date, r.facts) for r in result.rows] == [
        ("ME1", date(2026, 5, 2), {"weekday": "Saturday", "hours_missing": 30})
    ]
    assert result.errors == [
        (3, "Missing episode reference ME1 is also on row 2"),
        (
            4,
            "Date reported missing 03/05/2025 is outside the audit period "
            "(01/04/2026 to 31/10/2026)",
        ),
        (5, "Date reported missing is missing"),
    ]


def test_a_file_with_referral_headings_is_refused_naming_the_themes_columns():
    text = "referral_reference,case_reference,referral_date,team\nR1,C1,2026-05-02,CIN North\n"
    result = parse_population(THEME, text, {"cin north": 1}, PERIOD)
    assert result.file_error == (
        "The file has no column for episode_reference, episode_date. "
        "The first row must name the columns."
    )


@pytest.fixture
def missing_theme(app, borough: Borough) -> Iterator[MissingEpisodeTheme]:
    registry = get_registry()
    registry.register(THEME, name=THEME.slug)
    registry.set_switch(THEME.slug, borough.cin.id, True)
    db.session.commit()
    try:
        yield THEME
    finally:
        registry.unregister(THEME)


def upload(client, themed_id: int, text: str):
    return client.post(
        f"/themed-audits/{themed_id}/population",
        data={"population": (io.BytesIO(text.encode()), "episodes.csv")},
        content_type="multipart/form-data",
    )


def test_the_themed_audit_speaks_of_its_own_items(client, auth, borough, missing_theme):
    """Upload, population, audit header and findings all use the theme's words."""
    auth.login("iro@test.example")
    themed_id = create(client, theme="missing_episode_theme", title="Missing episodes 2026")
    page = html.unescape(client.get(f"/themed-audits/{themed_id}").get_data(as_text=True))
    assert "<code>episode_reference</code>" in page and "Missing episode reference" in page
    assert "<code>episode_date</code>" in page and "Date reported missing" in page
    assert "referral_reference" not in page and "Referral date" not in page

    bad = upload(client, themed_id, HEADER + "\nME1,C1,2026-05-02,CIN North,3\n" * 2)
    assert bad.status_code == 400
    assert "Missing episode reference ME1 is also on row 2" in html.unescape(
        bad.get_data(as_text=True)
    )
    rows = [f"ME{n},C10000{n},2026-05-0{n},CIN North,{n * 10}" for n in (1, 2, 3)]
    assert upload(client, themed_id, "\n".join([HEADER, *rows]) + "\n").status_code == 302
    stored = db.session.scalars(select(PopulationItem).order_by(PopulationItem.row_number)).all()
    assert [(i.reference, i.item_date) for i in stored] == [
        ("ME1", date(2026, 5, 1)),
        ("ME2", date(2026, 5, 2)),
        ("ME3", date(2026, 5, 3)),
    ]
    page = client.get(f"/themed-audits/{themed_id}").get_data(as_text=True)
    assert "3 episodes of going missing in the population." in page

    assert draw(client, themed_id, "1", "7").status_code == 302
    allocated = client.post(
        f"/themed-audits/{themed_id}/allocate",
        data={"auditor": borough.user("iro").id, "count": "1"},
    )
    assert allocated.status_code == 302
    audit = db.session.scalar(select(Audit).where(Audit.tool == "missing_episode_theme"))
    assert audit.facts["label"].startswith("Episode of going missing ME")
    header = html.unescape(client.get(f"/audits/{audit.id}/edit").get_data(as_text=True))
    for label in ("Missing episode reference", "Child's case reference", "Date reported missing"):
        assert f'<dt class="govuk-summary-list__key">{label}</dt>' in header
    assert "Hours missing" in header and "Referral" not in header

    findings = client.get(f"/themed-audits/{themed_id}/findings").get_data(as_text=True)
    assert "No episode of going missing audits were submitted" in findings
