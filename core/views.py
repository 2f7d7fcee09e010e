"""Blueprint registration and the app's error pages."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def register_blueprints(app: Flask) -> None:
    from core.accounts.views import bp as accounts_bp
    from core.actions.views import bp as actions_bp
    from core.admin.views import bp as admin_bp
    from core.audits.views import bp as audits_bp
    from core.auth.views import bp as auth_bp
    from core.cases.views import bp as cases_bp
    from core.committee.narrative_page import bp as narrative_bp
    from core.committee.views import bp as committee_bp
    from core.concerns.views import bp as concerns_bp
    from core.feedback.views import bp as feedback_bp
    from core.home.views import bp as home_bp
    from core.imports.views import bp as imports_bp
    from core.messages.views import bp as messages_bp
    from core.mfa.views import bp as mfa_bp
    from core.moderation.views import bp as moderation_bp
    from core.oidc.views import admin_bp as oidc_admin_bp
    from core.oidc.views import bp as oidc_bp
    from core.programme.views import bp as programme_bp
    from core.reports.views import bp as reports_bp
    from core.staff.views import bp as staff_bp
    from core.tools.registry import get_registry
    from core.trail.views import bp as trail_bp

    for blueprint in (
        auth_bp,
        home_bp,
        cases_bp,
        staff_bp,
        audits_bp,
        reports_bp,
        admin_bp,
        imports_bp,
        programme_bp,
        trail_bp,
        messages_bp,
        accounts_bp,
        actions_bp,
        mfa_bp,
        oidc_bp,
        oidc_admin_bp,
        feedback_bp,
        concerns_bp,
        moderation_bp,
        narrative_bp,
        committee_bp,
    ):
        app.register_blueprint(blueprint)
    # The history panel on every audit page (it has no pages of its own).
    import core.history  # noqa: F401

    # Pages of the plugins' own (e.g. a themed audit's sampling pages).
    for blueprint in get_registry(app).blueprints():
        app.register_blueprint(blueprint)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        # Usually a page left open past the session's life: say so plainly.
        return (
            render_template(
                "errors/error.html",
                title="Your page has expired",
                message="The page was open for too long, so for your security we could not "
                "accept what you sent. Go back, reload the page and try again.",
            ),
            400,
        )

    @app.errorhandler(413)
    def too_large(error: HTTPException) -> tuple[str, int]:
        # Werkzeug stops reading at the limit, so a huge upload costs no more than that.
        from flask import current_app, request

        from core.security import LARGE_UPLOAD_ENDPOINTS

        upload = request.endpoint in LARGE_UPLOAD_ENDPOINTS
        limit = current_app.config["IMPORT_MAX_BYTES" if upload else "MAX_CONTENT_LENGTH"]
        shown = f"{limit / (1024 * 1024):g} MB"
        return (
            render_template(
                "errors/error.html",
                title="The file is too large",
                message=f"The file must be smaller than {shown}. "
                + (
                    "Split it into smaller files, or ask your system administrator "
                    "to raise the import limit."
                    if upload
                    else "Go back and choose a smaller file."
                ),
            ),
            413,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        titles = {
            403: "You do not have access to this page",
            404: "Page not found",
            405: "Page not found",
            429: "Too many attempts",
        }
        messages = {
            403: "Your role does not give you access to this page. If you think it should, "
            "contact your system administrator.",
            404: "If you typed the web address, check it is correct. If you pasted it, check "
            "you copied the entire address.",
            405: "If you typed the web address, check it is correct.",
            429: "You have tried too many times. Wait a minute, then try again.",
        }
        code = error.code or 500
        return (
            render_template(
                "errors/error.html",
                title=titles.get(code, "Sorry, there is a problem with the service"),
                message=messages.get(code, error.description),
            ),
            code,
        )
