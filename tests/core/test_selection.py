"""The programme's selection rules, checked over random teams and histories (hypothesis)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from core.programme.selection import (
    Auditor,
    Candidate,
    Selection,
    months_before,
    select_cases,
    weight_of,
)

CATEGORIES = ["child_in_need", "child_protection", "looked_after", "care_leaver"]
MONTHS = [date(2026, m, 1) for m in range(1, 13)]
#: Risk weights an administrator may give a category (0.1 to 10).
WEIGHTS = st.sampled_from([0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0])


@st.composite
def category_weights(draw: st.DrawFn) -> dict[str, float]:
    """Weights for some of the categories; the others are left out (ordinary)."""
    return {c: draw(WEIGHTS) for c in CATEGORIES if draw(st.booleans())}


@st.composite
def teams(draw: st.DrawFn) -> tuple[list[Candidate], dict[int, date | None]]:
    """A team: 1-8 social workers (ids 100+), each holding 0-6 open cases with a history."""
    workers = draw(st.integers(min_value=1, max_value=8))
    cases = []
    for worker in range(100, 100 + workers):
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            number = len(cases) + 1
            audited = draw(
                st.one_of(
                    st.none(),
                    st.sampled_from(
                        [date(2024, 6, 1), date(2025, 3, 1), date(2025, 9, 1), date(2025, 12, 15)]
                    ),
                )
            )
            cases.append(
                Candidate(
                    number, f"C{number:05d}", worker, 1, draw(st.sampled_from(CATEGORIES)), audited
                )
            )
    history = {
        w: draw(
            st.one_of(
                st.none(), st.sampled_from([date(2025, 1, 1), date(2025, 8, 1), date(2025, 12, 1)])
            )
        )
        for w in range(100, 100 + workers)
    }
    return cases, history


def run_year(
    cases: list[Candidate],
    history: dict[int, date | None],
    seed: int,
    quantity: int,
    weights: dict[str, float] | None = None,
):
    """A team manager (user 1) allocated monthly for a year, as `careaudit allocate` does."""
    history = dict(history)
    last_audited = {c.case_id: c.last_audited for c in cases}
    months = []
    for month in MONTHS:
        pool = [
            Candidate(
                c.case_id, c.reference, c.worker_id, c.team_id, c.category, last_audited[c.case_id]
            )
            for c in cases
        ]
        before = dict(history)  # the workers' history as this month's allocation saw it
        chosen = select_cases(
            pool,
            quantity,
            auditor=Auditor(1, 1),
            independent=False,
            period_start=month,
            rng=random.Random(f"{seed}:{month}"),
            worker_last_audited=history,
            weights=weights,
        )
        for case in chosen.chosen:
            last_audited[case.case_id] = month
        months.append((month, pool, chosen, before))
    return months


@settings(max_examples=150, deadline=None)
@given(
    teams(),
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(1, 4),
    category_weights(),
)
def test_quota_window_coverage_and_seed(team, seed, quantity, weights):
    """Whatever the categories weigh: quotas, the 12-month window and the seed hold."""
    cases, history = team
    year = run_year(cases, history, seed, quantity, weights)
    chosen_on: dict[int, list[date]] = {}
    for month, pool, selection, _ in year:
        eligible = [
            c for c in pool if c.last_audited is None or c.last_audited <= months_before(month, 12)
        ]
        # Quotas: exactly the quota when the pool allows, never more than it holds.
        assert len(selection.chosen) == min(quantity, len(eligible))
        assert len({c.case_id for c in selection.chosen}) == len(selection.chosen)
        for case in selection.chosen:
            chosen_on.setdefault(case.case_id, []).append(month)
    # No case repeated within the 12-month window.
    for dates in chosen_on.values():
        assert all(
            (b.year - a.year) * 12 + b.month - a.month >= 12 for a, b in itertools.pairwise(dates)
        )
    # Same seed, same allocation.
    again = run_year(cases, history, seed, quantity, weights)
    assert [[c.case_id for c in s.chosen] for _, _, s, _ in year] == [
        [c.case_id for c in s.chosen] for _, _, s, _ in again
    ]


@settings(max_examples=150, deadline=None)
@given(
    teams(),
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(1, 4),
    category_weights(),
)
def test_every_worker_is_covered_before_anyone_is_repeated(team, seed, quantity, weights):
    """Whenever the pool allows, a worker not audited for six months comes first.

    However heavy a category, weighting never jumps a covered worker ahead of a due one.
    """
    cases, history = team
    for month, pool, selection, state in run_year(cases, history, seed, quantity, weights):
        cutoff = months_before(month, 6)
        eligible = [
            c for c in pool if c.last_audited is None or c.last_audited <= months_before(month, 12)
        ]
        due = {
            c.worker_id
            for c in eligible
            if state.get(c.worker_id) is None or state[c.worker_id] <= cutoff
        }
        picked = [c.worker_id for c in selection.chosen]
        # Each pick is a due worker while any due worker is left unpicked.
        remaining = set(due)
        for worker in picked:
            if remaining:
                assert worker in remaining, (month, worker, remaining)
                remaining.discard(worker)


def test_over_six_months_a_small_team_is_fully_covered():
    """Six workers, three audits a month: everyone within two months, nobody twice first."""
    cases = [Candidate(n, f"C{n}", 100 + n % 6, 1, "child_in_need") for n in range(36)]
    history: dict[int, date | None] = {}
    seen = []
    for month in MONTHS[:2]:
        selection = select_cases(
            cases,
            3,
            auditor=Auditor(1, 1),
            independent=False,
            period_start=month,
            rng=random.Random(3),
            worker_last_audited=history,
        )
        seen += [c.worker_id for c in selection.chosen]
    assert sorted(seen) == list(range(100, 106))


def test_independent_auditor_never_gets_cases_they_hold_or_manage():
    cases = [
        Candidate(1, "C1", 7, 1, "looked_after"),
        Candidate(2, "C2", 8, 2, "looked_after"),
        Candidate(3, "C3", 9, 3, "child_in_need"),
    ]
    selection = select_cases(
        cases,
        3,
        auditor=Auditor(7, 2),
        independent=True,
        period_start=date(2026, 12, 1),
        rng=random.Random(1),
        worker_last_audited={},
    )
    assert [c.case_id for c in selection.chosen] == [3]
    assert "held by the auditor" in selection.log[0]
    assert "managed directly by the auditor" in selection.log[0]
    assert any("pool too small: 3 wanted, 1 eligible" in line for line in selection.log)


def draw_share(cases: list[Candidate], weights: dict[str, float] | None, draws: int = 400):
    """How often each category is drawn, one case a draw, over ``draws`` seeds."""
    picks = []
    for seed in range(draws):
        selection = select_cases(
            cases,
            1,
            auditor=Auditor(1, 1),
            independent=False,
            period_start=date(2026, 12, 1),
            rng=random.Random(seed),
            worker_last_audited={},
            weights=weights,
        )
        picks.append(selection.chosen[0].category)
    return {category: picks.count(category) / draws for category in set(picks)}


def test_higher_risk_categories_are_drawn_more_often():
    """Proportionality: child protection weighs three times as much here."""
    cases = [
        Candidate(n, f"C{n}", None, 1, "child_protection" if n < 50 else "child_in_need")
        for n in range(100)
    ]
    share = draw_share(cases, {"child_protection": 3.0, "child_in_need": 1.0})
    assert 0.65 < share["child_protection"] < 0.85  # 3:1 weighting of two equal halves -> 75%


def test_a_weight_of_one_everywhere_is_a_uniform_draw():
    """Every category at 1 (or no weights at all): each case has the same chance."""
    cases = [Candidate(n, f"C{n}", None, 1, CATEGORIES[n % 4]) for n in range(100)]
    share = draw_share(cases, dict.fromkeys(CATEGORIES, 1.0), draws=2000)
    assert all(0.2 < share[c] < 0.3 for c in CATEGORIES), share  # 25% each
    assert share == draw_share(cases, None, draws=2000)


#: (lighter, heavier) weights from the range allowed, the heavier at least twice the lighter.
WEIGHT_PAIRS = [
    (light, heavy)
    for light in (0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
    for heavy in (0.2, 1.0, 2.0, 3.0, 5.0, 10.0)
    if heavy >= 2 * light
]


@settings(max_examples=25, deadline=None)
@given(st.permutations(CATEGORIES), st.sampled_from(WEIGHT_PAIRS))
def test_a_heavier_category_is_drawn_more_often(categories, pair):
    """Two equal halves of a pool: the half whose category weighs more is drawn more often,
    in proportion to the weights."""
    heavy, light = categories[:2]
    light_weight, heavy_weight = pair
    cases = [Candidate(n, f"C{n}", None, 1, heavy if n % 2 else light) for n in range(40)]
    share = draw_share(cases, {heavy: heavy_weight, light: light_weight})
    assert share[heavy] > 0.5
    assert abs(share[heavy] - heavy_weight / (heavy_weight + light_weight)) < 0.1


class RecordingRandom(random.Random):
    """A seeded Random that keeps the weights of every draw."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.draws: list[tuple[list[Candidate], list[float]]] = []

    def choices(self, population, weights=None, **kwargs):  # type: ignore[override]
        self.draws.append((list(population), list(weights)))
        return super().choices(population, weights, **kwargs)


