"""The CIN census import: referrals kept per child, child protection plans open now.

Every file here is a small synthetic census written by the test, in the DfE's
XML shape (children in need census 2024 to 2025).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from core.cases.referrals import link_referrals
from core.extensions import db
from core.imports.plan import ImportFileData
from core.imports.runner import run_import
from core.models import (
    Case,
    CaseAssignment,
    CaseCategory,
    ImportKind,
    ImportRun,
    ImportStatus,
    Referral,
)
from tests.factories import Borough, make_case

REFERENCE_DATE = date(2025, 3, 31)


@dataclass
class Plan:
    start: str
    end: str | None = None


@dataclass
class Details:
    referred: str | None
    source: str = "1A"
    need: str = "N1"
    closed: str | None = None
    reason: str | None = None
    assessments: int = 1
    section47: int = 0
    plans: list[Plan] = field(default_factory=list)


@dataclass
class Child:
    reference: str | None
    details: list[Details]
    born: str | None = "2015-06-01"
    expected: str | None = None


def _element(tag: str, value: str | None) -> str:
    return f"<{tag}>{value}</{tag}>" if value is not None else ""


def census(
    children: Sequence[Child],
    reference_date: str = REFERENCE_DATE.isoformat(),
    collection: str = "CIN",
    namespace: str = "",
) -> bytes:
    """A census file as the DfE's schema lays it out, with only what the test gives."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f"<Message{f' xmlns={chr(34)}{namespace}{chr(34)}' if namespace else ''}>",
        "<Header><CollectionDetails>",
        _element("Collection", collection),
        "<Year>2025</Year>",
        _element("ReferenceDate", reference_date),
        "</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>999</LEA></Source>",
        "</Header><Children>",
    ]
    for child in children:
        parts.append("<Child><ChildIdentifiers>")
        parts.append(_element("LAchildID", child.reference))
        parts.append("<UPN>A123456789012</UPN>")
        parts.append(_element("PersonBirthDate", child.born))
        parts.append(_element("ExpectedPersonBirthDate", child.expected))
        parts.append("<GenderCurrent>1</GenderCurrent></ChildIdentifiers>")
        for d in child.details:
            parts.append("<CINdetails>")
            parts.append(_element("CINreferralDate", d.referred))
            parts.append(_element("ReferralSource", d.source))
            parts.append(_element("PrimaryNeedCode", d.need))
            parts.append(_element("CINclosureDate", d.closed))
            parts.append(_element("ReasonForClosure", d.reason))
            parts.append("<ReferralNFA>0</ReferralNFA>")
            parts += ["<Assessments><AssessmentActualStartDate/></Assessments>"] * d.assessments
            parts += ["<Section47><S47ActualStartDate/></Section47>"] * d.section47
            for plan in d.plans:
                parts.append("<ChildProtectionPlans>")
                parts.append(_element("CPPstartDate", plan.start))
                parts.append(_element("CPPendDate", plan.end))
                parts.append("</ChildProtectionPlans>")
            parts.append("</CINdetails>")
        parts.append("</Child>")
    parts.append("</Children></Message>")
    return "\n".join(p for p in parts if p).encode()


def import_census(content: bytes, dry_run: bool = False, **options: object) -> ImportRun:
    return run_import(
        ImportKind.CIN_CENSUS,
        [ImportFileData("file", "cin_census_2025.xml", content)],
        options,
        started_by="test",
        dry_run=dry_run,
    )


def referrals() -> list[Referral]:
    rows = db.session.scalars(select(Referral)).all()
    return sorted(rows, key=lambda r: (r.child_reference.upper(), r.referral_date))


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


TWO_CHILDREN = [
    # The borough's CIN North case, its reference written in lower case by the census.
    Child(
        "c100001",
        [
            Details("2024-05-02", closed="2024-08-01", reason="RC8"),
            Details("2025-01-10", source="5D", need="N2", section47=1),
        ],
    ),
    Child("X900001", [Details("2024-11-20")], born=None, expected="2025-06-01"),
]


