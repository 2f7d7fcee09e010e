"""A served app keeps what it made at start-up out of the garbage collector's walks."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from flask import Flask

from core import heap


@pytest.fixture
def thawed() -> Iterator[None]:
    """Whatever a test freezes is put back in the collector's sight after it."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_served_app_freezes_every_object_made_so_far(thawed: None):
    app = Flask(__name__)

    heap.settle(app)

    assert gc.get_freeze_count() > 1000  # the modules, classes and functions loaded


def test_what_start_up_left_in_cycles_is_collected_not_frozen(thawed: None):
    class Node:
        me: Node

    app = Flask(__name__)
    gc.disable()  # no automatic collection may find it first
    try:
        cycle = Node()
        cycle.me = cycle
        left = weakref.ref(cycle)
        del cycle  # garbage that only a collection finds

        heap.settle(app)

        assert left() is None
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "config", [{"TESTING": True}, {"FREEZE_STARTUP_OBJECTS": False}], ids=["tests", "turned off"]
)
def test_nothing_is_frozen_under_tests_or_when_turned_off(thawed: None, config: dict[str, bool]):
    app = Flask(__name__)
    app.config.update(config)

    heap.settle(app)

    assert gc.get_freeze_count() == 0
