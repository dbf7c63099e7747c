"""What one ingest did: rows read, loaded, quarantined and warned, per file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileCounts:
    """Rows of one submission file. ``read == loaded + quarantined`` always holds."""

    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    warned: int = 0


@dataclass
class IngestReport:
    """The outcome of loading one submission (``status`` is ``loaded`` or ``already loaded``)."""

    submission_id: str
    agency: str
    area: str
    status: str
    source: Path | None = None
    files: dict[str, FileCounts] = field(default_factory=dict)
    superseded: int = 0
    withdrawn: int = 0

    @property
    def rows_read(self) -> int:
        return sum(c.read for c in self.files.values())

    @property
    def rows_loaded(self) -> int:
        return sum(c.loaded for c in self.files.values())

    @property
    def rows_quarantined(self) -> int:
        return sum(c.quarantined for c in self.files.values())

    @property
    def rows_warned(self) -> int:
        return sum(c.warned for c in self.files.values())

    def summary(self) -> str:
        """One line for the CLI."""
        name = f"{self.agency}/{self.submission_id}"
        if self.status != "loaded":
            return f"{name} ({self.area}): nothing changed"
        return (
            f"{name} ({self.area}): {self.rows_read:,} read, {self.rows_loaded:,} loaded, "
            f"{self.rows_quarantined:,} quarantined, {self.rows_warned:,} warned"
        )
