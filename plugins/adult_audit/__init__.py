"""The adult social care case file audit: 14 standards from the Care Act 2014 and the MCA 2005."""

SLUG = "adult_audit"
VERSION = "1.0"
