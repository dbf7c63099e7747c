"""Lantern: a national intelligence system for child sexual exploitation."""

__version__ = "0.1.0"
