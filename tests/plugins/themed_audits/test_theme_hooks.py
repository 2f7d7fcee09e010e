"""A theme's own hook methods count, marked or not; a misnamed one stops it loading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.models import Rating
from core.tools import (
    AnswerProblem,
    AnswerSet,
    AnswerValue,
    Option,
    Question,
    QuestionKind,
    Score,
    Section,
    hookimpl,
)
from core.tools.registry import get_registry
from plugins.themed_audits import PopulationColumn, Theme

SEEN = Question(
    key="seen",
    text="Was the child seen?",
    kind=QuestionKind.CHOICE,
    name="whether the child was seen",
    options=(Option("yes", "Yes"), Option("no", "No")),
)
SEEN_COUNT = Question(
    key="times_seen", text="Times seen", kind=QuestionKind.NUMBER, name="the times seen"
)


class ScoringTheme(Theme):
    """Overrides two hooks the way a theme author naturally writes them: no ``@hookimpl``."""

    slug = "scoring_theme"
    title = "Scoring themed audit"
    sections = (Section("only", "Only", questions=(SEEN, SEEN_COUNT)),)

    def careaudit_score_audit(self, answers: AnswerSet) -> Score:
        seen = answers.get("seen")
        met = Rating.MET if seen and seen.value == "yes" else Rating.NOT_MET
        return Score(counts={met: 1}, derived={"times_seen": AnswerValue(None, "1")})

    def careaudit_check_answers(self, answers: AnswerSet) -> list[AnswerProblem]:
        return [AnswerProblem("seen", "Say whether the child was seen")]


@pytest.fixture
def registered(app) -> Iterator[ScoringTheme]:
    theme = ScoringTheme()
    registry = get_registry()
    registry.register(theme, name=theme.slug)
    try:
        yield theme
    finally:
        registry.unregister(theme)


def test_a_hook_overridden_without_hookimpl_answers_through_the_registry(registered):
    """Its score and derived answers reach core, instead of the base class's being hidden."""
    registry = get_registry()
    score = registry.score("scoring_theme", {"seen": AnswerValue(None, "yes")}, None)
    assert score.counts == {Rating.MET: 1}
    assert score.derived == {"times_seen": AnswerValue(None, "1")}
    problems = registry.check("scoring_theme", {}, score, None)
    assert [p.message for p in problems] == ["Say whether the child was seen"]
    assert registry.implements("scoring_theme", "careaudit_score_audit")


def test_the_hooks_it_does_not_override_are_still_the_base_classs(registered):
    registry = get_registry()
    assert registry.get("scoring_theme").title == "Scoring themed audit"
    assert registry.form("scoring_theme", None, None).sections == ScoringTheme.sections


def test_a_subclass_of_a_theme_overrides_hooks_the_same_way():
    class Stricter(ScoringTheme):
        slug = "stricter_theme"

        def careaudit_score_audit(self, answers: AnswerSet) -> Score:
            return Score(counts={Rating.NOT_MET: 1})

    score = Stricter().careaudit_score_audit({"seen": AnswerValue(None, "yes")})
    assert score.counts == {Rating.NOT_MET: 1}
    assert (
        Stricter.careaudit_score_audit.careaudit_impl == Theme.careaudit_score_audit.careaudit_impl
    )


def test_an_explicit_hookimpl_is_kept_as_written():
    class Early(Theme):
        slug = "early_theme"

        @hookimpl(tryfirst=True)
        def careaudit_score_audit(self, answers: AnswerSet) -> Score:
            return Score(counts={})

    assert Early.careaudit_score_audit.careaudit_impl["tryfirst"] is True


def test_a_misspelt_hook_method_stops_the_theme_loading_with_the_right_name():
    with pytest.raises(TypeError) as error:

        class Misspelt(Theme):
            def careaudit_scor_audit(self, answers: AnswerSet) -> Score:
                return Score(counts={})

    message = str(error.value)
    assert "Misspelt.careaudit_scor_audit is not a careaudit hook" in message
    assert "did you mean careaudit_score_audit?" in message
    assert "core/hookspecs.py" in message


def test_other_methods_are_left_alone():
    class Helpful(Theme):
        def score_note(self) -> str:
            return "not a hook"

    assert not hasattr(Helpful.score_note, "careaudit_impl")


def test_population_column_names_must_be_usable():
    with pytest.raises(TypeError, match="'Episode Reference' must be lower-case"):

        class Spaced(Theme):
            item_reference_column = "Episode Reference"

    with pytest.raises(TypeError, match="more than one column named referral_date"):

        class Twice(Theme):
            columns = (PopulationColumn("referral_date", "Date again", kind="date"),)
