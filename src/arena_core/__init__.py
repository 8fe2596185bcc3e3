"""Arena core: what every service shares (events, bus, settings, container, storage)."""

__version__ = "0.1.0"