@settings(max_examples=100, deadline=None)
@given(teams(), st.integers(min_value=0, max_value=2**31 - 1), category_weights())
def test_each_draw_weighs_a_case_by_its_category(team, seed, weights):
    """A case's chance in each draw is its category's weight over the pool's total;
    a category without a weight is ordinary (1)."""
    cases, history = team
    rng = RecordingRandom(seed)
    select_cases(
        cases,
        3,
        auditor=Auditor(1, 1),
        independent=False,
        period_start=date(2026, 12, 1),
        rng=rng,
        worker_last_audited=dict(history),
        weights=weights,
    )
    for pool, drawn_with in rng.draws:
        assert drawn_with == [weights.get(c.category, 1.0) for c in pool]


def test_a_weight_that_is_not_a_positive_number_counts_as_ordinary():
    """Only possible by editing the database by hand; it must not stop the allocation."""
    for broken in (0.0, -2.0, float("nan"), float("inf")):
        assert weight_of("child_protection", {"child_protection": broken}) == 1.0
    assert weight_of("child_protection", {"child_protection": 0.1}) == 0.1
    assert weight_of("early_help", {}) == 1.0


def _one_draw_at_a_time(
    candidates, quantity, *, auditor, independent, period_start, rng, worker_last_audited,
    taken=(), months_between=12, coverage_months=6, weights=None,
):  # fmt: skip
    """The draw as written before issue 12: each draw filters the remaining cases afresh.

    Kept as the reference the faster draw must match, case for case and line for line.
    """
    selection = Selection()
    recent_cutoff = months_before(period_start, months_between)
    coverage_cutoff = months_before(period_start, coverage_months)
    excluded: Counter[str] = Counter()
    eligible = []
    for candidate in sorted(candidates, key=lambda c: c.case_id):
        if candidate.case_id in set(taken):
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
    chosen_workers = set()
    for _ in range(min(quantity, len(eligible))):
        due = [
            c
            for c in eligible
            if c.worker_id is not None
            and (
                worker_last_audited.get(c.worker_id) is None
                or worker_last_audited[c.worker_id] <= coverage_cutoff
            )
        ]
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
        weighed = "" if weight == 1.0 else f", weight {weight:g}"
        selection.log.append(f"{pick.reference} ({pick.category}{weighed}): {why}")
        eligible.remove(pick)
        chosen_workers.add(pick.worker_id)
        if pick.worker_id is not None:
            worker_last_audited[pick.worker_id] = period_start
    return selection


