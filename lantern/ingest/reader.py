"""Chunked CSV reading with the line number of every record (for quarantine).

The stdlib ``csv`` module does the parsing (RFC 4180, quoted newlines); each chunk
comes back column-wise as a pandas frame so validation can work on whole columns.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

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
    character (or NUL) in the file every record is one line, so Arrow parses it.
    """
    if not (quotes or nul):
        data = stream.read()
        columns = clean_header(next(csv.reader(io.StringIO(
            data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8-sig")))))
        yield from _arrow_chunks(data, file, columns)
        return
    reader = csv.reader(text_stream(stream), strict=False)
    try:
        columns = clean_header(next(reader))
        yield from _tracked_chunks(reader, file, columns, chunk_rows, nul)
    except csv.Error as exc:
        raise SubmissionError(f"{file} line {reader.line_num}: cannot parse CSV ({exc})") from exc


def _arrow_chunks(data: bytes, file: str, columns: tuple[str, ...]) -> Iterator[RawChunk]:
    """A file without quotes (so one record per line) parsed by Arrow's C++ reader.

    Line numbers come from the bytes: a line is blank, a good row (``width - 1``
    commas), or ragged. Arrow skips blank and ragged lines the same way, so its rows
    line up with the good lines in order.
    """
    width = len(columns)
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(buf)]))
    if starts[-1] == len(buf):  # the final line break ends the last line
        starts, ends = starts[:-1], ends[:-1]
    carriage = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
    ends = ends - carriage
    commas = np.bincount(np.searchsorted(newlines, np.flatnonzero(buf == 44)),
                         minlength=len(starts))[: len(starts)]
    body = np.arange(len(starts)) > 0
    blank = ends == starts
    good = body & ~blank & (commas == width - 1)
    good_lines = np.flatnonzero(good) + 1
    refused = [
        (int(i) + 1, data[starts[i]:ends[i]].decode("utf-8").split(","),
         f"wrong number of columns: expected {width}, got {int(commas[i]) + 1}")
        for i in np.flatnonzero(body & ~blank & ~good)
    ]
    if not len(good_lines):
        if refused:
            yield RawChunk(file, columns, good_lines, _frame(columns, []), refused)
        return
    names = [f"c{i}" for i in range(width)]
    longest = int((ends - starts).max()) if len(starts) else 0
    block = max(1 << 22, 2 * longest + 1024)  # Arrow needs whole rows inside a block
    reader = pa_csv.open_csv(
        io.BytesIO(data),
        read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, block_size=block),
        parse_options=pa_csv.ParseOptions(quote_char=False, ignore_empty_lines=True,
                                          invalid_row_handler=lambda _row: "skip"),
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                              strings_can_be_null=False),
    )
    done = 0
    for batch in reader:
        n = batch.num_rows
        frame = pd.DataFrame({
            c: batch.column(i).to_numpy(zero_copy_only=False) for i, c in enumerate(columns)
        })
        yield RawChunk(file, columns, good_lines[done : done + n], frame, refused)
        refused = []
        done += n
    if done != len(good_lines):  # a guard: the two readings must agree exactly
        raise SubmissionError(f"{file}: rows could not be matched to lines; re-save the file")
    if refused:
        yield RawChunk(file, columns, good_lines[:0], _frame(columns, []), refused)


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
