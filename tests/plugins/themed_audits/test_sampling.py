"""Samples are random, and reproducible from the recorded seed."""

from __future__ import annotations

import pytest

from plugins.themed_audits.sampling import draw_sample

POPULATION = [f"R{n:04d}" for n in range(276)]


def test_same_seed_same_population_gives_the_same_sample():
    assert draw_sample(POPULATION, 125, 20111123) == draw_sample(POPULATION, 125, 20111123)


def test_the_order_of_the_file_does_not_change_the_sample():
    shuffled = list(reversed(POPULATION))
    assert draw_sample(shuffled, 125, 7) == draw_sample(POPULATION, 125, 7)


def test_a_different_seed_gives_a_different_sample():
    assert draw_sample(POPULATION, 125, 1) != draw_sample(POPULATION, 125, 2)


def test_sample_is_drawn_without_repeats():
    sample = draw_sample(POPULATION, 125, 3)
    assert len(set(sample)) == 125 and set(sample) <= set(POPULATION)


@pytest.mark.parametrize("size", [0, 277])
def test_sample_size_must_fit_the_population(size):
    with pytest.raises(ValueError, match="between 1 and 276"):
        draw_sample(POPULATION, size, 1)
