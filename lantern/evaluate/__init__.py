"""Scoring a run's contract outputs against a simulated world's truth (``lantern evaluate``)."""

from lantern.evaluate.io import Truth, load_run, load_truth, write_run
from lantern.evaluate.score import evaluate
from lantern.evaluate.truth_run import mislink, truth_as_run

__all__ = ["Truth", "evaluate", "load_run", "load_truth", "mislink", "truth_as_run", "write_run"]
