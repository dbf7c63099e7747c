"""Multiple systems estimation of hidden victims (log-linear models, after SparseMSE)."""

from lantern.national.mse.estimate import Estimate, NoEstimate, estimate, estimate_frame
from lantern.national.mse.table import CaptureTable, CaptureTableError

__all__ = [
    "CaptureTable",
    "CaptureTableError",
    "Estimate",
    "NoEstimate",
    "estimate",
    "estimate_frame",
]
