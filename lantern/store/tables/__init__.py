"""All Lantern tables on one MetaData; each domain keeps its tables in its own module."""

from lantern.store.tables import access, core, national, network, resolve, screen
from lantern.store.tables.base import metadata

__all__ = ["access", "core", "metadata", "national", "network", "resolve", "screen"]
