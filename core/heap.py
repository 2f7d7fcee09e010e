"""Keep the garbage collector off the objects a worker makes once and keeps for good.

Building the app imports every module, maps every model and registers every tool:
about 200,000 objects that live as long as the worker does. Python's collector still
walks all of them in each full collection, which on a web worker comes every few
hundred requests and takes a tenth of a second: about 4 % of a page's time on average,
all of it in the one request that happens to trigger it (issue 12). ``gc.freeze()``
moves every object tracked so far out of the collector's sight; objects made later
are collected as before, and a frozen object that stops being used is still freed
when nothing refers to it (only reference cycles among frozen objects are kept).

Not under tests: a test run builds hundreds of apps in one process, and what each
leaves behind in cycles would never be collected.
"""

from __future__ import annotations

import gc

from flask import Flask


def settle(app: Flask) -> None:
    """Once the app is built: collect what start-up left behind, then freeze the rest
    (``FREEZE_STARTUP_OBJECTS``, on except under tests)."""
    if app.testing or not app.config.get("FREEZE_STARTUP_OBJECTS", True):
        return
    gc.collect()
    gc.freeze()
