"""Chunked CSV reading with the line number of every record (for quarantine).

The stdlib ``csv`` module does the parsing (RFC 4180, quoted newlines); each chunk
comes back column-wise as a pandas frame so validation can work on whole columns.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress, islice
from typing import IO, Any

import numpy as np
import pandas as pd

from lantern.ingest.errors import SubmissionError
from lantern.ingest.source import clean_header, text_stream

csv.field_size_limit(min(sys.maxsize, 1 << 28))

CHUNK_ROWS = 50_000


@dataclass
class RawChunk:
    """Rows of one file: well-formed ones column-wise, ragged ones as they came."""

    file: str
    columns: tuple[str, ...]
    lines: np.ndarray
    frame: pd.DataFrame
    refused: list[tuple[int, list[str], str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.frame) + len(self.refused)


def _frame(columns: tuple[str, ...], rows: list[list[str]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    data = zip(*rows, strict=True)
    return pd.DataFrame(
        {c: np.array(values, dtype=object) for c, values in zip(columns, data, strict=True)}
    )


def read_chunks(
    stream: IO[bytes], *, file: str, chunk_rows: int = CHUNK_ROWS, nul: bool = False,
    quotes: bool = True,
) -> Iterator[RawChunk]:
    """Yield the data rows of a CSV in chunks; blank lines are skipped.

    A row of the wrong width, or (when ``nul``) one holding a NUL character, which no
    text column can store, is set aside for quarantine as it came. Without any quote
    character in the file (``quotes=False``) every record is one line, so whole chunks
    are parsed at C speed and line numbers follow from positions.
    """
    reader = csv.reader(text_stream(stream), strict=False)
    try:
        columns = clean_header(next(reader))
        chunks = _fast_chunks if not quotes else _tracked_chunks
        yield from chunks(reader, file, columns, chunk_rows, nul)
    except csv.Error as exc:
        raise SubmissionError(f"{file} line {reader.line_num}: cannot parse CSV ({exc})") from exc


def _split(file: str, columns: tuple[str, ...], lines: np.ndarray, rows: list[list[str]],
           nul: bool) -> RawChunk:
    """Set aside ragged (and NUL-holding) rows; blank lines are dropped."""
    width = len(columns)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    bad = (lengths != width) & (lengths > 0)
    if nul:
        bad |= np.array(["\x00" in "".join(row) for row in rows], dtype=bool)
    refused = [
        (int(lines[i]), rows[i],
         f"wrong number of columns: expected {width}, got {len(rows[i])}"
         if len(rows[i]) != width else "contains a NUL character")
        for i in np.flatnonzero(bad)
    ]
    keep = ~bad & (lengths > 0)
    kept = rows if keep.all() else list(compress(rows, keep))
    return RawChunk(file, columns, lines[keep], _frame(columns, kept), refused)


def _fast_chunks(reader: Any, file: str, columns: tuple[str, ...], chunk_rows: int,
                 nul: bool) -> Iterator[RawChunk]:
    first_line = reader.line_num + 1
    while rows := list(islice(reader, chunk_rows)):
        lines = np.arange(first_line, first_line + len(rows), dtype=np.int64)
        first_line += len(rows)
        yield _split(file, columns, lines, rows, nul)


def _tracked_chunks(reader: Any, file: str, columns: tuple[str, ...], chunk_rows: int,
                    nul: bool) -> Iterator[RawChunk]:
    previous = reader.line_num
    lines: list[int] = []
    rows: list[list[str]] = []
    for row in reader:
        lines.append(previous + 1)
        previous = reader.line_num
        rows.append(row)
        if len(rows) >= chunk_rows:
            yield _split(file, columns, np.array(lines, dtype=np.int64), rows, nul)
            lines, rows = [], []
    if rows:
        yield _split(file, columns, np.array(lines, dtype=np.int64), rows, nul)
