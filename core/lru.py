"""Values kept by each worker across requests, the least recently used dropped first.

The report's tally reads (``core.tools.reporting``) and its rendered sections
(``core.reports.kept``) are each kept under keys that name the version of what they were
read from, so an entry is never wrong, only unused once its version has passed. What
bounds them is room: each entry has a size (rows, characters), and once the sizes add up
to more than the limit the least recently used go. An entry bigger than a quarter of the
room is not kept at all: it would crowd out all the others.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, ValuesView
from typing import Generic, TypeVar

__all__ = ["SizedLRU"]

V = TypeVar("V")


class SizedLRU(Generic[V]):
    """A least-recently-used store bounded by the total size of its values; thread-safe."""

    def __init__(self, limit: int, size: Callable[[V], int]) -> None:
        self.limit = limit
        self._size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self.held = 0  # the sizes of the values kept, added up
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: object = None) -> V | object:
        """The value kept for ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value: V) -> None:
        """Keep ``value`` unless ``key`` is kept already or it would take over a quarter of
        the room, dropping the least recently used beyond the limit."""
        size = self._size(value)
        if size > self.limit // 4:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self.held += size
            while self.held > self.limit and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self.held -= self._size(dropped)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._entries))

    def values(self) -> ValuesView[V]:
        return self._entries.values()
