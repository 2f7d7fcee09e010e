"""The reference app of the page benchmark (issue 12): what a plain Flask page costs.

A minimal Flask + Flask-SQLAlchemy + Flask-Login app over careaudit's own database:
one page behind sign-in that lists the signed-in user's 50 latest submitted audits
joined to their case file (an indexed query: migration 0018's index on auditor,
status and submission time), rendered by a Jinja template. Sessions are Flask's
signed cookie; passwords are checked with argon2, as careaudit's are.

bench/page_bench.py serves it with gunicorn, with the same worker settings as
careaudit, and reports each careaudit page's requests per second as a share of
this page's. To try it by hand:

  BENCH_DATABASE_URL=sqlite:////tmp/careaudit-bench-100k.sqlite3 SECRET_KEY=x \\
      .venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8001 'bench.reference_app:create_app()'
  then sign in at /sign-in with a generated account (bench/generate_audits.py's PASSWORD)
  and open /.
"""

from __future__ import annotations

import os
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, redirect, render_template_string, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))


class Case(db.Model):  # type: ignore[name-defined]
    __tablename__ = "case_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    initials: Mapped[str | None] = mapped_column(String(8))


class Audit(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    tool: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime | None]
    overall_rating: Mapped[str | None] = mapped_column(String(32))
    case: Mapped[Case | None] = relationship(lazy="joined", innerjoin=False)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your latest audits</title></head>
<body><main>
<h1>Your latest audits, {{ user.name }}</h1>
<table>
<thead><tr><th>Case</th><th>Tool</th><th>Submitted</th><th>Rating</th></tr></thead>
<tbody>
{% for audit in audits %}
<tr>
<td>{% if audit.case %}<a href="/cases/{{ audit.case.id }}">{{ audit.case.reference }}</a>
 ({{ audit.case.initials }}){% else %}Staff record{% endif %}</td>
<td>{{ audit.tool|replace("_", " ")|capitalize }}</td>
<td>{{ audit.submitted_at.strftime("%d %B %Y") if audit.submitted_at else "" }}</td>
<td>{{ (audit.overall_rating or "not rated")|replace("_", " ") }}</td>
</tr>
{% endfor %}
</tbody></table>
</main></body></html>
"""

SIGN_IN = """<!doctype html><html lang="en"><head><title>Sign in</title></head><body>
<form method="post"><input name="email"><input name="password" type="password">
<button>Sign in</button></form>{% if error %}<p>{{ error }}</p>{% endif %}</body></html>"""

_hasher = PasswordHasher()


def _database_url() -> str:
    url = os.environ["BENCH_DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "reference"),
        SQLALCHEMY_DATABASE_URI=_database_url(),
    )
    db.init_app(app)
    login = LoginManager(app)
    login.login_view = "sign_in"

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    @app.route("/sign-in", methods=["GET", "POST"])
    def sign_in() -> object:
        if request.method == "POST":
            user = db.session.scalar(select(User).where(User.email == request.form["email"]))
            try:
                ok = user is not None and _hasher.verify(
                    user.password_hash or "", request.form["password"]
                )
            except (InvalidHashError, VerificationError):
                ok = False
            if ok:
                login_user(user)
                return redirect("/")
            return render_template_string(SIGN_IN, error="Wrong email or password"), 400
        return render_template_string(SIGN_IN, error=None)

    @app.route("/")
    @login_required
    def latest() -> str:
        audits = db.session.scalars(
            select(Audit)
            .where(Audit.auditor_id == current_user.id, Audit.status == "submitted")
            .order_by(Audit.submitted_at.desc())
            .limit(50)
        ).all()
        return render_template_string(PAGE, user=current_user, audits=audits)

    return app
