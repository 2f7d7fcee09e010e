"""The schema comes from migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.extensions import db


def test_migrations_match_the_models(app):
    """After `careaudit db upgrade`, the database has exactly what the models declare."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_categories_become_rows_and_existing_cases_keep_their_history(tmp_path):
    """Upgrading a 0004 database: categories, weights, history and audit credit carry over."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from core import create_app
    from tests.conftest import test_config

    app = create_app(test_config(f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"))
    with app.app_context():
        upgrade(revision="0004")
        statements = [
            "INSERT INTO directorate (id, code, name) VALUES (1, 'children', 'Children')",
            "INSERT INTO service (id, directorate_id, name, active) VALUES (1, 1, 'CIN', 1)",
            "INSERT INTO team (id, service_id, name, active) VALUES (1, 1, 'North', 1)",
            "INSERT INTO user_account (id, email, name, role, team_id, password_hash, active, "
            "created_at) VALUES (1, 'w@x.example', 'W', 'social_worker', 1, 'x', 1, "
            "'2026-01-01'), (2, 'm@x.example', 'M', 'team_manager', 1, 'x', 1, '2026-01-01')",
            "INSERT INTO case_file (id, reference, service_id, team_id, allocated_worker_id, "
            "category, is_open, opened_on) VALUES (1, 'C1', 1, 1, 1, 'looked_after', 1, "
            "'2025-04-01')",
            "INSERT INTO audit (id, tool, form_version, case_id, facts, service_id, team_id, "
            "auditor_id, kind, status, audit_date, created_at, updated_at, version) VALUES "
            "(1, 'children_audit', '1.0', 1, '{}', 1, 1, 2, 'line_management', 'submitted', "
            "'2026-02-01', '2026-02-01', '2026-02-01', 1)",
            "INSERT INTO audit_rule (id, service_id, auditor_role, tool, quantity, frequency, "
            "pool, independent, high_risk_weight, months_between, active, updated_at) VALUES "
            "(1, 1, 'team_manager', 'children_audit', 3, 'monthly', 'team', 0, 3.0, 12, 1, "
            "'2026-01-01')",
        ]
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()

        upgrade()
        categories = dict(
            db.session.execute(text("SELECT code, risk_weight FROM case_category")).all()
        )
        assert len(categories) == 11
        assert categories["looked_after"] == categories["child_protection"] == 3.0
        assert categories["child_in_need"] == 1.0
        assert (
            db.session.execute(
                text("SELECT count(*) FROM directorate WHERE code = 'adults'")
            ).scalar()
            == 1
        )
        assert db.session.execute(
            text(
                "SELECT case_id, team_id, worker_id, category, started_on, ended_on "
                "FROM case_assignment"
            )
        ).all() == [(1, 1, 1, "looked_after", "2025-04-01", None)]
        assert db.session.execute(text("SELECT worker_id FROM audit")).scalar() == 1
        assert db.session.execute(text("SELECT listed_category FROM case_file")).scalar() == (
            "looked_after"
        )

        downgrade(revision="0004")
        db.session.remove()
        db.engine.dispose()