def test_referrals_are_kept_per_child_and_linked_to_case_files(borough: Borough):
    run = import_census(census(TWO_CHILDREN))
    assert run.status is ImportStatus.IMPORTED, (run.error, run.problems)
    assert run.counts["created"] == 3 and run.counts["updated"] == 0
    first, second, unborn = referrals()
    case = borough.cases["cin"]
    assert (first.case_id, second.case_id, unborn.case_id) == (case.id, case.id, None)
    assert (first.closure_date, first.closure_reason) == (date(2024, 8, 1), "RC8")
    assert (second.source, second.primary_need, second.section47_enquiries) == ("5D", "N2", 1)
    assert (second.assessments, second.child_protection_plans) == (1, 0)
    # Ages at referral only: 8 when referred in May 2024, unborn for a pre-birth referral.
    assert (first.age_band, unborn.age_band) == ("4_to_10", "unborn")
    assert run.details["reference_date"] == "2025-03-31"
    assert run.details["without_case_file"] == 1
    assert run.details["without_case_file_references"] == ["X900001"]


def test_nothing_that_identifies_a_child_is_kept(borough: Borough):
    """No date of birth or UPN anywhere: not on the referral, nor in the run's record."""
    run = import_census(census(TWO_CHILDREN))
    kept = repr([r.__dict__ for r in referrals()]) + repr(run.details) + repr(run.problems)
    assert "2015-06-01" not in kept and "2025-06-01" not in kept
    assert "A123456789012" not in kept
    assert all(f.content is None for f in run.files)  # the file itself is not kept


def test_importing_the_same_census_twice_changes_nothing(borough: Borough):
    import_census(census(TWO_CHILDREN))
    again = import_census(census(TWO_CHILDREN))
    assert again.status is ImportStatus.IMPORTED
    assert again.counts == {**again.counts, "created": 0, "updated": 0, "unchanged": 3}
    assert again.details["same_file_as"]
    assert count(Referral) == 3


def test_a_changed_referral_is_updated_and_a_new_one_created(borough: Borough):
    import_census(census(TWO_CHILDREN))
    changed = [
        Child(
            "C100001",
            [
                Details("2024-05-02", closed="2024-08-01", reason="RC8"),
                Details("2025-01-10", source="5D", need="N2", section47=2, closed="2025-03-01"),
                Details("2025-03-20", source="3A"),
            ],
        ),
        TWO_CHILDREN[1],
    ]
    run = import_census(census(changed))
    assert (run.counts["created"], run.counts["updated"], run.counts["unchanged"]) == (1, 1, 2)
    second = referrals()[1]
    assert (second.section47_enquiries, second.closure_date) == (2, date(2025, 3, 1))
    assert second.import_run_id == run.id


def test_a_dry_run_shows_the_changes_and_writes_nothing(borough: Borough):
    run = import_census(census(TWO_CHILDREN), dry_run=True)
    assert run.status is ImportStatus.CHECKED and run.counts["created"] == 3
    assert count(Referral) == 0


