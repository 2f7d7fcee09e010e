"""Case categories are data: administrators manage them per directorate, tools key on codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from core.extensions import db
from core.models import Case, CaseCategory, Category, Rating
from core.tools import FormDefinition, Question, QuestionKind, Section, ToolInfo, hookimpl
from core.tools.registry import get_registry
from plugins.adult_audit.form import audit_form as adults_form
from plugins.children_audit.form import audit_form as children_form
from tests.conftest import AuthActions
from tests.core.test_admin import input_value, selected, summary_messages
from tests.factories import Borough, make_case


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, borough: Borough) -> FlaskClient:
    """A client signed in as the borough's system administrator."""
    assert auth.login("admin@test.example").status_code == 302
    return client


def category(code: str) -> Category | None:
    db.session.expire_all()
    return db.session.scalar(select(Category).where(Category.code == code))


def add(client: FlaskClient, directorate_id: int, **fields: str):
    data = {"label": "", "code": "", "treat_as": "", "risk_weight": "1", "active": "y"}
    data.update(fields)
    return client.post(f"/admin/categories/new/{directorate_id}", data=data)


def offered_not_applicable(page: str) -> set[str]:
    """The standards whose rating the audit form shows pre-set to Not applicable."""
    return set(re.findall(r'name="(standard_\d+)"[^>]*value="not_applicable"[^>]*checked', page))


# -- the list ------------------------------------------------------------------


def test_the_list_shows_each_directorates_categories(admin: FlaskClient, borough: Borough):
    """Name, code, treated as, risk weight, how many case files, in use or not."""
    page = admin.get("/admin/categories")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    children = text.split('data-directorate="children"')[1].split("</table>")[0]
    adults = text.split('data-directorate="adults"')[1].split("</table>")[0]
    assert "Looked after" in children and "Care and support" not in children
    assert "Care and support" in adults and "Looked after" not in adults
    row = text.split('data-code="child_protection"')[1].split("</tr>")[0]
    assert "<code>child_protection</code>" in row
    assert ">2<" in row  # the risk weight the migration gave it
    assert ">1<" in row  # the borough's one child protection case
    assert "In use" in row
    assert "cannot be changed once the category is created" in text
    assert "never deleted" in text
    assert "Case categories" in admin.get("/admin/").get_data(as_text=True)


def test_only_administrators_manage_categories(client, auth, borough: Borough):
    """Everyone else is refused, managers included."""
    looked_after = category("looked_after")
    for user in ("team_manager", "senior", "iro", "analyst"):
        auth.login(f"{user}@test.example")
        assert client.get("/admin/categories").status_code == 403
        assert client.get(f"/admin/categories/new/{borough.children.id}").status_code == 403
        changed = client.post(
            f"/admin/categories/{looked_after.id}",
            data={"label": "Changed", "risk_weight": "10", "active": "y"},
        )
        assert changed.status_code == 403
        auth.logout()
    assert category("looked_after").label == "Looked after"


# -- the example every council needs ---------------------------------------------


def test_a_council_adds_early_help_and_private_fostering_without_a_code_change(
    admin: FlaskClient, auth: AuthActions, borough: Borough
):
    """Two new children's categories: one of its own, one the tools treat as child in need.

    Private fostering then gets the child-in-need pre-sets in the children's audit
    (standards 6 and 10 offered as Not applicable); Early help gets none; the
    case page shows the council's name for the category.
    """
    children = borough.children.id
    early = add(admin, children, label="Early help")  # code made from the name
    assert early.status_code == 302 and early.location == "/admin/categories"
    assert "Early help has been added, with the code early_help." in admin.get(
        early.location
    ).get_data(as_text=True)
    fostering = add(
        admin,
        children,
        label="Private fostering",
        code="private_fostering",
        treat_as="child_in_need",
        risk_weight="1.5",
    )
    assert fostering.status_code == 302

    early_help, private_fostering = category("early_help"), category("private_fostering")
    assert (early_help.label, early_help.treat_as, early_help.risk_weight) == (
        "Early help",
        None,
        1.0,
    )
    assert early_help.directorate_id == children and early_help.active
    assert (private_fostering.treat_as, private_fostering.risk_weight) == ("child_in_need", 1.5)

    worker = borough.user("worker")
    fostered = make_case("C700001", borough.north, "private_fostering", worker)
    helped = make_case("C700002", borough.north, "early_help", worker)
    db.session.commit()
    assert fostered.is_category(CaseCategory.CHILD_IN_NEED)
    assert fostered.category_kind == "child_in_need"
    assert not helped.is_category(CaseCategory.CHILD_IN_NEED)

    auth.logout()
    auth.login("team_manager@test.example")
    forms = {}
    for case in (fostered, helped):
        shown = admin.get(f"/cases/{case.id}").get_data(as_text=True)
        assert case.category_label in shown
        started = admin.post(
            f"/audits/start/{case.id}", data={"tool": "children_audit", "token": case.reference}
        )
        assert started.status_code == 302
        # The task list, then every section's page: the form as the auditor sees it.
        pages = [admin.get(started.location).get_data(as_text=True)]
        sections = started.location.replace("/edit", "/sections/standard_{}")
        pages += [admin.get(sections.format(n)).get_data(as_text=True) for n in range(1, 15)]
        forms[case.reference] = "\n".join(pages)
    assert offered_not_applicable(forms["C700001"]) == {"standard_6", "standard_10"}
    assert "Private fostering" in forms["C700001"]  # the audit's header names it too
    assert offered_not_applicable(forms["C700002"]) == set()


