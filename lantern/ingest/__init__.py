"""Ingest of contract v1 submissions: read, validate, quarantine, load in bulk, keep history.

Public interface: :func:`discover`, :func:`load_submission`, :func:`load_areas`,
:class:`IngestReport`, :class:`SubmissionError`. See ``docs/ingest.md``.
"""

from lantern.ingest.areas import load_areas
from lantern.ingest.errors import SubmissionError
from lantern.ingest.loader import load_submission
from lantern.ingest.report import FileCounts, IngestReport
from lantern.ingest.source import discover

__all__ = [
    "FileCounts",
    "IngestReport",
    "SubmissionError",
    "discover",
    "load_areas",
    "load_submission",
]