def test_a_plan_open_at_the_reference_date_makes_the_case_child_protection(borough: Borough):
    """The category changes, and the change is kept as allocation history."""
    case = borough.cases["cin"]
    db.session.add(
        CaseAssignment(
            case_id=case.id,
            team_id=case.team_id,
            worker_id=case.allocated_worker_id,
            category=case.category,
            started_on=date(2024, 1, 1),
        )
    )
    make_case("C100003", borough.north, CaseCategory.CHILD_IN_NEED)
    make_case("C100004", borough.north, CaseCategory.CHILD_IN_NEED)
    db.session.commit()
    children = [
        Child("C100001", [Details("2024-12-01", plans=[Plan("2025-01-15")])]),
        # Ended on the reference date: not open on it.
        Child("C100003", [Details("2024-12-01", plans=[Plan("2025-01-15", "2025-03-31")])]),
        # Starts after the reference date.
        Child("C100004", [Details("2024-12-01", plans=[Plan("2025-04-01")])]),
        # Already child protection; and an adults' case is never changed by the census.
        Child("C100002", [Details("2024-12-01", plans=[Plan("2025-01-15")])]),
        Child("A400001", [Details("2024-12-01", plans=[Plan("2025-01-15")])]),
    ]
    run = import_census(census(children))
    assert run.status is ImportStatus.IMPORTED, run.problems
    assert run.counts["created"] == 5 and run.counts["updated"] == 1
    assert run.details["child_protection"] == ["C100001"]
    db.session.expire_all()
    categories = {r: c for r, c in db.session.execute(select(Case.reference, Case.category))}
    assert categories["C100001"] == "child_protection"
    assert categories["C100003"] == categories["C100004"] == "child_in_need"
    assert categories["A400001"] == "adult_care_and_support"
    history = db.session.scalars(
        select(CaseAssignment)
        .where(CaseAssignment.case_id == case.id)
        .order_by(CaseAssignment.started_on)
    ).all()
    assert [(h.category, h.ended_on is None) for h in history] == [
        ("child_in_need", False),
        ("child_protection", True),
    ]
    assert history[1].worker_id == case.allocated_worker_id
    assert history[1].import_run_id == run.id
    again = import_census(census(children))
    assert again.counts["updated"] == 0 and count(CaseAssignment) == 2


def test_children_without_a_case_file_are_linked_when_one_arrives(borough: Borough):
    import_census(census(TWO_CHILDREN))
    make_case("x900001", borough.south, CaseCategory.CHILD_IN_NEED)
    db.session.commit()
    assert link_referrals(["X900001"]) == 1
    db.session.commit()
    unborn = referrals()[-1]
    assert unborn.case.reference == "x900001"
    assert link_referrals() == 0  # nothing left to link


def test_a_later_census_links_children_whose_case_file_has_arrived(borough: Borough):
    import_census(census(TWO_CHILDREN))
    make_case("X900001", borough.south, CaseCategory.CHILD_IN_NEED)
    db.session.commit()
    run = import_census(census(TWO_CHILDREN))
    assert run.counts["unchanged"] == 3 and run.details["linked"] == 1
    assert run.details["without_case_file"] == 0
    assert all(r.case_id for r in referrals())


def test_every_problem_is_reported_with_its_element_and_nothing_is_written(borough: Borough):
    children = [
        Child(None, [Details("2024-05-02")]),
        Child("C100001", [Details(None), Details("02/05/2024"), Details("2024-06-01")]),
        Child("C200001", [Details("2024-05-02", closed="2024-05-01")]),
        Child("C300001", [Details("2024-05-02", plans=[Plan("2024-06-01", "2024-05-31")])]),
        Child("X1", [Details("2024-05-02")], born="01/06/2015"),
        Child("c100001", [Details("2024-07-01")]),
    ]
    run = import_census(census(children))
    assert run.status is ImportStatus.REJECTED
    found = {(p["row"], p["column"]): p["reason"] for p in run.problems}
    assert "LAchildID is missing" in found[("Child 1", "LAchildID")]
    assert found[("Child 2 (LAchildID C100001) / CINdetails 1", "CINreferralDate")] == (
        "CINreferralDate is missing"
    )
    assert (
        "“02/05/2024” is not a date like 2025-03-31"
        in (found[("Child 2 (LAchildID C100001) / CINdetails 2", "CINreferralDate")])
    )
    assert (
        "closed (01/05/2024) before the referral (02/05/2024)"
        in (found[("Child 3 (LAchildID C200001) / CINdetails 1", "CINclosureDate")])
    )
    assert (
        "ends (31/05/2024) before it starts (01/06/2024)"
        in found[
            ("Child 4 (LAchildID C300001) / CINdetails 1 / ChildProtectionPlans 1", "CPPendDate")
        ]
    )
    assert found[("Child 5 (LAchildID X1)", "PersonBirthDate")] == (
        "PersonBirthDate is not a date like 2025-03-31"
    )
    assert "also Child 2" in found[("Child 6 (LAchildID c100001)", "LAchildID")]
    assert count(Referral) == 0


