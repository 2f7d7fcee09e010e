"""Column mappings: guessed from a file's headings, saved once, used by the nightly import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.imports.mapping import (
    MappingInvalid,
    check_mapping,
    columns_for,
    default_columns,
    find_mapping,
    map_value,
    mappings,
    parse_value_lines,
    save_mapping,
    suggest_columns,
    value_lines,
)
from core.imports.plan import FileProblem
from core.models import ColumnMapping
from tests.factories import Borough

COLUMNS = {"reference": "Person ID", "team": "Team Name", "category": "Primary Category"}


def test_suggestions_recognise_common_case_system_headings():
    headings = [
        "Person ID",
        "Initials",
        "Allocated Team",
        "Allocated Worker",
        "Worker Email",
        "Primary Category",
        "Case Status",
        "Start Date",
        "End Date",
        "Date of Birth",
    ]
    assert suggest_columns(headings) == {
        "reference": "Person ID",
        "initials": "Initials",
        "team": "Allocated Team",
        "worker": "Worker Email",  # an email finds the worker surely; a name may not
        "category": "Primary Category",
        "status": "Case Status",
        "opened_on": "Start Date",
        "closed_on": "End Date",
    }


@pytest.mark.parametrize(
    ("headings", "expected"),
    [
        (["LAchildID", "Team"], {"reference": "LAchildID", "team": "Team"}),
        (
            ["Client ID", "Allocated Worker"],
            {"reference": "Client ID", "worker": "Allocated Worker"},
        ),
        (["CASE REFERENCE", "category"], {"reference": "CASE REFERENCE", "category": "category"}),
        (
            ["Worker staff number", "Involvement start"],
            {"worker": "Worker staff number", "opened_on": "Involvement start"},
        ),
        (["Date of Birth", "Address"], {}),
    ],
)
def test_suggestions_for_other_systems(headings, expected):
    assert suggest_columns(headings) == expected


def test_without_a_mapping_headings_are_the_fields_labels_or_keys():
    assert columns_for(["case reference", "TEAM", "category", "opened_on"], None) == {
        "reference": "case reference",
        "team": "TEAM",
        "category": "category",
        "opened_on": "opened_on",
    }
    assert default_columns()["reference"] == "Case reference"
    with pytest.raises(FileProblem, match="no column headed “Team” or “Category”"):
        columns_for(["Case reference"], None)


def test_a_mapping_is_saved_found_by_name_in_any_case_and_replaced(borough: Borough):
    mapping = save_mapping(
        "Mosaic nightly",
        {**COLUMNS, "worker": " Worker Email ", "status": ""},
        {"category": {"LAC": "looked_after"}, "status": {"Current": "open"}},
        borough.user("admin"),
    )
    db.session.commit()
    found = find_mapping("  mosaic NIGHTLY ")
    assert found is not None and found.id == mapping.id
    assert found.columns == {**COLUMNS, "worker": "Worker Email"}
    assert found.updated_by_id == borough.user("admin").id
    assert map_value(found, "category", "lac") == "looked_after"
    assert map_value(found, "category", "CIN") == "CIN"
    assert map_value(None, "category", "LAC") == "LAC"
    save_mapping("MOSAIC NIGHTLY", COLUMNS, {})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ColumnMapping)) == 1
    assert [m.name for m in mappings()] == ["MOSAIC NIGHTLY"]
    assert find_mapping("Mosaic nightly").values == {}


def test_a_mapping_with_problems_is_not_saved_and_says_why(borough: Borough):
    with pytest.raises(MappingInvalid) as error:
        save_mapping(
            "",
            {"reference": "ID", "team": "ID", "colour": "Colour"},
            {
                "category": {"LAC": "lookd_after"},
                "status": {"Current": "maybe"},
                "reference": {"A": "B"},
            },
        )
    assert error.value.errors == {
        "name": "Enter a name for the mapping",
        "columns": "careaudit has no field colour",
        "category": "Choose the column that holds the category",
        "team": "“ID” is already the column for the case reference",
        "values_category": "“LAC” maps to “lookd_after”, which is not a category in careaudit",
        "values_status": "“Current” must map to open or closed, not “maybe”",
        "values_reference": "The values of case reference cannot be mapped",
    }
    assert db.session.scalar(select(func.count()).select_from(ColumnMapping)) == 0
    assert check_mapping("x" * 81, COLUMNS)["name"] == (
        "The mapping's name must be 80 characters or fewer"
    )


def test_a_second_mapping_cannot_take_a_saved_one_s_name(borough: Borough):
    first = save_mapping("Nightly", COLUMNS)
    db.session.commit()
    assert check_mapping("nightly", COLUMNS) == {
        "name": "A mapping called “Nightly” already exists: choose another name"
    }
    assert check_mapping("nightly", COLUMNS, mapping_id=first.id) == {}


def test_a_mapping_names_the_columns_the_file_lacks(borough: Borough):
    mapping = save_mapping("Nightly", {**COLUMNS, "worker": "Worker Email"})
    assert (
        columns_for(["person id", "Team Name", "Primary Category", "Worker Email"], mapping)[
            "reference"
        ]
        == "person id"
    )
    with pytest.raises(FileProblem, match="no column “Worker Email” \\(Worker\\)"):
        columns_for(["Person ID", "Team Name", "Primary Category"], mapping)


def test_value_mappings_typed_one_a_line():
    table = parse_value_lines("LAC = looked_after\n\n CP=child_protection \n")
    assert table == {"LAC": "looked_after", "CP": "child_protection"}
    assert parse_value_lines(value_lines(table)) == table
    with pytest.raises(ValueError, match="Line 2 needs an “=”"):
        parse_value_lines("LAC = looked_after\nCP child_protection")
