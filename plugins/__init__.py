"""Audit tools shipped with careaudit. Each sub-package is one pluggy plugin."""
