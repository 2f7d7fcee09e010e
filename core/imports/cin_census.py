"""The CIN census importer: each child's referrals, and child protection plans open now.

Reads the Department for Education's children in need census XML (the 2024 to
2025 shape: ``Message/Header/CollectionDetails/ReferenceDate`` and
``Message/Children/Child``, each with ``ChildIdentifiers`` and its
``CINdetails``). One :class:`~core.models.Referral` row is kept per child and
referral date; ``LAchildID`` is the case reference. Nothing that identifies a
child is kept: no name, UPN or date of birth, only the age band at referral.

The file is read with :mod:`defusedxml` as a stream (one ``Child`` at a time,
then dropped), so a file that declares entities (the "billion laughs") or
refers to outside files is refused, and a large census needs little memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from sqlalchemy import Table, select, update

from core.cases.referrals import CHUNK, age_band, link_referrals
from core.extensions import db
from core.imports.bulk import insert_rows, update_rows
from core.imports.plan import FileProblem, ImportFileData, ImportPlan, Progress
from core.imports.values import EARLIEST, LATEST
from core.models import (
    Case,
    CaseAssignment,
    CaseCategory,
    Category,
    Directorate,
    ImportRun,
    Referral,
    Service,
)

#: The referral's stored fields the census can change (case_id is linked separately).
COMPARED = (
    "source",
    "primary_need",
    "closure_date",
    "closure_reason",
    "age_band",
    "assessments",
    "section47_enquiries",
    "child_protection_plans",
)
#: Longest code the census uses for a source, need or closure reason.
CODE_LENGTH = 4
REFERENCE_LENGTH = 40
#: How many children without a case file the run's details list by reference.
LISTED = 50


@dataclass(frozen=True)
class CaseFacts:
    """What the imports need to know about an existing case file."""

    id: int
    category: str
    #: The stable code the category is treated as (its own code if none).
    category_kind: str
    team_id: int
    worker_id: int | None
    directorate: str
    is_open: bool


@dataclass
class CategoryChange:
    case_id: int
    reference: str
    team_id: int
    worker_id: int | None
    category: str


@dataclass
class CensusChanges:
    """What a checked census would write."""

    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    categories: list[CategoryChange] = field(default_factory=list)
    references: set[str] = field(default_factory=set)


@dataclass
class _Referral:
    path: str
    referral_date: date
    values: dict[str, Any]
    plans: list[tuple[date, date | None]]


def local(tag: str) -> str:
    """An element's name without its namespace (councils' files differ in using one)."""
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    for sub in element:
        if local(sub.tag) == name:
            return sub
    return None


def _all(element: Element, name: str) -> list[Element]:
    return [sub for sub in element if local(sub.tag) == name]


def _text(element: Element | None, name: str) -> str:
    sub = _child(element, name) if element is not None else None
    return (sub.text or "").strip() if sub is not None else ""


def parse_census_date(text: str) -> date:
    """A census date: ``YYYY-MM-DD`` (the XML schema's date), nothing else."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    day = date.fromisoformat(text)
    if not EARLIEST <= day <= LATEST:
        raise ValueError(text)
    return day


# -- reading the file ------------------------------------------------------------


@dataclass
class CensusHeader:
    collection: str = ""
    reference_date_text: str = ""


def _events(content: bytes) -> Iterator[tuple[str, Element]]:
    """Parse events, with XML errors and forbidden constructs as plain-English problems."""
    try:
        yield from iterparse(
            io.BytesIO(content),
            events=("start", "end"),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        )
    except DefusedXmlException as error:
        raise FileProblem(
            "The file declares XML entities or refers to other files, which a CIN census "
            f"never does, so careaudit will not read it ({type(error).__name__})."
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(":")[0]
        raise FileProblem(
            f"The file is not well-formed XML: {reason} at line {line}, column {column + 1}. "
            "Export the census again from the case recording system."
        ) from None


def read_census(content: bytes, on_child: Any, progress: Progress | None = None) -> CensusHeader:
    """Stream the census, calling ``on_child(number, element)`` for each ``Child``.

    Raises :class:`FileProblem` for a file that is not a CIN census at all.
    """
    if not content.strip():
        raise FileProblem("The file is empty")
    if progress is not None:
        progress.stage("Reading the children", content.count(b"<Child>") or None)
    header = CensusHeader()
    depth = 0
    root_seen = False
    number = 0
    container: Element | None = None
    for event, element in _events(content):
        name = local(element.tag)
        if event == "start":
            depth += 1
            if not root_seen:
                root_seen = True
                if name != "Message":
                    raise FileProblem(
                        f"The file is not a CIN census: it starts with <{name}>, where the "
                        "census starts with <Message>."
                    )
            elif depth == 2 and name == "Children":
                container = element
            continue
        depth -= 1
        if depth == 2 and name == "Child" and container is not None:
            number += 1
            on_child(number, element)
            container.clear()  # the child is read: let it go
            if progress is not None and number % 500 == 0:
                progress.advance(500)
        elif name == "CollectionDetails" and depth == 2:
            header.collection = _text(element, "Collection")
            header.reference_date_text = _text(element, "ReferenceDate")
    if not root_seen:
        raise FileProblem("The file is empty")
    if header.collection and header.collection.upper() != "CIN":
        raise FileProblem(
            f"The file is a “{header.collection}” return, not the CIN census. "
            "Import the CIN census XML file here."
        )
    if not header.reference_date_text and number == 0:
        raise FileProblem(
            "The file is not a CIN census: it has no Header/CollectionDetails and no children."
        )
    return header


# -- checking ----------------------------------------------------------------------


def load_cases() -> dict[str, CaseFacts]:
    """Every case file by upper-cased reference, with its category and directorate (one query)."""
    rows = db.session.execute(
        select(
            Case.id,
            Case.reference,
            Case.category,
            Category.treat_as,
            Case.team_id,
            Case.allocated_worker_id,
            Directorate.code,
            Case.is_open,
        )
        .join(Service, Service.id == Case.service_id)
        .join(Directorate, Directorate.id == Service.directorate_id)
        .outerjoin(Category, Category.code == Case.category)
    )
    return {
        reference.upper(): CaseFacts(
            case_id, category, treat_as or category, team_id, worker_id, directorate, is_open
        )
        for case_id, reference, category, treat_as, team_id, worker_id, directorate, is_open in rows
    }


class _Checker:
    """Reads each ``Child`` into referrals, recording every problem on the plan."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        #: upper-cased LAchildID -> (as written, its valid referrals)
        self.children: dict[str, tuple[str, list[_Referral]]] = {}
        self.first_seen: dict[str, int] = {}

    def problem(self, path: str, column: str, reason: str) -> None:
        self.plan.problem(path, column, reason)

    def __call__(self, number: int, child: Element) -> None:
        identifiers = _child(child, "ChildIdentifiers")
        reference = _text(identifiers, "LAchildID")
        details = _all(child, "CINdetails")
        path = f"Child {number}" + (f" (LAchildID {reference})" if reference else "")
        if not reference:
            self.problem(
                path, "LAchildID", "LAchildID is missing, so the child cannot be matched to a case"
            )
            self.plan.count("rejected", len(details))
            return
        if len(reference) > REFERENCE_LENGTH:
            self.problem(
                path, "LAchildID", f"LAchildID is longer than {REFERENCE_LENGTH} characters"
            )
            self.plan.count("rejected", len(details))
            return
        key = reference.upper()
        if key in self.first_seen:
            self.problem(
                path,
                "LAchildID",
                f"LAchildID {reference} is also Child {self.first_seen[key]}: "
                "each child appears once in the census",
            )
            self.plan.count("rejected", len(details))
            return
        self.first_seen[key] = number
        birth, expected = self._birth_dates(path, identifiers)
        if birth is False:
            self.plan.count("rejected", len(details))
            return
        referrals: list[_Referral] = []
        seen_dates: dict[date, int] = {}
        for index, detail in enumerate(details, start=1):
            referral = self._referral(f"{path} / CINdetails {index}", detail, birth, expected)
            if referral is None:
                self.plan.count("rejected")
                continue
            if referral.referral_date in seen_dates:
                self.problem(
                    referral.path,
                    "CINreferralDate",
                    f"The child has two referrals dated {referral.referral_date:%d/%m/%Y} "
                    f"(also CINdetails {seen_dates[referral.referral_date]})",
                )
                self.plan.count("rejected")
                continue
            seen_dates[referral.referral_date] = index
            referrals.append(referral)
        self.children[key] = (reference, referrals)

    def _birth_dates(self, path: str, identifiers: Element | None) -> Any:
        """Birth and expected birth dates, read only to work out age bands (never kept)."""
        dates = []
        for name in ("PersonBirthDate", "ExpectedPersonBirthDate"):
            text = _text(identifiers, name)
            try:
                dates.append(parse_census_date(text) if text else None)
            except ValueError:
                # The value itself is not repeated: problems are kept, birth dates never.
                self.problem(path, name, f"{name} is not a date like 2025-03-31")
                return False, None
        return dates[0], dates[1]

    def _date(self, path: str, element: Element, name: str, required: bool) -> Any:
        text = _text(element, name)
        if not text:
            if required:
                self.problem(path, name, f"{name} is missing")
                return False
            return None
        try:
            return parse_census_date(text)
        except ValueError:
            self.problem(path, name, f"{name} “{text}” is not a date like 2025-03-31")
            return False

    def _code(self, path: str, element: Element, name: str) -> Any:
        text = _text(element, name)
        if len(text) > CODE_LENGTH:
            self.problem(path, name, f"{name} “{text[:20]}” is not a census code")
            return False
        return text or None

    def _referral(
        self, path: str, detail: Element, birth: date | None, expected: date | None
    ) -> _Referral | None:
        ok = True
        referred = self._date(path, detail, "CINreferralDate", required=True)
        closed = self._date(path, detail, "CINclosureDate", required=False)
        codes = {
            key: self._code(path, detail, name)
            for key, name in (
                ("source", "ReferralSource"),
                ("primary_need", "PrimaryNeedCode"),
                ("closure_reason", "ReasonForClosure"),
            )
        }
        if referred is False or closed is False or False in codes.values():
            ok = False
        if ok and closed is not None and closed < referred:
            self.problem(
                path,
                "CINclosureDate",
                f"The case was closed ({closed:%d/%m/%Y}) before the referral "
                f"({referred:%d/%m/%Y})",
            )
            ok = False
        plans: list[tuple[date, date | None]] = []
        for number, plan in enumerate(_all(detail, "ChildProtectionPlans"), start=1):
            where = f"{path} / ChildProtectionPlans {number}"
            start = self._date(where, plan, "CPPstartDate", required=True)
            end = self._date(where, plan, "CPPendDate", required=False)
            if start is False or end is False:
                ok = False
                continue
            if end is not None and end < start:
                self.problem(
                    where,
                    "CPPendDate",
                    f"The plan ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})",
                )
                ok = False
                continue
            plans.append((start, end))
        if not ok:
            return None
        values = {
            **codes,
            "closure_date": closed,
            "age_band": age_band(birth, referred, expected),
            "assessments": len(_all(detail, "Assessments")),
            "section47_enquiries": len(_all(detail, "Section47")),
            "child_protection_plans": len(plans),
        }
        return _Referral(path, referred, values, plans)


def _reference_date(header: CensusHeader) -> date:
    text = header.reference_date_text
    if not text:
        raise FileProblem(
            "The file has no census reference date (Message/Header/CollectionDetails/"
            "ReferenceDate). Export the census again from the case recording system."
        )
    try:
        return parse_census_date(text)
    except ValueError:
        raise FileProblem(
            f"The census reference date “{text}” is not a date like 2025-03-31"
        ) from None


def plan_open_on(plans: list[tuple[date, date | None]], day: date) -> bool:
    """Whether a child protection plan was open on ``day`` (started, and not yet ended)."""
    return any(start <= day and (end is None or end > day) for start, end in plans)


class CensusImporter:
    """``careaudit import cin-census``: referrals, and the category Child protection."""

    def check(
        self, files: Mapping[str, ImportFileData], options: Mapping[str, Any], progress: Progress
    ) -> ImportPlan:
        plan = ImportPlan()
        checker = _Checker(plan)
        header = read_census(files["file"].content, checker, progress)
        reference_date = _reference_date(header)
        plan.details["reference_date"] = reference_date.isoformat()
        changes = CensusChanges()
        plan.changes = changes
        cases = load_cases()
        existing = _existing_referrals()
        without_case: list[str] = []
        for key, (reference, referrals) in checker.children.items():
            case = cases.get(key)
            if case is None:
                without_case.append(reference)
            changes.references.add(reference)
            for referral in referrals:
                self._diff(plan, changes, existing, reference, case, referral)
            plans = [p for r in referrals for p in r.plans]
            if (
                case is not None
                and plan_open_on(plans, reference_date)
                and case.directorate == "children"
                and case.is_open
                and CaseCategory.CHILD_PROTECTION not in (case.category, case.category_kind)
            ):
                changes.categories.append(
                    CategoryChange(
                        case.id,
                        reference,
                        case.team_id,
                        case.worker_id,
                        CaseCategory.CHILD_PROTECTION.value,
                    )
                )
                plan.count("updated")
        plan.details["children"] = len(checker.children)
        plan.details["without_case_file"] = len(without_case)
        plan.details["without_case_file_references"] = sorted(without_case)[:LISTED]
        plan.details["child_protection"] = sorted(c.reference for c in changes.categories)[:LISTED]
        return plan

    @staticmethod
    def _diff(
        plan: ImportPlan,
        changes: CensusChanges,
        existing: dict[tuple[str, date], dict[str, Any]],
        reference: str,
        case: CaseFacts | None,
        referral: _Referral,
    ) -> None:
        before = existing.get((reference.upper(), referral.referral_date))
        if before is None:
            changes.create.append(
                {
                    "child_reference": reference,
                    "referral_date": referral.referral_date,
                    "case_id": case.id if case else None,
                    **referral.values,
                }
            )
            plan.count("created")
        elif any(before[k] != referral.values[k] for k in COMPARED):
            changes.update.append({"id": before["id"], **referral.values})
            plan.count("updated")
        else:
            plan.count("unchanged")

    def apply(self, plan: ImportPlan, run: ImportRun, progress: Progress) -> None:
        changes: CensusChanges = plan.changes
        total = len(changes.create) + len(changes.update) + len(changes.categories)
        progress.stage("Writing referrals", total or None)
        table: Table = Referral.__table__  # type: ignore[assignment]
        insert_rows(table, [{**row, "import_run_id": run.id} for row in changes.create])
        progress.advance(len(changes.create))
        update_rows(table, [{**row, "import_run_id": run.id} for row in changes.update])
        progress.advance(len(changes.update))
        change_categories(changes.categories, date.today(), run.id)
        progress.advance(len(changes.categories))
        linked = link_referrals(changes.references)
        run.details = {**(run.details or {}), "linked": linked}


def _existing_referrals() -> dict[tuple[str, date], dict[str, Any]]:
    """Every stored referral by (upper-cased child reference, date), in one query."""
    columns = [Referral.id, Referral.child_reference, Referral.referral_date] + [
        getattr(Referral, name) for name in COMPARED
    ]
    return {
        (row.child_reference.upper(), row.referral_date): row._asdict()
        for row in db.session.execute(select(*columns))
    }


def change_categories(changes: list[CategoryChange], day: date, run_id: int | None) -> None:
    """Give cases a new category and keep the change as history, in bulk.

    As :func:`core.cases.history.record` does for one case: the open
    ``CaseAssignment`` row ends on ``day`` and a new one starts with the same
    team and worker and the new category.
    """
    if not changes:
        return
    cases: Table = Case.__table__  # type: ignore[assignment]
    assignments: Table = CaseAssignment.__table__  # type: ignore[assignment]
    update_rows(cases, [{"id": c.case_id, "category": c.category} for c in changes])
    for start in range(0, len(changes), CHUNK):
        db.session.execute(
            update(assignments)
            .where(assignments.c.case_id.in_([c.case_id for c in changes[start : start + CHUNK]]))
            .where(assignments.c.ended_on.is_(None))
            .values(ended_on=day)
        )
    insert_rows(
        assignments,
        [
            {
                "case_id": c.case_id,
                "team_id": c.team_id,
                "worker_id": c.worker_id,
                "category": c.category,
                "started_on": day,
                "import_run_id": run_id,
            }
            for c in changes
        ],
    )
    # The session may hold these cases from earlier in the request: read them again.
    for held in list(db.session.identity_map.values()):
        if isinstance(held, Case | CaseAssignment):
            db.session.expire(held)
