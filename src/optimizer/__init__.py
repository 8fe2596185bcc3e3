"""optimizer service."""
