"""A representative report document, made up (synthetic figures, no real people)."""

from __future__ import annotations

from core.exports.document import Chart, Document, Heading, Paragraph, Quote, Section, Series, Table

STANDARDS = (
    "Standard 1: The child's voice is heard",
    "Standard 2: Assessments are up to date",
    "Standard 3: Plans are SMART",
    "Standard 4: Management oversight",
)
QUARTERS = ("Q1 2025-26", "Q2 2025-26", "Q3 2025-26", "Q4 2025-26")

#: Met / partially met / not met per standard (%), and N.
SHARES = ((57, 29, 14, 28), (40, 35, 25, 20), (12.5, 62.5, 25, 8), (80, 10, 10, 30))

#: Share met per quarter: line management and independent; no independent audits in Q2.
TREND_LINE = (50.0, 54.5, 61.0, 66.7)
TREND_INDEPENDENT = (45.0, None, 52.0, 58.3)


def standards_chart() -> Chart:
    table = Table(
        caption="Standards met, partially met and not met, line management audits",
        columns=("Standard", "Met (%)", "Partially met (%)", "Not met (%)", "N"),
        rows=tuple((name, *shares) for name, shares in zip(STANDARDS, SHARES, strict=True)),
        numeric=(False, True, True, True, True),
        note="N is the number of audits where the standard applied.",
        key="standards",
    )
    return Chart(
        title="Standards met, line management audits, Q4 2025-26",
        kind="stacked_bar",
        categories=STANDARDS,
        series=tuple(
            Series(name, tuple(row[i] for row in SHARES))
            for i, name in enumerate(("Met", "Partially met", "Not met"))
        ),
        table=table,
        description="Standard 4 was met most often (80%), standard 3 least often (12.5%).",
        key="standards",
    )


def trend_chart() -> Chart:
    table = Table(
        caption="Share of standards met per quarter",
        columns=("Quarter", "Line management", "Independent"),
        rows=tuple(zip(QUARTERS, TREND_LINE, TREND_INDEPENDENT, strict=True)),
        numeric=(False, True, True),
        key="trend",
    )
    return Chart(
        title="Share of standards met, last four quarters",
        kind="line",
        categories=QUARTERS,
        series=(Series("Line management", TREND_LINE), Series("Independent", TREND_INDEPENDENT)),
        table=table,
        description="Line management audits rose from 50% to 66.7%; no independent audits in Q2.",
        key="trend",
    )


def ratings_chart() -> Chart:
    table = Table(
        caption="Overall ratings by kind of audit",
        columns=("Rating", "Line management", "Independent"),
        rows=(("Good", 12, 5), ("Requires improvement", 9, 6), ("Inadequate", 3, None)),
        numeric=(False, True, True),
        key="ratings",
    )
    return Chart(
        title="Overall ratings by kind of audit",
        kind="bar",
        categories=("Good", "Requires improvement", "Inadequate"),
        series=(Series("Line management", (12, 9, 3)), Series("Independent", (5, 6, None))),
        table=table,
        unit="audits",
        key="ratings",
    )


def sample_document() -> Document:
    actions = Table(
        caption="Actions by standard",
        columns=("Standard", "Set", "Done", "Overdue", "Done (%)", "Comment"),
        rows=(
            (STANDARDS[0], 10, 7, 1, 70.0, "On track"),
            (STANDARDS[1], 4, 1, 3, 25.0, "=1+1"),
            ("All standards", 14, 8, 4, 57.1, None),
        ),
        numeric=(False, True, True, True, True, False),
        key="actions",
    )
    return Document(
        title="Quality assurance report",
        council="Exampleshire County Council",
        period_label="Q4 2025-26 (January to March 2026)",
        scope_label="Children's services",
        status="issued",
        version=2,
        issued_on="2026-04-20",
        summary=["All kinds of audit; all case categories.", "Figures counted on 20 April 2026."],
        sections=[
            Section(
                "standards",
                "Standards",
                [
                    Paragraph("Most standards improved on the last quarter."),
                    standards_chart(),
                    Heading("What auditors said"),
                    Quote(
                        "The child's wishes are recorded in their own words.",
                        "Standard 1, rated Met, line management audit, March 2026",
                    ),
                ],
            ),
            Section("trend", "Trend", [trend_chart(), ratings_chart()]),
            Section(
                "actions", "Actions", [Paragraph("Overdue actions are chased monthly."), actions]
            ),
        ],
    )
