"""Choosing case files for an auditor: the programme's selection rules as a pure function.

No database here: the caller gathers the candidates and history, and this
module decides, reproducibly from a seed, and says why in a log. The rules
(council report, lines 446-475):

1. open cases only (the caller passes open cases);
2. no case audited within ``months_between`` months;
3. for independent audits, never a case the auditor holds or manages directly;
4. cover every social worker before repeating anyone: a worker whose work has
   not been audited for ``coverage_months`` is chosen before anyone else;
5. proportionality: each case weighs its category's risk weight in the draw
   (administrators set it per category; 1 is ordinary, child protection and
   looked after start at 2), so a heavier category is drawn more often;
6. never more than the pool holds, saying so in the log.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date

#: The weight of a category the caller gave no weight for.
ORDINARY_WEIGHT = 1.0


@dataclass(frozen=True)
class Candidate:
    """An open case file that could be audited."""

    case_id: int
    reference: str
    worker_id: int | None
    team_id: int
    category: str
    #: When the case was last audited (any kind of audit), if ever.
    last_audited: date | None = None


@dataclass(frozen=True)
class Auditor:
    user_id: int
    team_id: int | None = None


@dataclass
class Selection:
    chosen: list[Candidate] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))


def select_cases(
    candidates: Sequence[Candidate],
    quantity: int,
    *,
    auditor: Auditor,
    independent: bool,
    period_start: date,
    rng: random.Random,
    worker_last_audited: MutableMapping[int, date | None],
    taken: Iterable[int] = (),
    months_between: int = 12,
    coverage_months: int = 6,
    weights: Mapping[str, float] | None = None,
) -> Selection:
    """Choose up to ``quantity`` cases for ``auditor``.

    ``weights`` are the draw's weights by category code (the categories'
    ``risk_weight``); a category not in it weighs :data:`ORDINARY_WEIGHT`, so
    no weights at all is a uniform draw.

    ``worker_last_audited`` is updated with ``period_start`` for every worker
    whose case is chosen, so a caller allocating several auditors from one pool
    spreads the work across the workforce. ``taken`` are cases already
    allocated this period (by anyone).
    """
    selection = Selection()
    recent_cutoff = months_before(period_start, months_between)
    coverage_cutoff = months_before(period_start, coverage_months)
    taken_ids = set(taken)
    excluded: Counter[str] = Counter()
    eligible: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.case_id):
        if candidate.case_id in taken_ids:
            excluded["already allocated this period"] += 1
        elif candidate.last_audited is not None and candidate.last_audited > recent_cutoff:
            excluded[f"audited in the last {months_between} months"] += 1
        elif independent and candidate.worker_id == auditor.user_id:
            excluded["held by the auditor"] += 1
        elif independent and auditor.team_id is not None and candidate.team_id == auditor.team_id:
            excluded["managed directly by the auditor"] += 1
        else:
            eligible.append(candidate)
    selection.log.append(
        f"pool of {len(candidates)} open cases, {len(eligible)} eligible"
        + "".join(f"; {n} excluded: {reason}" for reason, n in sorted(excluded.items()))
    )
    if len(eligible) < quantity:
        selection.log.append(
            f"pool too small: {quantity} wanted, {len(eligible)} eligible, so "
            f"{len(eligible)} allocated"
        )

    chosen_workers: set[int | None] = set()
    for _ in range(min(quantity, len(eligible))):
        due = [c for c in eligible if _is_due(c.worker_id, worker_last_audited, coverage_cutoff)]
        fresh = [c for c in eligible if c.worker_id not in chosen_workers]
        if due:
            pool, why = due, f"social worker not audited in the last {coverage_months} months"
        elif fresh:
            pool, why = fresh, "every social worker covered; spreading across the workforce"
        else:
            pool, why = eligible, "every social worker already chosen"
        pick = rng.choices(pool, [weight_of(c.category, weights) for c in pool])[0]
        selection.chosen.append(pick)
        weight = weight_of(pick.category, weights)
        weighed = "" if weight == ORDINARY_WEIGHT else f", weight {weight:g}"
        selection.log.append(f"{pick.reference} ({pick.category}{weighed}): {why}")
        eligible.remove(pick)
        chosen_workers.add(pick.worker_id)
        if pick.worker_id is not None:
            worker_last_audited[pick.worker_id] = period_start
    return selection


def weight_of(category: str, weights: Mapping[str, float] | None) -> float:
    """The draw's weight of a case of ``category``.

    A weight that is not a positive number (only possible by editing the
    database directly: the categories page refuses it) counts as ordinary,
    because a zero total would stop the whole allocation.
    """
    weight = (weights or {}).get(category, ORDINARY_WEIGHT)
    return weight if 0 < weight < math.inf else ORDINARY_WEIGHT


def _is_due(worker_id: int | None, last_audited: Mapping[int, date | None], cutoff: date) -> bool:
    if worker_id is None:
        return False  # unallocated cases never jump the queue
    last = last_audited.get(worker_id)
    return last is None or last <= cutoff
