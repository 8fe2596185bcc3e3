"""Events: the envelope, the registry and every payload model.

Importing this package registers every event type.
"""

import importlib
import pkgutil

from arena_core.events.envelope import SUBJECT_PREFIX, AgentRef, Envelope, Payload, derived_id
from arena_core.events.registry import (
    EventRegistry,
    UnknownEventType,
    event,
    registry,
    subject_for,
    type_from_subject,
)
from arena_core.events.wire import DecodeError, InvalidReason, decode, encode, quote_raw

_CORE_MODULES = {"envelope", "registry", "wire"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _CORE_MODULES:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "SUBJECT_PREFIX",
    "AgentRef",
    "DecodeError",
    "Envelope",
    "EventRegistry",
    "InvalidReason",
    "Payload",
    "UnknownEventType",
    "decode",
    "derived_id",
    "encode",
    "event",
    "quote_raw",
    "registry",
    "subject_for",
    "type_from_subject",
]
