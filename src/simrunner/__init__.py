"""simrunner service."""
