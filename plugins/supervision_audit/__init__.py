"""The supervision audit: the regularity and quality of a member of staff's supervision."""

SLUG = "supervision_audit"
VERSION = "1.0"
