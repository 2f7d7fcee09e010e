"""Drawing a reproducible random sample."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence

#: Seeds are kept below 2**31 so anyone can retype them in any tool.
SEED_LIMIT = 2**31


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def draw_sample(population: Sequence[str], size: int, seed: int) -> list[str]:
    """``size`` items of ``population`` chosen at random, in the order drawn.

    The same population (in any order), size and seed always give the same
    sample: the population is sorted first, so the committee can redraw it from
    the sampling log and the original file.
    """
    if not 0 < size <= len(population):
        raise ValueError(f"sample size must be between 1 and {len(population)}")
    return random.Random(seed).sample(sorted(population), size)
