"""careaudit core: users, roles, services and teams, cases, audits and the tool contract."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the careaudit application.

    Configuration: defaults from the environment (``core.config``), then
    ``test_config``. The schema comes from migrations (``careaudit db upgrade``).
    """
    from core import access, config, heap, jobs, notify, security, sessions, trail, views
    from core.extensions import csrf, db, limiter, login_manager, mail, migrate
    from core.routing import LazyBuildRule
    from core.templating import init_templating
    from core.tools import registry

    instance_path = Path(os.environ.get("CAREAUDIT_INSTANCE_PATH", PROJECT_ROOT / "instance"))
    app = Flask(
        "core",
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.url_rule_class = LazyBuildRule
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    mail.init_app(app)

    trail.init_app(app)  # before access: a refused request still gets a request id
    registry.init_app(app)
    jobs.init_app(app)
    notify.init_app(app)
    init_templating(app)
    views.register_blueprints(app)
    # Connects the report tally's receiver to audit_submitted (core.reports.summary).
    from core.reports import summary  # noqa: F401

    access.init_app(app)
    security.init_app(app)
    from core.mfa import policy as mfa_policy

    mfa_policy.check_settings(app)

    from core import cli

    cli.register_commands(app)
    heap.settle(app)  # last: what the app made at start-up stays for good
    return app