# -- adding: every mistake explained, every value kept ---------------------------


def test_the_code_is_made_from_the_name_when_left_blank(admin: FlaskClient, borough: Borough):
    assert add(admin, borough.children.id, label="Section 20 – Kinship Care").status_code == 302
    assert category("section_20_kinship_care") is not None
    assert add(admin, borough.adults.id, label="Hôpital discharge").status_code == 302
    assert category("hopital_discharge") is not None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"label": ""}, "label", "Enter the name of the category"),
        ({"label": "x" * 121}, "label", "The name must be 120 characters or fewer"),
        (
            {"label": "Early help", "code": "Early Help"},
            "code",
            "The code must contain only lower-case letters, digits and underscores",
        ),
        (
            {"label": "Early help", "code": "early-help"},
            "code",
            "The code must contain only lower-case letters, digits and underscores",
        ),
        (
            {"label": "Early help", "code": "early²"},
            "code",
            "The code must contain only lower-case letters, digits and underscores",
        ),
        (
            {"label": "Early help", "code": "e" * 41},
            "code",
            "The code must be 40 characters or fewer",
        ),
        (
            {"label": "Looked after children", "code": "looked_after"},
            "code",
            "A category with the code looked_after already exists: enter another code",
        ),
        ({"label": "Looked after"}, "label", "Children’s social care already has a category "),
        ({"label": "Looked AFTER", "code": "lac"}, "label", "already has a category called"),
        (
            {"label": "???"},
            "code",
            "Enter a code, like early_help: the name has no letters to make one",
        ),
        (
            {"label": "Early help", "treat_as": "adult_carer"},
            "treat_as",
            "Choose what the audit tools treat this category as, or None",
        ),
        (
            {"label": "Early help", "treat_as": "early_help"},
            "treat_as",
            "Choose what the audit tools treat this category as, or None",
        ),
    ],
)
def test_mistakes_in_a_new_category_are_explained(
    admin: FlaskClient, borough: Borough, fields, field, message
):
    """A GOV.UK error summary names the problem; nothing is saved; what was typed stays."""
    before = db.session.scalar(select(func.count(Category.id)))
    response = add(admin, borough.children.id, risk_weight="1.5", **fields)
    assert response.status_code == 400
    messages = summary_messages(response.data)
    assert any(message in m for m in messages), messages
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Category.id))) == before
    assert input_value(response.data, "label") == fields.get("label", "")
    assert input_value(response.data, "code") == fields.get("code", "")
    assert input_value(response.data, "risk_weight") == "1.5"


def test_treat_as_offers_only_the_directorates_well_known_categories(
    admin: FlaskClient, borough: Borough
):
    children = admin.get(f"/admin/categories/new/{borough.children.id}").get_data(as_text=True)
    adults = admin.get(f"/admin/categories/new/{borough.adults.id}").get_data(as_text=True)
    assert 'value="looked_after"' in children and 'value="adult_carer"' not in children
    assert 'value="adult_carer"' in adults and 'value="looked_after"' not in adults
    assert selected(children.encode(), "treat_as") == ""  # None unless chosen
    add(admin, borough.children.id, label="Early help")
    again = admin.get(f"/admin/categories/new/{borough.children.id}").get_data(as_text=True)
    assert 'value="early_help"' not in again  # only codes the tools know
    assert admin.get("/admin/categories/new/999999").status_code == 404


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a risk weight, like 1 for an ordinary category"),
        ("²", "Enter the risk weight as a number, like 2 or 1.5"),
        ("٣", "Enter the risk weight as a number, like 2 or 1.5"),  # an Arabic-Indic 3
        ("NaN", "Enter the risk weight as a number, like 2 or 1.5"),
        ("inf", "Enter the risk weight as a number, like 2 or 1.5"),
        ("-Infinity", "Enter the risk weight as a number, like 2 or 1.5"),
        ("1e3", "Enter the risk weight as a number, like 2 or 1.5"),
        ("1,5", "Enter the risk weight as a number, like 2 or 1.5"),
        ("two", "Enter the risk weight as a number, like 2 or 1.5"),
        ("-1", "The risk weight must be 0.1 or more"),
        ("0", "The risk weight must be 0.1 or more"),
        ("0.09", "The risk weight must be 0.1 or more"),
        ("0." + "0" * 4998 + "1", "The risk weight must be 0.1 or more"),
        ("10.01", "The risk weight must be 10 or less"),
        ("9" * 5000, "The risk weight must be 10 or less"),
    ],
)
def test_a_risk_weight_mistake_is_explained_never_a_500(
    admin: FlaskClient, borough: Borough, typed: str, message: str
):
    response = add(admin, borough.children.id, label="Early help", risk_weight=typed)
    assert response.status_code == 400
    assert summary_messages(response.data) == [message]
    assert input_value(response.data, "risk_weight") == typed
    assert category("early_help") is None


