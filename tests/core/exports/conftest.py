"""Exports render a document without a database: an app context is all they need."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from core import create_app
from core.exports.document import Document
from tests.conftest import test_config
from tests.core.exports.sample import sample_document


@pytest.fixture(scope="module")
def render_app() -> Iterator[Flask]:
    """An app for its templates only (render_template needs an app context); no tables."""
    app = create_app(test_config("sqlite://"))
    with app.app_context():
        yield app


@pytest.fixture
def document() -> Document:
    return sample_document()
