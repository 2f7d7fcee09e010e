"""Themed audits: one issue looked at hard, on a random sample (report, lines 188-234).

A theme is a plugin built from :class:`Theme`: its population's columns, its
questions and its headline findings. This package also provides the pages
every theme shares (population upload, sampling, allocation). See
docs/writing-a-themed-audit.md.
"""

from plugins.themed_audits.theme import (
    CensusSource,
    CrossTab,
    Finding,
    PopulationColumn,
    RowError,
    Theme,
)

__all__ = ["CensusSource", "CrossTab", "Finding", "PopulationColumn", "RowError", "Theme"]
