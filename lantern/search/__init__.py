"""Fuzzy search for people over resolved identities (name, date of birth, postcode,
phone, vehicle), held in memory (dictionaries and NumPy arrays, RapidFuzz for names) and
rebuilt in the background when the store changes."""

from lantern.search.index import PersonHit, SearchIndex, SearchQuery

__all__ = ["PersonHit", "SearchIndex", "SearchQuery"]
