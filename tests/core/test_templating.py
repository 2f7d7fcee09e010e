"""Compiled templates are kept in the instance folder and reused by the next app
(another gunicorn worker, the next test), unless the template has changed since."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from jinja2 import FileSystemLoader

from core import create_app
from core.testing.database import test_config


def _second_app(app: Flask) -> Flask:
    return create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"]))


def _refuse_to_compile(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    original = app.jinja_env.compile

    def compile_and_note(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(source, name, filename, raw, defer_init)

    monkeypatch.setattr(app.jinja_env, "compile", compile_and_note)
    return compiled


def test_a_page_renders_from_the_templates_another_app_compiled(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.test_client().get("/sign-in").status_code == 200
    assert list((Path(app.instance_path) / "template-cache").iterdir())

    second = _second_app(app)
    compiled = _refuse_to_compile(second, monkeypatch)
    with second.app_context():
        response = second.test_client().get("/sign-in")
    assert response.status_code == 200
    assert "Sign in" in response.get_data(as_text=True)
    assert compiled == []


def test_a_changed_template_is_compiled_again(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    page = folder / "note.html"
    page.write_text("First {{ word }}")
    monkeypatch.setattr(app.jinja_env, "loader", FileSystemLoader(folder))
    with app.test_request_context():
        assert app.jinja_env.get_template("note.html").render(word="draft") == "First draft"

    page.write_text("Second {{ word }}")
    second = _second_app(app)
    monkeypatch.setattr(second.jinja_env, "loader", FileSystemLoader(folder))
    compiled = _refuse_to_compile(second, monkeypatch)
    with second.test_request_context():
        assert second.jinja_env.get_template("note.html").render(word="draft") == "Second draft"
    assert compiled == ["note.html"]


def test_an_unwritable_instance_folder_compiles_as_before(tmp_path: Path) -> None:
    """Jinja would fail a page on a cache it cannot write, so there is none."""
    from core.templating import init_templating

    not_a_folder = tmp_path / "instance"
    not_a_folder.write_text("")  # the cache's folder cannot be made inside a file
    second = Flask("core", instance_path=str(not_a_folder))
    init_templating(second)
    assert second.jinja_env.bytecode_cache is None
