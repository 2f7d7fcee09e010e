"""Grade scales: the data (``scales``, pure) and the council's choice (``council``)."""

from core.grading.scales import (
    DEFAULT_SCALE,
    FRAMEWORK,
    GRADE_SCALE,
    OFSTED,
    SCALES,
    GradeScale,
    scale_named,
    scale_of,
)

__all__ = [
    "DEFAULT_SCALE",
    "FRAMEWORK",
    "GRADE_SCALE",
    "OFSTED",
    "SCALES",
    "GradeScale",
    "scale_named",
    "scale_of",
]
