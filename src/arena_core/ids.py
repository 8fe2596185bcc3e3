"""Time-ordered identifiers (UUIDv7, RFC 9562) so ids sort by creation time."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> str:
    """A UUIDv7 string: 48-bit unix milliseconds, then a 12-bit counter and random bits.

    The counter keeps ids from one process strictly increasing within a millisecond.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                ms += 1
                _counter = 0
        else:
            _counter = 0
        _last_ms = ms
        counter = _counter
    rand = int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand
    return str(uuid.UUID(int=value))


def bounded(name: str, limit: int = 128) -> str:
    """``name`` if it fits in ``limit`` characters, else its head and a digest of the whole.

    Names composed of other ids (``critic-<solve key>-final-1-<design>``) can outgrow the
    envelope's bounds; the digest keeps them unique and the same on every redelivery.
    """
    if len(name) <= limit:
        return name
    digest = hashlib.blake2b(name.encode(), digest_size=8).hexdigest()
    return f"{name[: limit - len(digest) - 1]}~{digest}"


def stable_id(name: str) -> str:
    """A UUIDv7-shaped id that is the same for ``name`` in every process, sorting first
    (timestamp 0): for an event several nodes may publish at once, so that JetStream's
    duplicate window keeps one copy."""
    digest = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=10).digest(), "big")
    rand_a = digest >> 68 & 0xFFF
    rand_b = digest & 0x3FFF_FFFF_FFFF_FFFF
    return str(uuid.UUID(int=0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b))
