"""The children's social work case file audit (Appendix 1B of the framework)."""

SLUG = "children_audit"
VERSION = "1.0"
