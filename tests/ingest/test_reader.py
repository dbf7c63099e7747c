"""The two CSV paths (Arrow for files without quotes, the csv module otherwise) agree."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from lantern.ingest.reader import read_chunks

CELL = st.text(alphabet="ab 1é,\t", max_size=4)
LINE = st.lists(CELL, min_size=0, max_size=5).map(lambda cells: ",".join(cells))


def _read(data: bytes, *, quotes: bool) -> tuple[list[int], list[list[str]], list[tuple]]:
    lines: list[int] = []
    rows: list[list[str]] = []
    refused: list[tuple] = []
    for chunk in read_chunks(io.BytesIO(data), file="f.csv", quotes=quotes, chunk_rows=7):
        lines.extend(int(n) for n in chunk.lines)
        rows.extend(chunk.frame.to_numpy().tolist())
        refused.extend(chunk.refused)
    return lines, rows, sorted(refused)


@settings(max_examples=150, deadline=None)
@given(body=st.lists(LINE, max_size=20), crlf=st.booleans(), final=st.booleans())
def test_arrow_and_csv_module_read_the_same(body: list[str], crlf: bool, final: bool) -> None:
    end = "\r\n" if crlf else "\n"
    text = end.join(["x,y,z", *body]) + (end if final else "")
    data = text.encode("utf-8")
    assert _read(data, quotes=False) == _read(data, quotes=True)


def test_line_numbers_skip_blank_lines_and_count_the_header() -> None:
    data = b"a,b\n1,2\n\n3\n4,5\n"
    lines, rows, refused = _read(data, quotes=False)
    assert (lines, rows) == ([2, 5], [["1", "2"], ["4", "5"]])
    assert refused == [(4, ["3"], "wrong number of columns: expected 2, got 1")]
