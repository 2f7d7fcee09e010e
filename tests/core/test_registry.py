"""Loading tools: explicit built-ins, entry points, duplicate slugs, misspelt hooks."""

from __future__ import annotations

import importlib.metadata

import pluggy
import pytest

from core import create_app
from core.tools import ToolInfo, hookimpl
from core.tools import registry as registry_module
from core.tools.registry import ToolError, ToolRegistry, get_registry, make_plugin_manager
from tests.conftest import test_config


class Impostor:
    """Declares the same slug as the built-in children's audit."""

    @hookimpl
    def careaudit_tool(self) -> ToolInfo:
        return ToolInfo(
            slug="children_audit", title="Impostor", version="9", directorates=("children",)
        )


class Misspelt:
    @hookimpl
    def careaudit_tol(self) -> ToolInfo:  # a typo for careaudit_tool
        raise AssertionError("never called")


def test_builtin_tools_are_registered_explicitly():
    """The children's and adults' audits load without any entry point installed."""
    registry = ToolRegistry(make_plugin_manager(load_entry_points=False))
    assert [tool.slug for tool in registry.all()] == [
        "adult_audit",
        "children_audit",
        "rereferral_theme",
        "supervision_audit",
    ]


def test_duplicate_slugs_stop_start_up():
    """Two tools with one slug are an error, naming both plugins."""
    pm = make_plugin_manager(load_entry_points=False)
    pm.register(Impostor(), name="impostor")
    with pytest.raises(ToolError, match="children_audit"):
        ToolRegistry(pm)


def test_misspelt_hook_is_caught_by_check_pending():
    """check_pending() refuses a hook implementation that matches no spec."""
    pm = make_plugin_manager(load_entry_points=False)
    pm.register(Misspelt(), name="misspelt")
    with pytest.raises(pluggy.PluginValidationError):
        pm.check_pending()


def _fake_entry_points(*points: importlib.metadata.EntryPoint):
    def entry_points(group: str):
        return [p for p in points if p.group == group]

    return entry_points


def test_tools_load_from_the_entry_point_group(monkeypatch):
    """A tool installed under careaudit.tools is registered under its entry-point name."""
    point = importlib.metadata.EntryPoint(
        name="impostor_named_right",
        value="tests.core.test_registry:RENAMED",
        group="careaudit.tools",
    )
    monkeypatch.setattr(
        registry_module.importlib.metadata, "entry_points", _fake_entry_points(point)
    )
    pm = make_plugin_manager(load_entry_points=True)
    assert pm.get_plugin("impostor_named_right") is RENAMED
    assert "renamed_tool" in ToolRegistry(pm)


def test_entry_point_clashing_with_builtin_is_an_error(monkeypatch, database_url):
    """An installed tool named like a built-in stops the app at start-up."""
    point = importlib.metadata.EntryPoint(
        name="children_audit", value="tests.core.test_registry:Impostor", group="careaudit.tools"
    )
    monkeypatch.setattr(
        registry_module.importlib.metadata, "entry_points", _fake_entry_points(point)
    )
    with pytest.raises(ToolError, match="same name"):
        create_app({**test_config(database_url), "LOAD_ENTRY_POINT_TOOLS": True})


def test_each_app_has_its_own_plugin_manager(database_url):
    """Registering a tool in one app does not leak into another."""
    first = create_app(test_config(database_url))
    second = create_app(test_config(database_url))
    get_registry(first).register(RENAMED, name="renamed")
    assert "renamed_tool" in get_registry(first)
    assert "renamed_tool" not in get_registry(second)


class _Renamed:
    @hookimpl
    def careaudit_tool(self) -> ToolInfo:
        return ToolInfo(slug="renamed_tool", title="Renamed", version="1", directorates=("adults",))


RENAMED = _Renamed()


def test_bad_slug_is_refused():
    """Slugs are the same string everywhere, so they must be simple."""
    with pytest.raises(ValueError, match="slug"):
        ToolInfo(slug="Bad Slug", title="x", version="1", directorates=("children",)).check()
