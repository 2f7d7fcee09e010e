"""report_summary: per-audit counts pre-aggregated for reports; the audit's case category

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# The tally is derived data; this fills it for the audits already submitted, with the
# same counts as ``careaudit reports rebuild`` (core/reports/summary.py) except the
# values of choice and number questions, which need the tools' forms: run
# ``careaudit reports rebuild`` after upgrading. Plain SQL here so the migration never changes when the
# application code does.
_COLUMNS = "tool, team_id, service_id, month, kind, category, axis, measure, value, n"
_KEY = "tool, service_id, month, kind, category, axis, measure, value"


def _fill(bind) -> None:
    if bind.dialect.name == "postgresql":
        month = "CAST(date_trunc('month', a.audit_date) AS DATE)"
    else:
        month = "date(a.audit_date, 'start of month')"
    place = f"a.tool, COALESCE(a.team_id, 0), a.service_id, {month}, a.kind, COALESCE(a.category, '')"
    group = f"GROUP BY a.tool, COALESCE(a.team_id, 0), a.service_id, {month}, a.kind, COALESCE(a.category, '')"
    submitted = "a.status = 'submitted'"
    for statement in (
        f"SELECT {place}, 'audit', '', '', COUNT(*) FROM audit a WHERE {submitted} {group}",
        f"SELECT {place}, 'rating', '', a.overall_rating, COUNT(*) FROM audit a "
        f"WHERE {submitted} AND a.overall_rating IS NOT NULL {group}, a.overall_rating",
        f"SELECT {place}, 'grade', '', a.grade, COUNT(*) FROM audit a "
        f"WHERE {submitted} AND a.grade IS NOT NULL {group}, a.grade",
        f"SELECT {place}, 'answer', r.question, r.rating, COUNT(*) FROM audit a "
        f"JOIN answer r ON r.audit_id = a.id "
        f"WHERE {submitted} AND r.rating IS NOT NULL {group}, r.question, r.rating",
        # The service grain from the team grain, then the council grain from the service's.
        f"SELECT tool, -1, service_id, month, kind, category, axis, measure, value, SUM(n) "
        f"FROM report_tally WHERE team_id >= 0 GROUP BY {_KEY}",
        f"SELECT tool, -1, 0, month, kind, category, axis, measure, value, SUM(n) "
        f"FROM report_tally WHERE team_id = -1 GROUP BY tool, month, kind, category, axis, measure, value",
    ):
        bind.execute(sa.text(f"INSERT INTO report_tally ({_COLUMNS}) {statement}"))


def upgrade():
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=40), nullable=True))
    # The category as at the audit, for audits made before it was kept: the case's
    # category now is the best there is.
    op.execute(
        "UPDATE audit SET category = "
        "(SELECT case_file.category FROM case_file WHERE case_file.id = audit.case_id) "
        "WHERE case_id IS NOT NULL"
    )
    op.create_table('report_tally',
    sa.Column('tool', sa.String(length=60), nullable=False),
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('line_management', 'independent', 'self_audit', 'senior_sample', name='auditkind', native_enum=False, create_constraint=False, length=40), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('axis', sa.Enum('audit', 'rating', 'grade', 'answer', 'value', name='tallyaxis', native_enum=False, create_constraint=False, length=40), nullable=False),
    sa.Column('measure', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=60), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tool', 'team_id', 'service_id', 'month', 'kind', 'category', 'axis', 'measure', 'value', name=op.f('pk_report_tally'))
    )
    _fill(op.get_bind())


def downgrade():
    op.drop_table('report_tally')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_column('category')
