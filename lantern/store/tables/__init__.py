"""All Lantern tables on one MetaData; each domain keeps its tables in its own module."""

from importlib import import_module

from lantern.store.tables.base import metadata

# Domain modules register their tables on ``metadata`` when imported.
for _name in ("core", "resolve", "screen", "network", "national", "access"):
    try:
        import_module(f"lantern.store.tables.{_name}")
    except ModuleNotFoundError as exc:  # a domain that has no tables yet
        if exc.name != f"lantern.store.tables.{_name}":
            raise

__all__ = ["metadata"]