@settings(max_examples=300, deadline=None)
@given(
    teams(),
    st.integers(min_value=0, max_value=2**31 - 1),
    st.integers(0, 12),
    category_weights(),
    st.booleans(),
    st.sets(st.integers(1, 48), max_size=10),
    st.sampled_from([(1, 1), (100, None), (101, 1), (5, 2)]),
    st.sampled_from([3, 12]),
    st.sampled_from(MONTHS),
)
def test_the_draw_is_the_same_as_one_draw_at_a_time(
    team, seed, quantity, weights, independent, taken, auditor, months_between, month
):
    """The same seed draws the same cases, with the same log, as the reference draw:
    an allocation made before issue 12 is made again the same today."""
    cases, history = team
    # Some cases held by nobody (a worker left): never due, and one "worker" between them.
    cases = [
        Candidate(c.case_id, c.reference, None, c.team_id, c.category, c.last_audited)
        if c.case_id % 7 == 0
        else c
        for c in cases
    ]
    random.Random(seed).shuffle(cases)  # the draw sorts them itself
    arguments = {
        "auditor": Auditor(*auditor),
        "independent": independent,
        "period_start": month,
        "taken": taken,
        "months_between": months_between,
        "weights": weights,
    }
    expected_history, history = dict(history), dict(history)
    expected = _one_draw_at_a_time(
        cases,
        quantity,
        rng=random.Random(seed),
        worker_last_audited=expected_history,
        **arguments,
    )
    actual = select_cases(
        cases, quantity, rng=random.Random(seed), worker_last_audited=history, **arguments
    )
    assert [c.case_id for c in actual.chosen] == [c.case_id for c in expected.chosen]
    assert actual.log == expected.log
    assert history == expected_history
