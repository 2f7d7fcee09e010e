"""HTTP response headers that keep sensitive pages where they belong.

A handful of fixed headers, so written here rather than pulled in from a
library: pages are never cached (they show case-level data), never framed,
and may load scripts and styles from this site only (the GOV.UK ``js-enabled``
snippet is a static file, so no inline script needs a nonce).
"""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from core import inputs

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


#: Browser features careaudit never uses, switched off for its pages and anything in them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

#: Upload pages that take files up to IMPORT_MAX_BYTES, above the app-wide limit.
LARGE_UPLOAD_ENDPOINTS = frozenset({"imports.upload", "imports.edit_mapping"})
#: Room for the form's other fields and the multipart framing around the file.
UPLOAD_MARGIN_BYTES = 1024 * 1024


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    # A page opened from careaudit (or opening it) gets no handle on its window.
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    hsts = current_app.config.get("HSTS_SECONDS", 0)
    if current_app.config.get("SESSION_COOKIE_SECURE") and hsts:
        # Served over HTTPS (Secure cookies say so): browsers must not fall back to HTTP.
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
    if request.endpoint != "static":
        # Case-level pages must not linger in shared or browser caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def allow_large_uploads() -> None:
    """``before_request``: the import upload pages may send files up to IMPORT_MAX_BYTES.

    It runs before anything reads the body, which Werkzeug checks against this limit.
    """
    if request.endpoint in LARGE_UPLOAD_ENDPOINTS:
        limit = current_app.config["IMPORT_MAX_BYTES"] + UPLOAD_MARGIN_BYTES
        request.max_content_length = limit


def is_development(app: Flask) -> bool:
    """The development server (``careaudit run``, any Flask command), debug mode or tests."""
    return app.debug or app.testing or os.environ.get("FLASK_RUN_FROM_CLI") == "true"


def secure_cookies_by_default(app: Flask) -> None:
    """Secure cookies unless set otherwise, or while developing over http://127.0.0.1.

    Production serves ``core:create_app()`` through gunicorn behind HTTPS, never
    through the Flask command line, so it gets Secure cookies (and HSTS) by default.
    """
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = not is_development(app)


def trust_proxies(app: Flask) -> None:
    """Read the user's address, scheme and host from the proxies in front (ProxyFix)."""
    count = app.config.get("TRUSTED_PROXIES", 0)
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def init_app(app: Flask) -> None:
    secure_cookies_by_default(app)
    trust_proxies(app)
    inputs.init_app(app)
    # Before the NUL check that inputs puts first: that check reads the body.
    app.before_request_funcs[None].insert(0, allow_large_uploads)
    app.after_request(add_security_headers)
