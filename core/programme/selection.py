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
from bisect import bisect_left
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import and_, attrgetter, not_

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
    taken_ids = taken if isinstance(taken, (set, frozenset)) else set(taken)
    allocated = recent = held = managed = 0
    eligible: list[Candidate] = []
    # One pass in case order, each case counted under the first rule that excludes it.
    user_id, team_id = auditor.user_id, auditor.team_id
    for candidate in sorted(candidates, key=attrgetter("case_id")):
        last = candidate.last_audited
        if candidate.case_id in taken_ids:
            allocated += 1
        elif last is not None and last > recent_cutoff:
            recent += 1
        elif independent and candidate.worker_id == user_id:
            held += 1
        elif independent and team_id is not None and candidate.team_id == team_id:
            managed += 1
        else:
            eligible.append(candidate)
    excluded = {
        "already allocated this period": allocated,
        f"audited in the last {months_between} months": recent,
        "held by the auditor": held,
        "managed directly by the auditor": managed,
    }
    selection.log.append(
        f"pool of {len(candidates)} open cases, {len(eligible)} eligible"
        + "".join(f"; {n} excluded: {reason}" for reason, n in sorted(excluded.items()) if n)
    )
    if len(eligible) < quantity:
        selection.log.append(
            f"pool too small: {quantity} wanted, {len(eligible)} eligible, so "
            f"{len(eligible)} allocated"
        )
    if not quantity or not eligible:
        return selection

    # Each draw is from the eligible cases still in (in case order), narrowed to the
    # due or fresh ones: the same lists, in the same order, with the same weights, as
    # filtering the remaining cases afresh, so the same seed draws the same cases. The
    # masks are built by map() and compress() (loops in C), because an independent
    # reviewer's pool is every open case in the council.
    workers = list(map(attrgetter("worker_id"), eligible))
    categories = list(map(attrgetter("category"), eligible))
    by_category = {c: weight_of(c, weights) for c in set(categories)}
    weight = list(map(by_category.__getitem__, categories))
    case_ids = list(map(attrgetter("case_id"), eligible))
    due_workers = {w for w in set(workers) if _is_due(w, worker_last_audited, coverage_cutoff)}
    chosen_workers: set[int | None] = set()
    remaining = [True] * len(eligible)
    for _ in range(min(quantity, len(eligible))):
        due = list(map(and_, remaining, map(due_workers.__contains__, workers)))
        fresh = list(map(and_, remaining, map(not_, map(chosen_workers.__contains__, workers))))
        if any(due):
            mask, why = due, f"social worker not audited in the last {coverage_months} months"
        elif any(fresh):
            mask, why = fresh, "every social worker covered; spreading across the workforce"
        else:
            mask, why = remaining, "every social worker already chosen"
        pick = rng.choices(list(compress(eligible, mask)), list(compress(weight, mask)))[0]
        # The first case still in that equals the one drawn, as list.remove() would take.
        index = bisect_left(case_ids, pick.case_id)
        while not (remaining[index] and eligible[index] == pick):
            index += 1
        remaining[index] = False
        selection.chosen.append(pick)
        weighed = "" if weight[index] == ORDINARY_WEIGHT else f", weight {weight[index]:g}"
        selection.log.append(f"{pick.reference} ({pick.category}{weighed}): {why}")
        chosen_workers.add(pick.worker_id)
        if pick.worker_id is not None:
            worker_last_audited[pick.worker_id] = period_start
            if _is_due(pick.worker_id, worker_last_audited, coverage_cutoff):
                due_workers.add(pick.worker_id)  # only when coverage_months is 0
            else:
                due_workers.discard(pick.worker_id)
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
