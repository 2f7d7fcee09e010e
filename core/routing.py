"""URL rules that write their URL-building code when first asked to build a URL.

werkzeug writes and compiles two small Python functions for every rule as the rule is
added (about 0.5 ms each): with some 110 routes that is most of the time
:func:`core.create_app` takes. A worker builds URLs for a few of its routes at a time,
and the test suite builds an app per test, so the functions are written on first use
instead. Matching requests is unchanged: it never used them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    """A :class:`werkzeug.routing.Rule` whose URL builders are compiled on first use."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_now = super()._compile_builder
        # werkzeug binds what this returns to the rule as ``_build`` (False) or
        # ``_build_unknown`` (True); the first call puts the real builder there.
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_first(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            builder = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(*args, **kwargs)  # type: ignore[no-any-return]

        return build_first
