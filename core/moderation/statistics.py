"""How well line auditors and moderators agree: plain functions, no database.

The ratings are ordinal (Met > Partially met > Not met), so besides the share of
exactly equal ratings we use Cohen's *weighted* kappa, which gives partial credit for
an adjacent rating and corrects for the agreement two raters would reach by chance
from their own rating habits.

Weights are **linear** agreement weights, ``w_ij = 1 - |i - j| / (k - 1)``: on the
three-point scale an adjacent rating earns half credit and Met against Not met none.
(Quadratic weights would give an adjacent rating three quarters credit, which flatters
agreement on a three-point scale where Met against Partially met is a real difference.)

The 95% interval uses the large-sample standard error of weighted kappa given by
Fleiss, Cohen and Everitt (1969), "Large sample standard errors of kappa and weighted
kappa", Psychological Bulletin 72(5), 323-327 (the non-null variance, for an
interval rather than a test that kappa is zero)::

    var = ( sum_ij p_ij [w_ij - (w_i. + w_.j)(1 - kappa)]^2 - [kappa - p_e (1 - kappa)]^2 )
          / ( n (1 - p_e)^2 )

where ``w_i. = sum_j p_.j w_ij`` and ``w_.j = sum_i p_i. w_ij``. The interval is
``kappa +/- 1.96 * sqrt(var)``, cut to [-1, 1] because kappa cannot leave that range.
Pure Python: numpy is not a dependency and the tables are 3 x 3.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.models.audits import SCALE, Grade, Rating

#: Below this many pairs a figure says more about chance than about the auditors.
MIN_PAIRS = 10
#: The normal distribution's two-sided 95% point.
Z_95 = 1.96
LINEAR = "linear"
QUADRATIC = "quadratic"
#: The message shown instead of a figure when N < MIN_PAIRS.
TOO_FEW = "too few moderated audits to say"


def position(rating: Rating | str | None) -> int | None:
    """A rating's place on the ordinal scale (0 = Met), or None (Not applicable, blank)."""
    try:
        member = Rating(rating) if rating is not None else None
    except ValueError:
        return None
    return SCALE.index(member) if member in SCALE else None


def agreement_weights(categories: int, scheme: str = LINEAR) -> list[list[float]]:
    """Agreement weights: 1 on the diagonal, falling to 0 for the furthest apart."""
    if categories < 2:
        raise ValueError("weighted kappa needs at least two categories")
    if scheme not in (LINEAR, QUADRATIC):
        raise ValueError(f"unknown weights {scheme!r}")
    span = categories - 1
    power = 1 if scheme == LINEAR else 2
    return [
        [1 - (abs(i - j) / span) ** power for j in range(categories)] for i in range(categories)
    ]


@dataclass(frozen=True)
class Kappa:
    kappa: float
    standard_error: float
    low: float
    high: float
    n: int
    #: Weighted observed and chance-expected agreement.
    observed: float
    expected: float


def weighted_kappa(
    pairs: Iterable[tuple[int, int]], categories: int = len(SCALE), scheme: str = LINEAR
) -> Kappa | None:
    """Cohen's weighted kappa of ``(line, moderator)`` category positions, with its 95% CI.

    None when there are no pairs, or when either rater gave the same rating every time:
    then kappa is undefined (both alike) or 0 whatever happened (one alike), with an
    interval of nothing, which would mislead.
    """
    counts = [[0] * categories for _ in range(categories)]
    n = 0
    for first, second in pairs:
        counts[first][second] += 1
        n += 1
    if n == 0:
        return None
    w = agreement_weights(categories, scheme)
    p = [[counts[i][j] / n for j in range(categories)] for i in range(categories)]
    rows = [sum(p[i]) for i in range(categories)]
    cols = [sum(p[i][j] for i in range(categories)) for j in range(categories)]
    cells = [(i, j) for i in range(categories) for j in range(categories)]
    observed = sum(w[i][j] * p[i][j] for i, j in cells)
    expected = sum(w[i][j] * rows[i] * cols[j] for i, j in cells)
    if max(rows) == 1 or max(cols) == 1:
        return None
    kappa = (observed - expected) / (1 - expected)
    row_weight = [sum(cols[j] * w[i][j] for j in range(categories)) for i in range(categories)]
    col_weight = [sum(rows[i] * w[i][j] for i in range(categories)) for j in range(categories)]
    spread = sum(
        p[i][j] * (w[i][j] - (row_weight[i] + col_weight[j]) * (1 - kappa)) ** 2 for i, j in cells
    )
    variance = (spread - (kappa - expected * (1 - kappa)) ** 2) / (n * (1 - expected) ** 2)
    # Rounding can leave a perfect table a hair below zero.
    error = math.sqrt(max(variance, 0.0))
    return Kappa(
        kappa=kappa,
        standard_error=error,
        low=max(-1.0, kappa - Z_95 * error),
        high=min(1.0, kappa + Z_95 * error),
        n=n,
        observed=observed,
        expected=expected,
    )


@dataclass(frozen=True)
class ExactAgreement:
    same: int
    n: int

    @property
    def share(self) -> float | None:
        return self.same / self.n if self.n else None


def exact_agreement(pairs: Iterable[tuple[object, object]]) -> ExactAgreement:
    """How many pairs have the very same rating, out of how many."""
    same = n = 0
    for first, second in pairs:
        n += 1
        same += first == second
    return ExactAgreement(same, n)


@dataclass(frozen=True)
class GradeDrift:
    """How line auditors' grades compare with the moderators' on the same files."""

    higher: int
    same: int
    lower: int
    #: Mean of (line grade - moderator grade) in grade steps: positive is more generous.
    mean_difference: float | None

    @property
    def n(self) -> int:
        return self.higher + self.same + self.lower


def grade_drift(pairs: Iterable[tuple[Grade | str | None, Grade | str | None]]) -> GradeDrift:
    """Count line grades above, equal to and below the moderator's; pairs with a blank
    or unknown grade on either side are left out."""
    differences: list[int] = []
    for line, moderator in pairs:
        first, second = _grade_rank(line), _grade_rank(moderator)
        if first is not None and second is not None:
            differences.append(first - second)
    return GradeDrift(
        higher=sum(d > 0 for d in differences),
        same=sum(d == 0 for d in differences),
        lower=sum(d < 0 for d in differences),
        mean_difference=sum(differences) / len(differences) if differences else None,
    )


def _grade_rank(value: Grade | str | None) -> int | None:
    try:
        return Grade(value).rank if value else None
    except ValueError:
        return None


def rating_pairs(
    ratings: Sequence[tuple[Rating | str | None, Rating | str | None]],
) -> list[tuple[int, int]]:
    """Positions of rating pairs, leaving out any pair with Not applicable or a blank."""
    out = []
    for line, moderator in ratings:
        first, second = position(line), position(moderator)
        if first is not None and second is not None:
            out.append((first, second))
    return out


def enough(n: int) -> bool:
    """Whether ``n`` pairs are enough to show a figure."""
    return n >= MIN_PAIRS


#: Landis and Koch's (1977) words for kappa, for readers who do not read kappa.
_STRENGTH = ((0.8, "almost perfect"), (0.6, "substantial"), (0.4, "moderate"), (0.2, "fair"))


def strength(kappa: float) -> str:
    """Landis and Koch's word for a kappa: slight (0 to 0.2) up to almost perfect."""
    if kappa < 0:
        return "poor"
    for floor, word in _STRENGTH:
        if kappa > floor:
            return word
    return "slight"