@pytest.mark.parametrize(("typed", "stored"), [("0.1", 0.1), (" 10 ", 10.0), ("2.50", 2.5)])
def test_risk_weights_from_0_1_to_10_are_accepted(
    admin: FlaskClient, borough: Borough, typed: str, stored: float
):
    assert add(admin, borough.children.id, label="Early help", risk_weight=typed).status_code == 302
    assert category("early_help").risk_weight == stored


# -- changing: the code never, the rest freely -----------------------------------


def test_changing_a_category_keeps_its_code(admin: FlaskClient, borough: Borough):
    add(admin, borough.children.id, label="Early help")
    early_help = category("early_help")
    page = admin.get(f"/admin/categories/{early_help.id}").get_data(as_text=True)
    assert "The code cannot be changed, because imports and audit tools refer to it." in page
    assert 'name="code"' not in page
    assert input_value(page.encode(), "risk_weight") == "1"
    changed = admin.post(
        f"/admin/categories/{early_help.id}",
        data={
            "label": "Early help (targeted)",
            "code": "something_else",
            "treat_as": "child_in_need",
            "risk_weight": "0.5",
        },  # "active" unticked
    )
    assert changed.status_code == 302
    early_help = category("early_help")
    assert early_help is not None and category("something_else") is None
    assert (early_help.label, early_help.treat_as, early_help.risk_weight, early_help.active) == (
        "Early help (targeted)",
        "child_in_need",
        0.5,
        False,
    )
    listing = admin.get("/admin/categories").get_data(as_text=True)
    row = listing.split('data-code="early_help"')[1].split("</tr>")[0]
    assert "Not in use" in row and "Child in need" in row and ">0.5<" in row


def test_mistakes_when_changing_are_explained_and_kept(admin: FlaskClient, borough: Borough):
    looked_after = category("looked_after")
    response = admin.post(
        f"/admin/categories/{looked_after.id}",
        data={"label": "Child protection", "risk_weight": "lots", "active": "y"},
    )
    assert response.status_code == 400
    assert summary_messages(response.data) == [
        "Children’s social care already has a category called Child protection",
        "Enter the risk weight as a number, like 2 or 1.5",
    ]
    assert input_value(response.data, "label") == "Child protection"
    assert input_value(response.data, "risk_weight") == "lots"
    clash = admin.post(
        f"/admin/categories/{looked_after.id}",
        data={"label": "child protection", "risk_weight": "2", "active": "y"},
    )
    assert clash.status_code == 400
    assert summary_messages(clash.data) == [
        "Children’s social care already has a category called child protection"
    ]
    assert category("looked_after").label == "Looked after"
    assert admin.get("/admin/categories/999999").status_code == 404


def test_a_well_known_category_is_never_treated_as_another(admin: FlaskClient, borough: Borough):
    """Looked after *is* the code tools ask about; it cannot be made to mean child in need."""
    looked_after = category("looked_after")
    page = admin.get(f"/admin/categories/{looked_after.id}").get_data(as_text=True)
    assert 'name="treat_as"' not in page
    assert "the audit tools know it by its code" in page
    saved = admin.post(
        f"/admin/categories/{looked_after.id}",
        data={
            "label": "Children looked after",
            "treat_as": "child_in_need",
            "risk_weight": "3",
            "active": "y",
        },
    )
    assert saved.status_code == 302
    looked_after = category("looked_after")
    assert (looked_after.label, looked_after.treat_as, looked_after.risk_weight) == (
        "Children looked after",
        None,
        3.0,
    )
    # The new name is what treat-as offers and what case pages show.
    new = admin.get(f"/admin/categories/new/{borough.children.id}").get_data(as_text=True)
    assert '<option value="looked_after">Children looked after</option>' in new


