"""URL rules compile their URL builders on first use (core.routing), and build the same
URLs werkzeug's own rules do."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Map, Rule

from core.routing import LazyBuildRule


def _maps() -> tuple[Map, Map]:
    def rules(kind: type[Rule]) -> list[Rule]:
        return [
            kind("/", endpoint="home"),
            kind("/cases/<int:case_id>", endpoint="case"),
            kind("/reports/", defaults={"view": "results"}, endpoint="report"),
            kind("/reports/<view>", endpoint="report"),
            kind("/files/<path:name>", endpoint="file"),
        ]

    return Map(rules(Rule)), Map(rules(LazyBuildRule))


def test_urls_are_built_exactly_as_werkzeug_builds_them() -> None:
    plain, lazy = _maps()
    cases = [
        ("home", {}),
        ("case", {"case_id": 42}),
        ("case", {"case_id": 42, "tab": "audits", "page": 2}),  # the rest as a query
        ("report", {}),
        ("report", {"view": "trend"}),
        ("report", {"view": "trend", "unit": "month"}),
        ("file", {"name": "a folder/a file é.pdf"}),
    ]
    for endpoint, values in cases:
        expected = plain.bind("example.org").build(endpoint, values)
        built = lazy.bind("example.org").build(endpoint, values)
        assert built == expected, (endpoint, values)
        # Built a second time, from the compiled builder the first call left behind.
        assert lazy.bind("example.org").build(endpoint, values) == expected


def test_a_rule_compiles_its_builder_only_when_first_asked() -> None:
    _, lazy = _maps()
    rule = next(r for r in lazy.iter_rules() if r.endpoint == "case")
    # Maps build with unknown values appended as a query string (``_build_unknown``).
    assert rule._build_unknown.__name__ == "build_first"
    assert rule._build.__name__ == "build_first"
    lazy.bind("example.org").build("case", {"case_id": 1})
    assert rule._build_unknown.__name__ != "build_first"  # werkzeug's own builder now
    assert rule._build.__name__ == "build_first"  # not needed yet, not compiled


def test_the_app_routes_and_builds_urls_with_lazy_rules(app: Flask) -> None:
    assert app.url_rule_class is LazyBuildRule
    assert all(
        isinstance(rule, LazyBuildRule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    )
    with app.test_request_context():
        from flask import url_for

        assert url_for("cases.show", case_id=7, tab="audits") == "/cases/7?tab=audits"
