"""engineer service."""
