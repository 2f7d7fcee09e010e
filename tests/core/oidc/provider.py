"""A small OpenID Connect provider for the tests, standing in for the council's Entra ID.

It serves on 127.0.0.1 (a free port, a thread) what careaudit uses of a real one: the
discovery document, the signing keys (JWKS), an authorisation endpoint that approves
whoever the test says has signed in, and a token endpoint that checks the code, the
client secret and the PKCE verifier before it returns an RS256-signed id token with
the nonce. Tests bend its answers (a wrong nonce, audience or issuer, an expired or
tampered token, an error) to show careaudit refuses each.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from flask import Flask, abort, jsonify, redirect, request
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response

CLIENT_ID = "careaudit-test-client"
CLIENT_SECRET = "provider-test-secret"
KEY_ID = "provider-key-1"


@dataclass
class Grant:
    """An authorisation code waiting to be exchanged."""

    redirect_uri: str
    nonce: str | None
    challenge: str
    identity: dict[str, Any]


@dataclass
class Behaviour:
    """How the provider answers the next sign-in; reset before every test."""

    #: Claims about the person who signs in at the provider (``None`` drops a claim).
    #: Without a ``sub``, each address gets a subject of its own, as each person does.
    identity: dict[str, Any] = field(default_factory=lambda: {"email": "worker@test.example"})
    #: Claims of the id token to replace (``None`` drops one): nonce, aud, exp, iss ...
    changes: dict[str, Any] = field(default_factory=dict)
    #: "payload": the token's claims altered after signing; "key": signed with a key the
    #: provider does not publish.
    tamper: str | None = None
    #: The authorisation endpoint answers with this OAuth error instead of a code.
    error: str | None = None


def subject_for(identity: dict[str, Any]) -> dict[str, Any]:
    """The identity's claims, with a ``sub`` made from its address when the test gave none."""
    named = identity.get("email") or identity.get("preferred_username") or identity.get("upn")
    return {"sub": f"subject-of-{str(named).lower()}", **identity}


class TestProvider:
    """The provider and the server it runs on."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID}, private=True)
        # Same key id, different key: a forger who knows which key the provider uses.
        self.forger_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID}, private=True)
        self.behaviour = Behaviour()
        self.grants: dict[str, Grant] = {}
        self.token_requests: list[dict[str, str]] = []
        self._server = make_server("127.0.0.1", 0, self._wsgi_app(), threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> TestProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def reset(self) -> None:
        self.behaviour = Behaviour()
        self.grants.clear()
        self.token_requests.clear()

    # -- the id token ---------------------------------------------------------------

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **grant.identity,
        }
        claims.update(self.behaviour.changes)
        claims = {name: value for name, value in claims.items() if value is not None}
        header = {"alg": "RS256", "kid": KEY_ID}
        key = self.forger_key if self.behaviour.tamper == "key" else self.key
        token = jwt.encode(header, claims, key)
        if self.behaviour.tamper == "payload":
            # Someone on the way changes who the token names, keeping the signature.
            head, _, signature = token.split(".")
            forged = {**claims, "email": "admin@test.example"}
            body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
            token = f"{head}.{body}.{signature}"
        return token

    # -- the endpoints --------------------------------------------------------------

    def _wsgi_app(self) -> Flask:
        app = Flask("test_provider")

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Response:
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["pairwise"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
                scopes_supported=["openid", "email", "profile"],
            )

        @app.get("/jwks")
        def jwks() -> Response:
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize() -> Response:
            args = request.args
            if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
                abort(400)
            if "openid" not in args.get("scope", "").split():
                abort(400)
            if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
                abort(400)  # careaudit must always use PKCE
            redirect_uri = args["redirect_uri"]
            answer = {"state": args.get("state", "")}
            if self.behaviour.error:
                answer["error"] = self.behaviour.error
            else:
                code = secrets.token_urlsafe(16)
                self.grants[code] = Grant(
                    redirect_uri=redirect_uri,
                    nonce=args.get("nonce"),
                    challenge=args["code_challenge"],
                    identity=subject_for(self.behaviour.identity),
                )
                answer["code"] = code
            return redirect(f"{redirect_uri}?{urlencode(answer)}")

        @app.post("/token")
        def token() -> tuple[Response, int] | Response:
            form = request.form
            self.token_requests.append(dict(form))
            client_id, secret = form.get("client_id"), form.get("client_secret")
            if request.authorization is not None:
                client_id = request.authorization.username
                secret = request.authorization.password
            if client_id != CLIENT_ID or secret != CLIENT_SECRET:
                return jsonify(error="invalid_client"), 401
            grant = self.grants.pop(form.get("code", ""), None)  # a code works once
            if form.get("grant_type") != "authorization_code" or grant is None:
                return jsonify(error="invalid_grant"), 400
            if form.get("redirect_uri") != grant.redirect_uri:
                return jsonify(error="invalid_grant"), 400
            verifier = form.get("code_verifier", "").encode()
            digest = hashlib.sha256(verifier).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
                return jsonify(error="invalid_grant", error_description="PKCE"), 400
            return jsonify(
                access_token=secrets.token_urlsafe(24),
                token_type="Bearer",
                expires_in=3600,
                id_token=self.id_token(grant),
            )

        return app


def through_provider(client: FlaskClient, start: str = "/sign-in/oidc") -> TestResponse:
    """Start signing in on careaudit, let the provider answer as a browser would follow
    its redirect, and bring the answer back to careaudit's callback."""
    started = client.get(start)
    assert started.status_code == 302, started.status_code
    answer = requests.get(started.location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/sign-in/oidc/callback"
    return client.get(f"{back.path}?{back.query}")
