"""The package version, read by hatchling and by every instrumentor's scope."""

__version__ = "0.1.0"
