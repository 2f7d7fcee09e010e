"""Themed audit work, free of HTTP: import a population, draw the sample, allocate it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from core.access import ROLE_AUDIT_KIND
from core.audits.answering import apply_answers
from core.audits.workflow import new_audit
from core.extensions import db
from core.models import Case, Team, User
from core.templating import format_date
from core.tools.registry import ToolRegistry
from plugins.themed_audits.models import (
    PopulationItem,
    PopulationUpload,
    SampleDraw,
    SampleItem,
    ThemedAudit,
)
from plugins.themed_audits.population import (
    CensusPopulation,
    ParsedRow,
    ParseResult,
    parse_population,
)
from plugins.themed_audits.sampling import draw_sample, new_seed
from plugins.themed_audits.theme import Theme


class ThemedAuditError(Exception):
    """The step cannot be taken; the message is shown to the user."""


def team_index() -> dict[str, int]:
    """Team names (lower-cased) to ids, for reading the population's team column."""
    return {
        name.lower(): team_id for team_id, name in db.session.execute(select(Team.id, Team.name))
    }


def parse(theme: Theme, themed: ThemedAudit, text: str) -> ParseResult:
    return parse_population(theme, text, team_index(), (themed.period_start, themed.period_end))


def import_population(themed: ThemedAudit, rows: Sequence[ParsedRow]) -> int:
    """Replace the population with ``rows``. Refused once a sample has been drawn."""
    if themed.draw is not None:
        raise ThemedAuditError("The sample has been drawn, so the population cannot change.")
    themed.population.clear()
    db.session.flush()
    for row in rows:
        themed.population.append(
            PopulationItem(
                row_number=row.row_number,
                reference=row.reference,
                case_reference=row.case_reference,
                item_date=row.item_date,
                team_id=row.team_id,
                facts=row.facts,
            )
        )
    db.session.commit()
    return len(rows)


def population_from_census(theme: Theme, themed: ThemedAudit, user: User) -> CensusPopulation:
    """Work the population out from the imported census and import it as a file's would be.

    The rows go through :func:`import_population`, so the sample, its log and
    the allocation treat them exactly as an uploaded file's. A
    ``PopulationUpload`` (with no content) records where the population came
    from, who took it and when.
    """
    source = theme.census_population
    if source is None:
        raise ThemedAuditError("This theme takes its population from a CSV file only.")
    if themed.draw is not None:
        raise ThemedAuditError("The sample has been drawn, so the population cannot change.")
    result = source.build(themed.period_start, themed.period_end)
    period = f"{format_date(themed.period_start)} to {format_date(themed.period_end)}"
    if not result.considered:
        raise ThemedAuditError(
            f"careaudit holds no CIN census referrals dated {period}. Import the CIN census "
            "first, or upload the population as a CSV file."
        )
    if not result.rows:
        raise ThemedAuditError(
            f"None of the {result.considered} CIN census referrals dated {period} can be "
            f"a {theme.item_label} in the population"
            + (f" ({result.found} found, all left out)" if result.found else "")
            + ". Upload the population as a CSV file instead."
        )
    count = import_population(themed, result.rows)
    db.session.add(
        PopulationUpload(
            themed_audit_id=themed.id,
            filename=f"CIN census referrals, {period}"[:255],
            content="",
            uploaded_by_id=user.id,
            imported_rows=count,
        )
    )
    db.session.commit()
    return result


def draw(themed: ThemedAudit, size: int, seed: int | None, user: User) -> SampleDraw:
    """Draw the sample once, with a recorded seed, and log who drew it and when."""
    if themed.draw is not None:
        raise ThemedAuditError("The sample has already been drawn.")
    population = {item.reference: item for item in themed.population}
    if not population:
        raise ThemedAuditError("Add the population before drawing the sample.")
    if not 0 < size <= len(population):
        raise ThemedAuditError(f"Sample size must be between 1 and {len(population)}")
    seed = new_seed() if seed is None else seed
    chosen = draw_sample(list(population), size, seed)
    record = SampleDraw(
        themed_audit=themed,
        seed=seed,
        population_size=len(population),
        sample_size=size,
        drawn_by=user,
    )
    for position, reference in enumerate(chosen, start=1):
        record.items.append(SampleItem(population_item=population[reference], position=position))
    db.session.add(record)
    db.session.commit()
    return record


def auditors() -> list[User]:
    """Who may be given sampled items to audit."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.role.in_(list(ROLE_AUDIT_KIND)),
                User.role != "social_worker",
            )
            .order_by(User.role, User.name)
        )
    )


def allocate(
    registry: ToolRegistry, theme: Theme, themed: ThemedAudit, auditor: User, count: int
) -> tuple[int, list[str]]:
    """Give the next ``count`` unallocated sampled items to ``auditor`` as draft audits.

    Returns how many were allocated, and why any were passed over (the theme
    switched off for the item's service).
    """
    if themed.draw is None:
        raise ThemedAuditError("Draw the sample before allocating it.")
    kind = ROLE_AUDIT_KIND.get(auditor.role)
    if kind is None:
        raise ThemedAuditError(f"{auditor.name} does not carry out audits.")
    info = registry.get(theme.slug)
    if info is None:
        raise ThemedAuditError("The theme is not installed.")
    waiting = [item for item in themed.draw.items if item.audit_id is None]
    if not 0 < count <= len(waiting):
        raise ThemedAuditError(f"Choose between 1 and {len(waiting)} items to allocate")
    allocated, passed_over = 0, []
    labels = theme.fact_labels()
    for item in waiting:
        if allocated == count:
            break
        population = item.population_item
        service = population.team.service
        if not registry.is_enabled(theme.slug, service.id):
            passed_over.append(
                f"{population.reference}: the theme is switched off for {service.name}"
            )
            continue
        facts = {
            "label": f"{theme.item_label.capitalize()} {population.reference}",
            "Themed audit": themed.title,
            theme.item_reference_label: population.reference,
            theme.case_reference_label: population.case_reference,
            theme.item_date_label: format_date(population.item_date),
        }
        for key, label in labels.items():
            if population.facts.get(key) is not None:
                facts[label] = population.facts[key]
        case = db.session.scalar(
            select(Case).where(func.upper(Case.reference) == population.case_reference.upper())
        )
        audit = new_audit(
            info, auditor, kind, service.id, population.team_id, case=case, facts=facts
        )
        apply_answers(audit, theme.computed_answers(population.facts))
        item.audit = audit
        db.session.commit()
        allocated += 1
    return allocated, passed_over