def test_a_category_is_never_deleted_only_taken_out_of_use(admin: FlaskClient, borough: Borough):
    """Its case files keep it; the case import refuses it from then on (below)."""
    child_in_need = category("child_in_need")
    assert admin.post(f"/admin/categories/{child_in_need.id}/delete").status_code in (404, 405)
    out_of_use = admin.post(
        f"/admin/categories/{child_in_need.id}",
        data={"label": "Child in need", "risk_weight": "1"},  # "active" unticked
    )
    assert out_of_use.status_code == 302
    assert not category("child_in_need").active
    case = db.session.get(Case, borough.cases["cin"].id)
    assert case.category == "child_in_need" and case.category_label == "Child in need"
    page = admin.get("/admin/categories").get_data(as_text=True)
    row = page.split('data-code="child_in_need"')[1].split("</tr>")[0]
    assert "Not in use" in row and ">3<" in row  # three case files still have it


def test_the_case_import_refuses_a_category_out_of_use(runner, borough: Borough, tmp_path: Path):
    db.session.execute(
        update(Category).where(Category.code == "child_in_need").values(active=False)
    )
    db.session.commit()
    case_list = tmp_path / "cases.csv"
    case_list.write_text(
        "Case reference,Team,Category\nC900001,CIN North,Child in need\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", "cases", str(case_list), "--dry-run", "--quiet"])
    assert "Child in need" in result.output and "is not in use" in result.output
    assert db.session.scalar(select(Case).where(Case.reference == "C900001")) is None


# -- the plugin contract: a tool asks by stable code -------------------------------


class PlacementCheck:
    """A third-party-style tool: one question only for children who are looked after."""

    slug = "test_placement_check"

    @hookimpl
    def careaudit_tool(self) -> ToolInfo:
        return ToolInfo(
            slug=self.slug,
            title="Placement check",
            version="0.1",
            directorates=("children",),
            template_folder=Path(__file__).parent / "tool_fixtures",
        )

    @hookimpl
    def careaudit_audit_form(self, case, settings) -> FormDefinition:
        questions = [
            Question(
                key="plan_current",
                name="whether the plan is current",
                text="Is the plan current?",
                kind=QuestionKind.RATING,
            )
        ]
        if case is not None and case.is_category(CaseCategory.LOOKED_AFTER):
            questions.append(
                Question(
                    key="placement_stable",
                    name="whether the placement is stable",
                    text="Is the placement stable?",
                    kind=QuestionKind.RATING,
                )
            )
        return FormDefinition(
            tool=self.slug,
            version="0.1",
            title="Placement check",
            sections=(Section(key="plan", title="Plan", questions=tuple(questions)),),
        )


def test_a_tool_asks_is_this_child_looked_after_by_the_stable_code(
    admin: FlaskClient, borough: Borough
):
    """A council's own category treated as looked after answers yes, by the code tools know."""
    add(
        admin,
        borough.children.id,
        label="Kinship care (connected carers)",
        code="kinship_care",
        treat_as="looked_after",
    )
    add(admin, borough.children.id, label="Early help")
    kinship = make_case("C800001", borough.care, "kinship_care")
    helped = make_case("C800002", borough.north, "early_help")
    db.session.commit()
    assert kinship.is_category("looked_after") and kinship.category_kind == "looked_after"
    assert kinship.is_category("kinship_care")  # its own code too
    assert not helped.is_category("looked_after") and helped.category_kind == "early_help"

    tool = PlacementCheck()
    registry = get_registry()
    registry.register(tool, name=tool.slug)
    try:

        def keys(case: Case) -> set[str]:
            return {q.key for q in registry.form(tool.slug, case, case.service_id).questions()}

        assert keys(kinship) == {"plan_current", "placement_stable"}
        assert keys(borough.cases["lac"]) == {"plan_current", "placement_stable"}
        assert keys(helped) == {"plan_current"}
    finally:
        registry.unregister(tool)


@pytest.mark.parametrize(
    ("form_of", "treat_as", "offered"),
    [
        (children_form, "looked_after", {"standard_2"}),
        (children_form, "child_protection", {"standard_2", "standard_6", "standard_10"}),
        (children_form, None, set()),
        (adults_form, "adult_carer", {"standard_9"}),
        (adults_form, None, set()),
    ],
)
def test_the_built_in_tools_pre_sets_follow_treat_as(form_of, treat_as, offered):
    """The children's and adults' "cannot apply" sets of CaseCategory match a council's
    category by what it is treated as."""
    own = Category(code="council_own", label="Council’s own", treat_as=treat_as)
    case = Case(reference="X1", category="council_own", category_record=own)
    form = form_of(case, {})
    preset = {
        q.key
        for q in form.questions()
        if q.kind is QuestionKind.RATING and q.initial == Rating.NOT_APPLICABLE.value
    }
    assert preset == offered
