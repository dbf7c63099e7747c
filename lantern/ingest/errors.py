"""The one exception that refuses a whole submission (or a whole areas file)."""

from __future__ import annotations


class SubmissionError(Exception):
    """A submission that cannot be read as a whole: nothing of it is loaded.

    The message is one clear line, fit to show a user as it is.
    """