def test_the_valid_referrals_can_be_imported_when_chosen(borough: Borough):
    children = [
        Child("C100001", [Details(None), Details("2024-06-01")]),
        Child("C200001", [Details("2024-05-02")]),
    ]
    run = import_census(census(children), skip_invalid=True)
    assert run.status is ImportStatus.IMPORTED
    assert (run.counts["created"], run.counts["rejected"]) == (2, 1)
    assert [r.referral_date for r in referrals()] == [date(2024, 6, 1), date(2024, 5, 2)]


def test_a_census_with_a_namespace_is_read(borough: Borough):
    run = import_census(census(TWO_CHILDREN, namespace="http://www.dfes.gov.uk/CIN"))
    assert run.status is ImportStatus.IMPORTED and run.counts["created"] == 3


def test_malformed_xml_is_refused_with_its_line(borough: Borough):
    content = census(TWO_CHILDREN).replace(b"</ReferralSource>", b"</ReferralSourc>", 1)
    line = content[: content.index(b"</ReferralSourc>")].count(b"\n") + 1
    run = import_census(content)
    assert run.status is ImportStatus.REJECTED
    assert "not well-formed XML: mismatched tag" in run.error and f"line {line}," in run.error
    assert count(Referral) == 0


def test_a_file_that_is_not_a_census_gets_a_plain_message(borough: Borough):
    wrong_root = import_census(b"<?xml version='1.0'?><Return><Child/></Return>")
    assert "not a CIN census: it starts with <Return>" in wrong_root.error
    other_return = import_census(census(TWO_CHILDREN, collection="SSDA903"))
    assert "“SSDA903” return, not the CIN census" in other_return.error
    empty_message = import_census(b"<Message/>")
    assert "not a CIN census" in empty_message.error
    no_date = import_census(census(TWO_CHILDREN, reference_date=""))
    assert "no census reference date" in no_date.error
    csv = import_census(b"LAchildID,CINreferralDate\nC1,2025-01-01\n")
    assert "not well-formed XML" in csv.error and "line 1" in csv.error
    assert import_census(b"  ").error == "The file is empty"
    assert count(Referral) == 0


def test_entity_expansion_is_refused(borough: Borough):
    """The "billion laughs": careaudit reads no entity declarations at all."""
    lol = b"""<?xml version="1.0"?>
<!DOCTYPE Message [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID>
</ChildIdentifiers></Child></Children></Message>"""
    run = import_census(lol)
    assert run.status is ImportStatus.REJECTED
    assert "declares XML entities" in run.error
    assert count(Referral) == 0


def test_outside_files_are_never_read(borough: Borough, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("C100001")
    content = (
        f'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID>"
        "</ChildIdentifiers></Child></Children></Message>"
    ).encode()
    run = import_census(content)
    assert run.status is ImportStatus.REJECTED and "declares XML entities" in run.error


def test_the_command_imports_a_census_file(runner, borough: Borough, tmp_path: Path):
    path = tmp_path / "cin_census.xml"
    path.write_bytes(census(TWO_CHILDREN))
    dry = runner.invoke(args=["import", "cin-census", str(path), "--dry-run", "--quiet"])
    assert dry.exit_code == 0, dry.output
    assert "Would change: 3 created" in dry.output and count(Referral) == 0
    result = runner.invoke(args=["import", "cin-census", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Changed: 3 created" in result.output and count(Referral) == 3
    path.write_bytes(census([Child("C1", [Details("31/12/2024")])]))
    refused = runner.invoke(args=["import", "cin-census", str(path), "--quiet"])
    assert refused.exit_code == 1
    assert "Child 1 (LAchildID C1) / CINdetails 1, CINreferralDate" in refused.output
