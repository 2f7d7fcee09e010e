"""A local identity provider for the OpenID Connect tests, and an app that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.core.oidc.provider import CLIENT_ID, CLIENT_SECRET, TestProvider


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[TestProvider]:
    """One provider for the whole run: making its RSA keys is the slow part."""
    provider = TestProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(identity_provider: TestProvider) -> TestProvider:
    identity_provider.reset()
    return identity_provider


@pytest.fixture
def oidc_app(app: Flask, provider: TestProvider) -> Flask:
    """The test app, set up to sign in through the local provider (passwords still on)."""
    app.config.update(
        OIDC_ISSUER=provider.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
    )
    return app
