"""The NATS JetStream bus: connection, stream, typed publish, pull consumers, embedded server."""

from arena_core.bus.bus import Bus, PublishError, RequestFailed, RequestTimeout
from arena_core.bus.consumer import ConsumerSpec, PullWorker, Worker, ensure_consumer
from arena_core.bus.delivery import Delivery, Handler, HandlerRejected
from arena_core.bus.embedded import EmbeddedNats, NatsServerError
from arena_core.bus.stream import StreamConflict, StreamSpec, ensure_stream

__all__ = [
    "Bus",
    "ConsumerSpec",
    "Delivery",
    "EmbeddedNats",
    "Handler",
    "HandlerRejected",
    "NatsServerError",
    "PublishError",
    "PullWorker",
    "RequestFailed",
    "RequestTimeout",
    "StreamConflict",
    "StreamSpec",
    "Worker",
    "ensure_consumer",
    "ensure_stream",
]
