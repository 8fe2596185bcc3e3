"""Shared state over NATS: what services on any node must agree on.

The recorder folds prompt and skill events into SQLite and then publishes the result
to JetStream key-value buckets (``publisher``); services read them (``reader``), so a
worker on another machine with an empty ``ARENA_HOME`` sees the same ``prod`` prompts
and skills as one beside the recorder.
"""

from arena_core.state.reader import SharedState

__all__ = ["SharedState"]
