"""The report tables' markup (core/reports/markup.py): what the report page shows of each
question and each overall outcome, every value escaped, in a labelled region that
scrolls on a phone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from core.models import Rating
from core.models.audits import SCALE
from core.reports.markup import distribution_table, rating_table
from core.tools.reporting import Distribution, RatingRow


def parse(markup: object) -> ET.Element:
    # HTML's <br> is the only thing XML would not take.
    return ET.fromstring(str(markup).replace("<br>", "<br/>"))


def test_a_row_shows_counts_shares_n_and_not_applicable() -> None:
    row = RatingRow(
        "standard_1",
        "Standard 1",
        "The child's voice is heard",
        {Rating.MET: 3, Rating.PARTIALLY_MET: 1, Rating.NOT_MET: 0},
        not_applicable=2,
    )
    table = parse(rating_table([row], "Standards 1 to 13", "Standard", SCALE))
    assert table.get("role") == "region" and table.get("aria-label") == "Standards 1 to 13"
    headers = [th.text for th in table.iter("th") if th.get("scope") == "col"]
    assert headers == ["Standard", "Met", "Partially met", "Not met", "N (applicable)",
                       "Not applicable"]  # fmt: skip
    body = table.find(".//tbody/tr")
    assert body is not None and body.get("data-question") == "standard_1"
    cells = {td.get("data-rating"): "".join(td.itertext()) for td in body.iter("td")}
    assert cells == {
        "met": "3 (75%)",
        "partially_met": "1 (25%)",
        "not_met": "0 (0%)",
        "applicable": "4",
        "not_applicable": "2",
    }


def test_a_question_nobody_answered_shows_no_share() -> None:
    row = RatingRow("q", "Question", "Text", not_applicable=5)
    table = parse(rating_table([row], "Caption", "Question", SCALE))
    cells = [("".join(td.itertext())) for td in table.iter("td")]
    assert cells == ["0", "0", "0", "0", "5"]


def test_every_value_is_escaped() -> None:
    row = RatingRow('<script>"k"', "<b>Label</b>", "Text & <i>more</i>")
    markup = str(rating_table([row], 'A "caption" <here>', "<Standard>", SCALE))
    assert "<script>" not in markup and "<b>" not in markup and "<i>" not in markup
    assert "&lt;b&gt;Label&lt;/b&gt;" in markup
    assert 'aria-label="A &#34;caption&#34; &lt;here&gt;"' in markup
    parse(markup)  # still well-formed


def test_a_distribution_shows_each_outcome_in_words_its_count_and_share() -> None:
    outcomes = Distribution({"met": 3, "not_met": 1, "unlisted": 4})
    table = parse(
        distribution_table(
            outcomes, "Overall rating", ["met", "partially_met", "not_met"], "Rating",
            label=lambda key: key.replace("_", " ").capitalize(),
        )
    )  # fmt: skip
    assert table.get("role") == "region" and table.get("aria-label") == "Overall rating"
    headers = [th.text for th in table.iter("th") if th.get("scope") == "col"]
    assert headers == ["Rating", "Audits", "Share"]
    rows = {
        tr.get("data-outcome"): [tr.find("th").text, *(td.text for td in tr.iter("td"))]
        for tr in table.iter("tr")
        if tr.get("data-outcome")
    }
    # Shares are of every audit counted, listed or not (8 here).
    assert rows == {
        "met": ["Met", "3", "38%"],
        "partially_met": ["Partially met", "0", "0%"],
        "not_met": ["Not met", "1", "12%"],
    }


def test_an_empty_distribution_shows_no_share() -> None:
    table = parse(distribution_table(Distribution({}), "Grade", ["good"], "Grade", label=str))
    assert [td.text for td in table.iter("td")] == ["0", "–"]


def test_a_distributions_values_are_escaped() -> None:
    markup = str(
        distribution_table(
            Distribution({"<k>": 1}), "<Caption>", ["<k>"], "<First>", label=lambda k: "<b>x</b>"
        )
    )
    assert "<b>" not in markup and "<k>" not in markup and "<Caption>" not in markup
    parse(markup)
