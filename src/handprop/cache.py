"""A bounded least-recently-used cache, safe across threads: bounded by its number of
entries and by the bytes its values take (as the caller counts them, with the key's).

A cache only saves work, it never changes an answer.  The server keeps two in front of its
work (``server/app.py``): one keyed by the exact bytes of a request (an identical request
skips even reading JSON, ``server/security.py``), one keyed by the normalised problem and
the request's other fields (``server/work.py``).  The solver keeps a network's formulas
(``solve/equations.py``), shared by every problem of the network.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class LRU(Generic[V]):
    def __init__(self, entries: int = 1024, max_bytes: int = 64 * 1024 * 1024, largest: int = 4 * 1024 * 1024):
        self.entries = entries
        self.max_bytes = max_bytes
        self.largest = largest          # an answer larger than this is not kept
        self._data: OrderedDict[bytes, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> V | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: bytes, value: V, size: int) -> None:
        size += len(key)
        if self.entries <= 0 or size > self.largest:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while self._data and (len(self._data) > self.entries or self._bytes > self.max_bytes):
                _, (_, gone) = self._data.popitem(last=False)
                self._bytes -= gone

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    @property
    def size(self) -> int:
        return self._bytes
