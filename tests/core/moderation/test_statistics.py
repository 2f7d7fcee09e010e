"""Agreement statistics against a hand computation on a small fixed data set.

Ten files, each rated on one standard by a line auditor (rows) and a moderator
(columns), positions 0 = Met, 1 = Partially met, 2 = Not met:

                 moderator
                 Met  Part  Not   row total
    line Met      3    1     0      4
         Part     1    2     1      4
         Not      0    0     2      2
    column total  4    3     3     10

Linear agreement weights w_ij = 1 - |i - j| / 2: 1 on the diagonal, 1/2 one step
apart, 0 for Met against Not met.
"""

from __future__ import annotations

import pytest

from core.models import Grade, Rating
from core.moderation.statistics import (
    MIN_PAIRS,
    agreement_weights,
    enough,
    exact_agreement,
    grade_drift,
    rating_pairs,
    strength,
    weighted_kappa,
)

TABLE = [[3, 1, 0], [1, 2, 1], [0, 0, 2]]
PAIRS = [(i, j) for i in range(3) for j in range(3) for _ in range(TABLE[i][j])]


def test_linear_and_quadratic_weights():
    assert agreement_weights(3) == [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    assert agreement_weights(3, "quadratic") == [[1, 0.75, 0], [0.75, 1, 0.75], [0, 0.75, 1]]


def test_exact_agreement_is_the_share_on_the_diagonal():
    # Diagonal 3 + 2 + 2 = 7 of 10.
    result = exact_agreement(PAIRS)
    assert (result.same, result.n, result.share) == (7, 10, 0.7)


def test_weighted_kappa_and_its_interval_match_the_hand_computation():
    """Fleiss, Cohen and Everitt (1969), worked by hand.

    Proportions p_ij = count / 10. Row marginals p_i. = (.4, .4, .2); column
    marginals p_.j = (.4, .3, .3).

    Observed weighted agreement:
        p_o = diagonal (.3 + .2 + .2) + 1/2 x one step apart (.1 + .1 + .1 + 0)
            = .7 + .15 = .85
    Chance-expected:
        diagonal:      .4x.4 + .4x.3 + .2x.3             = .16 + .12 + .06 = .34
        one step (x1/2): .4x.3 (M,P) + .4x.4 (P,M) + .4x.3 (P,N) + .2x.3 (N,P)
                       = .12 + .16 + .12 + .06 = .46, halved = .23
        p_e = .34 + .23 = .57
    kappa = (.85 - .57) / (1 - .57) = .28 / .43 = 28/43 = 0.651163

    Variance. Weighted marginal means:
        w_i. = sum_j p_.j w_ij: Met .4 + .15 = .55; Part .2 + .3 + .15 = .65; Not .15 + .3 = .45
        w_.j = sum_i p_i. w_ij: Met .4 + .2 = .6; Part .2 + .4 + .1 = .7; Not .2 + .2 = .4
    1 - kappa = 15/43 = 0.348837. For each non-empty cell p_ij [w_ij - (w_i. + w_.j)(1 - kappa)]^2:
        (M,M) .3 x [1  - 1.15 x .348837]^2 = .3 x .598837^2 = .107582
        (M,P) .1 x [.5 - 1.25 x .348837]^2 = .1 x .063953^2 = .000409
        (P,M) .1 x [.5 - 1.25 x .348837]^2                  = .000409
        (P,P) .2 x [1  - 1.35 x .348837]^2 = .2 x .529070^2 = .055983
        (P,N) .1 x [.5 - 1.05 x .348837]^2 = .1 x .133721^2 = .001788
        (N,N) .2 x [1  - .85  x .348837]^2 = .2 x .703488^2 = .098979
        sum = .265150
    [kappa - p_e (1 - kappa)]^2 = [(28 - .57 x 15) / 43]^2 = (19.45 / 43)^2 = .452326^2 = .204599
    var = (.265150 - .204599) / (10 x .43^2) = .060551 / 1.849 = .032748
    SE  = sqrt(.032748) = .180965
    95% interval: .651163 -/+ 1.96 x .180965 = .651163 -/+ .354691
        = .296472 to 1.005854, and kappa cannot exceed 1, so the top is cut to 1.
    """
    result = weighted_kappa(PAIRS)
    assert result is not None
    assert result.n == 10
    assert result.observed == pytest.approx(0.85)
    assert result.expected == pytest.approx(0.57)
    assert result.kappa == pytest.approx(28 / 43)
    assert result.kappa == pytest.approx(0.651163, abs=1e-6)
    assert result.standard_error**2 == pytest.approx(0.032748, abs=1e-6)
    assert result.standard_error == pytest.approx(0.180965, abs=1e-6)
    assert result.low == pytest.approx(0.296472, abs=1e-5)
    assert result.high == 1.0


def test_quadratic_weights_give_the_textbook_quadratic_kappa():
    """Same table, quadratic weights (1, 3/4, 0):
    p_o = .7 + .75 x .3 = .925; p_e = .34 + .75 x .46 = .685;
    kappa = (.925 - .685) / (1 - .685) = .24 / .315 = 0.761905."""
    result = weighted_kappa(PAIRS, scheme="quadratic")
    assert result is not None
    assert result.kappa == pytest.approx(0.24 / 0.315)


def test_perfect_agreement_is_one_with_no_spread():
    result = weighted_kappa([(0, 0)] * 6 + [(1, 1)] * 4 + [(2, 2)] * 2)
    assert result is not None
    assert result.kappa == pytest.approx(1.0)
    assert result.standard_error == pytest.approx(0.0, abs=1e-6)


def test_kappa_is_not_given_without_pairs_or_when_a_rater_never_varies():
    assert weighted_kappa([]) is None
    assert weighted_kappa([(0, 0)] * 12) is None
    # The moderator rated everything Partially met: kappa would be 0 with no spread.
    assert weighted_kappa([(0, 1)] * 4 + [(1, 1)] * 8) is None


def test_not_applicable_and_blank_pairs_are_left_out():
    pairs = rating_pairs(
        [
            (Rating.MET, Rating.MET),
            (Rating.MET, Rating.NOT_APPLICABLE),
            (Rating.NOT_APPLICABLE, Rating.NOT_MET),
            (None, Rating.MET),
            ("partially_met", "not_met"),
            ("nonsense", "met"),
        ]
    )
    assert pairs == [(0, 0), (1, 2)]


def test_grade_drift_counts_higher_same_lower_and_the_mean_step():
    # Line minus moderator, in steps (Inadequate 0, Adequate 1, Good 2, Outstanding 3):
    # good/adequate +1, good/inadequate +2, adequate/adequate 0, adequate/good -1;
    # a blank grade is left out. Mean (1 + 2 + 0 - 1) / 4 = 0.5.
    drift = grade_drift(
        [
            (Grade.GOOD, Grade.ADEQUATE),
            ("good", "inadequate"),
            ("adequate", "adequate"),
            ("adequate", "good"),
            (None, "good"),
        ]
    )
    assert (drift.higher, drift.same, drift.lower, drift.n) == (2, 1, 1, 4)
    assert drift.mean_difference == pytest.approx(0.5)


def test_too_few_to_say_below_ten():
    assert MIN_PAIRS == 10
    assert not enough(9) and enough(10)


def test_kappa_in_words():
    assert strength(0.65) == "substantial"
    assert strength(0.1) == "slight"
    assert strength(-0.2) == "poor"
    assert strength(0.9) == "almost perfect"
