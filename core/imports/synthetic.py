"""Synthetic extract files in the shapes councils' systems produce.

The demo borough is built by writing these files and importing them, so the
path every council uses runs on every ``make run``; the import benchmark
writes large ones. Everything here is invented: references, initials, staff
and dates.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.etree import ElementTree as ET  # writing only; reading uses defusedxml

from openpyxl import Workbook

#: The demo council's case list, as its case recording system names things.
CASE_LIST_HEADINGS = (
    "Person ID",
    "Initials",
    "Team Name",
    "Allocated Worker Email",
    "Primary Category",
    "Case Status",
    "Start Date",
    "End Date",
)
#: The saved mapping for that case list: careaudit field -> heading.
CASE_LIST_COLUMNS = {
    "reference": "Person ID",
    "initials": "Initials",
    "team": "Team Name",
    "worker": "Allocated Worker Email",
    "category": "Primary Category",
    "status": "Case Status",
    "opened_on": "Start Date",
    "closed_on": "End Date",
}
#: The council's category codes -> careaudit's category codes.
CATEGORY_CODES = {
    "child_in_need": "CIN",
    "child_protection": "CP",
    "looked_after": "LAC",
    "care_leaver": "CL",
    "children_with_disabilities": "CWD",
    "unaccompanied_asylum_seeking": "UASC",
    "adult_care_and_support": "ASC-CS",
    "adult_safeguarding": "ASC-SG",
    "adult_mental_health": "ASC-MH",
    "adult_learning_disability": "ASC-LD",
    "adult_carer": "ASC-CR",
}
CASE_LIST_VALUES = {
    "category": {code: category for category, code in CATEGORY_CODES.items()},
    "status": {"Current": "open", "Ended": "closed"},
}

STAFF_HEADINGS = ("Staff ID", "Email", "Name", "Role", "Team", "Service", "Active")


@dataclass(frozen=True)
class StaffRow:
    staff_id: str
    email: str
    name: str
    role: str  # as the HR extract writes it, e.g. "Social worker"
    team: str = ""
    service: str = ""
    active: bool = True


@dataclass(frozen=True)
class CaseRow:
    reference: str
    initials: str
    team: str
    worker_email: str
    category: str  # careaudit's code; written as the council's code
    is_open: bool
    opened_on: date | None
    closed_on: date | None = None


@dataclass
class CensusReferral:
    referral_date: date
    source: str = "1A"
    need: str = "N1"
    closure_date: date | None = None
    closure_reason: str | None = None
    assessments: int = 1
    section47: int = 0
    #: (start, end) of each child protection plan in this episode of need.
    plans: list[tuple[date, date | None]] = field(default_factory=list)


@dataclass
class CensusChild:
    reference: str
    birth_date: date | None
    referrals: list[CensusReferral] = field(default_factory=list)
    expected_birth_date: date | None = None


@dataclass(frozen=True)
class CareEpisode:
    child: str
    start: date
    legal_status: str = "C2"
    placement: str = "U1"
    end: date | None = None
    reason_ceased: str | None = None


def staff_csv(rows: Iterable[StaffRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STAFF_HEADINGS)
    for row in rows:
        writer.writerow(
            [
                row.staff_id,
                row.email,
                row.name,
                row.role,
                row.team,
                row.service,
                "Yes" if row.active else "No",
            ]
        )
    # Excel's "CSV UTF-8" adds a byte order mark: so do we.
    return out.getvalue().encode("utf-8-sig")


def _case_values(row: CaseRow) -> list[str]:
    return [
        row.reference,
        row.initials,
        row.team,
        row.worker_email,
        CATEGORY_CODES.get(row.category, row.category),
        "Current" if row.is_open else "Ended",
        row.opened_on.strftime("%d/%m/%Y") if row.opened_on else "",
        row.closed_on.strftime("%d/%m/%Y") if row.closed_on else "",
    ]


def case_list_csv(rows: Iterable[CaseRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CASE_LIST_HEADINGS)
    for row in rows:
        writer.writerow(_case_values(row))
    return out.getvalue().encode("utf-8")


def case_list_xlsx(rows: Iterable[CaseRow], title: str = "Open and closed cases") -> bytes:
    """A case list as a report writer makes one: a title row, a blank row, then the table."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cases")
    sheet.append([title])
    sheet.append([])
    sheet.append(list(CASE_LIST_HEADINGS))
    for row in rows:
        sheet.append(_case_values(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(parent: ET.Element, tag: str, value: object | None) -> None:
    if value is None:
        return
    ET.SubElement(parent, tag).text = value.isoformat() if isinstance(value, date) else str(value)


def census_xml(reference_date: date, children: Sequence[CensusChild], la: str = "999") -> bytes:
    """A CIN census return (the DfE's XML shape), with only synthetic children."""
    message = ET.Element("Message")
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    _text(details, "Collection", "CIN")
    _text(details, "Year", reference_date.year)
    _text(details, "ReferenceDate", reference_date)
    source = ET.SubElement(header, "Source")
    _text(source, "SourceLevel", "L")
    _text(source, "LEA", la)
    _text(source, "SoftwareCode", "careaudit-demo")
    _text(source, "Release", "1")
    _text(source, "SerialNo", "1")
    _text(source, "DateTime", f"{reference_date.isoformat()}T09:00:00")
    container = ET.SubElement(message, "Children")
    for child in children:
        element = ET.SubElement(container, "Child")
        identifiers = ET.SubElement(element, "ChildIdentifiers")
        _text(identifiers, "LAchildID", child.reference)
        _text(identifiers, "PersonBirthDate", child.birth_date)
        _text(identifiers, "ExpectedPersonBirthDate", child.expected_birth_date)
        _text(identifiers, "GenderCurrent", "0")
        for referral in child.referrals:
            cin = ET.SubElement(element, "CINdetails")
            _text(cin, "CINreferralDate", referral.referral_date)
            _text(cin, "ReferralSource", referral.source)
            _text(cin, "PrimaryNeedCode", referral.need)
            _text(cin, "CINclosureDate", referral.closure_date)
            _text(cin, "ReasonForClosure", referral.closure_reason)
            _text(cin, "ReferralNFA", "0")
            for _ in range(referral.assessments):
                assessment = ET.SubElement(cin, "Assessments")
                _text(assessment, "AssessmentActualStartDate", referral.referral_date)
            for _ in range(referral.section47):
                s47 = ET.SubElement(cin, "Section47")
                _text(s47, "S47ActualStartDate", referral.referral_date)
            for start, end in referral.plans:
                plan = ET.SubElement(cin, "ChildProtectionPlans")
                _text(plan, "CPPstartDate", start)
                _text(plan, "CPPendDate", end)
                _text(plan, "InitialCategoryOfAbuse", "NEG")
    ET.indent(message)
    return ET.tostring(message, encoding="utf-8", xml_declaration=True)


SSDA903_HEADER = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
SSDA903_EPISODES = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def ssda903_csvs(
    births: Mapping[str, date], episodes: Iterable[CareEpisode]
) -> tuple[bytes, bytes]:
    """The SSDA903 return's Header and Episodes files (DD/MM/YYYY dates)."""
    header = io.StringIO()
    writer = csv.writer(header, lineterminator="\r\n")
    writer.writerow(SSDA903_HEADER)
    for child, born in births.items():
        writer.writerow([child, "1", _d(born), "WBRI", "", "", ""])
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\r\n")
    writer.writerow(SSDA903_EPISODES)
    for e in episodes:
        writer.writerow(
            [
                e.child,
                _d(e.start),
                "S",
                e.legal_status,
                "N1",
                e.placement,
                "PR1",
                _d(e.end),
                e.reason_ceased or "",
                "",
                "",
                "",
                "",
            ]
        )
    return header.getvalue().encode("utf-8"), body.getvalue().encode("utf-8")


# -- past audits (``careaudit import audits``) -----------------------------------------------

#: How often each rating is drawn for a standard: most files meet most standards.
_RATING_WEIGHTS = {"Met": 60, "Partially met": 25, "Not met": 10, "Not applicable": 5}
_KIND_WORDS = ("Line management", "Line management", "Independent", "LM", "QA")
_EVIDENCE = (
    "Plan reviewed but actions not dated.",
    "Supervision not recorded for two months.",
    "Child seen alone at the last two visits.",
    "Chronology not updated since the review.",
)


def past_audits_csv(
    standards: Sequence[str],
    cases: Sequence[str],
    auditors: Sequence[str],
    count: int,
    rng: random.Random,
    first: date,
    last: date,
) -> bytes:
    """A spreadsheet of ``count`` past audits of a standards tool, as a council keeps one.

    ``standards`` are the rated columns' headings ("Standard 1" ...); each row
    rates them, gives evidence for some, an overall rating and grade, and names
    a case from ``cases`` and an auditor from ``auditors`` (emails or staff IDs).
    No two rows share case, date and auditor, so every row is one audit.
    """
    headings = ["Case reference", "Audit date", "Auditor", "Kind", *standards]
    headings += [f"{standards[0]} evidence", "Overall rating", "Overall grade"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    days = (last - first).days + 1
    if count > len(cases) * len(auditors) * days:
        raise ValueError("more audits than distinct cases, auditors and days")
    ratings, weights = list(_RATING_WEIGHTS), list(_RATING_WEIGHTS.values())
    seen: set[tuple[str, int, str]] = set()
    while len(seen) < count:
        key = (rng.choice(cases), rng.randrange(days), rng.choice(auditors))
        if key in seen:
            continue
        seen.add(key)
        case, offset, auditor = key
        rated = rng.choices(ratings, weights, k=len(standards))
        not_met = rated.count("Not met")
        overall, grade = (
            ("Not met", "Inadequate")
            if not_met * 2 >= len(standards) - rated.count("Not applicable")
            else ("Partially met", "Adequate")
            if not_met or rated.count("Partially met") > 1
            else ("Met", "Good")
        )
        evidence = rng.choice(_EVIDENCE) if rated[0] in ("Partially met", "Not met") else ""
        day = first + timedelta(days=offset)
        kind = rng.choice(_KIND_WORDS)
        writer.writerow(
            [case, day.strftime("%d/%m/%Y"), auditor, kind, *rated, evidence, overall, grade]
        )
    return out.getvalue().encode("utf-8-sig")
