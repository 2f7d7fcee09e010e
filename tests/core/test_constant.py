"""The code's own values written into SQL as literals (core.models._types.constant)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.extensions import db
from core.models import Audit, AuditStatus
from core.models._types import constant


def test_each_kind_of_value_reads_as_the_literal_it_is():
    assert str(constant(AuditStatus.DRAFT)) == "'draft'"
    assert str(constant(20)) == "20"
    assert str(constant(date(2025, 12, 4))) == "'2025-12-04'"


def test_a_quote_cannot_end_the_literal():
    assert str(constant("it's")) == "'it''s'"  # type: ignore[arg-type]


def test_a_statement_with_constants_binds_no_parameter_for_them(app):
    statement = select(Audit.id).where(Audit.status == constant(AuditStatus.DRAFT))
    assert statement.compile(db.engine).params == {}
    assert db.session.execute(statement.limit(constant(1))).all() == []
