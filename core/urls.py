"""Addresses, built once per worker: Flask's ``url_for``, remembered.

A page builds 20-60 addresses (the navigation, assets, a link per listed row), each by
Werkzeug's URL map: about a tenth of a page's own time (issue 12). For given arguments
an address only changes with the URL map, which is fixed once the app has started, and
with the root the app is served under, so :func:`url_for` keeps each one it has built.
It leaves to Flask, unremembered, anything an address could depend on beyond those: an
``_external``, ``_anchor`` or other ``_`` option, an app or blueprint with
``url_defaults`` functions (they may add values per request), or arguments that cannot
be a key.
"""

from __future__ import annotations

from typing import Any

import flask
from flask import current_app, request

__all__ = ["url_for"]

#: Enough for every address of a busy month's pages; emptied (not evicted) when full.
KEPT = 20_000


def url_for(endpoint: str, **values: Any) -> str:
    """``flask.url_for(endpoint, **values)``, remembered within this app and worker."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not flask.has_request_context() or any(app.url_default_functions.values()):
        return flask.url_for(endpoint, **values)
    if endpoint[:1] == ".":  # relative to the blueprint of the request
        blueprint = request.blueprint
        endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
    try:
        # The type too: True == 1 and 1.0 == 1, but they make different addresses.
        key = (request.script_root, endpoint, *((k, type(v), v) for k, v in values.items()))
        kept: dict[tuple[Any, ...], str] = app.extensions["careaudit.urls"]
        address = kept.get(key)
    except TypeError:  # an argument that cannot be a key
        return flask.url_for(endpoint, **values)
    if address is None:
        if any(name[:1] == "_" for name in values):
            return flask.url_for(endpoint, **values)
        address = flask.url_for(endpoint, **values)
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = address
    return address


def init_app(app: flask.Flask) -> None:
    """Templates build addresses with :func:`url_for`; each app keeps its own."""
    app.extensions["careaudit.urls"] = {}
    app.jinja_env.globals["url_for"] = url_for
