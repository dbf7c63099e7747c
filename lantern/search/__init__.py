"""Fuzzy search for people over resolved identities (name, date of birth, postcode,
phone, vehicle), held in an in-memory DuckDB index rebuilt when the store changes."""

from lantern.search.index import PersonHit, SearchIndex, SearchQuery

__all__ = ["PersonHit", "SearchIndex", "SearchQuery"]
