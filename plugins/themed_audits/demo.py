"""The demo borough's themed audit: re-referrals, as in the council report.

276 synthetic re-referrals to the Referral and Assessment teams over seven
months, a random sample of 125 drawn with a recorded seed, 75 allocated to
the quality assurance service and 50 to the service manager, most of them
audited. The population goes through the real CSV checks.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from core.audits import workflow
from core.extensions import db
from core.models import Role, Service, Team, User
from core.tools.registry import get_registry
from plugins.themed_audits import service
from plugins.themed_audits.models import ThemedAudit
from plugins.themed_audits.rereferral.theme import theme as rereferral

POPULATION = 276
SAMPLE = 125
SEED = 20111123
HEADER = "referral_reference,case_reference,referral_date,team,previous_referral_date,date_of_birth"


def population_csv(rng: random.Random, teams: list[str], start: date, end: date) -> str:
    days = (end - start).days
    lines = [HEADER]
    for number in range(1, POPULATION + 1):
        referred = start + timedelta(days=rng.randint(0, days))
        previous = referred - timedelta(days=rng.choice([12, 25, 40, 70, 120, 200, 400]))
        age = rng.choices([-1, 2, 6, 9, 13, 16], [3, 20, 30, 25, 15, 7])[0]
        born = referred - timedelta(days=int(age * 365.25) + rng.randint(0, 300))
        lines.append(
            f"RR{number:05d},C{rng.randint(100000, 999999)},{referred.isoformat()},"
            f"{rng.choice(teams)},{previous.isoformat()},{born.isoformat()}"
        )
    return "\n".join(lines) + "\n"


def load(rng: random.Random, today: date) -> str | None:
    registry = get_registry()
    rat = db.session.scalar(select(Service).where(Service.name == "Referral and Assessment"))
    iro = db.session.scalars(select(User).where(User.role == Role.INDEPENDENT_REVIEWER)).all()
    if rat is None or not iro or not registry.is_enabled(rereferral.slug, rat.id):
        return None
    lead = db.session.scalar(
        select(User).where(User.role == Role.SERVICE_MANAGER, User.service_id == rat.id)
    )
    teams = list(db.session.scalars(select(Team.name).where(Team.service_id == rat.id)))
    end = today - timedelta(days=30)
    start = end - timedelta(days=213)
    themed = ThemedAudit(
        theme=rereferral.slug,
        title=f"Re-referrals {start:%B %Y} to {end:%B %Y}",
        rationale="Partner agencies told the Local Safeguarding Children Board they were "
        "worried about children being referred again and again.",
        commissioned_by="Local Safeguarding Children Board",
        period_start=start,
        period_end=end,
        lead_id=(lead or iro[0]).id,
    )
    db.session.add(themed)
    db.session.commit()
    result = service.parse(rereferral, themed, population_csv(rng, teams, start, end))
    service.import_population(themed, result.rows)
    service.draw(themed, SAMPLE, SEED, lead or iro[0])
    shares = [
        (reviewer, 75 // len(iro) + (1 if i < 75 % len(iro) else 0))
        for i, reviewer in enumerate(iro)
    ]
    if lead is not None:
        shares.append((lead, SAMPLE - 75))
    for auditor, count in shares:
        service.allocate(registry, rereferral, themed, auditor, count)
    submitted = 0
    for item in themed.draw.items:
        audit = item.audit
        if audit is None or rng.random() > 0.85:
            continue  # some still to do
        stored = {a.question: a for a in audit.answers}
        answers = {
            **{
                k: v
                for k, v in rereferral.computed_answers(item.population_item.facts).items()
                if k in stored
            },
            **rereferral.demo_answers(rng, {}),
        }
        workflow.submit(
            audit,
            answers,
            registry.score(rereferral.slug, answers, audit.service_id),
            on=min(today, end + timedelta(days=rng.randint(1, 25))),
        )
        submitted += 1
    db.session.commit()
    return (
        f"A re-referral themed audit: {len(result.rows)} re-referrals, a sample of "
        f"{SAMPLE} (seed {SEED}), {submitted} audited."
    )
