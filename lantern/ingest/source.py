"""Opening a submission: a folder or a ``.zip`` of one, its manifest, and discovery.

Everything that refuses a submission as a whole and needs no database is checked
here, before any write: the manifest, unknown or missing files, paths escaping a zip,
files that are not UTF-8, and missing header columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import stat
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lantern.contract import vocabulary
from lantern.ingest.errors import SubmissionError

MANIFEST = "manifest.json"
_CHUNK = 1 << 20


class AgencyInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str = Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")
    type: str
    name: str | None = None


class Manifest(BaseModel):
    """``manifest.json`` of contract v1 (extra keys are allowed and ignored)."""

    model_config = ConfigDict(extra="allow")
    contract: str
    submission_id: str = Field(min_length=1, max_length=128, pattern=r"^\S(.*\S)?$")
    agency: AgencyInfo
    area: str = Field(min_length=1, max_length=16)
    extracted_at: datetime

    @property
    def extracted_utc(self) -> datetime:
        """``extracted_at`` as a naive UTC datetime (how the store keeps times)."""
        value = self.extracted_at
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value


def parse_manifest(text: bytes) -> Manifest:
    """Validate a manifest; any fault is one clear line."""
    try:
        raw: Any = json.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SubmissionError("manifest.json is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise SubmissionError(
            f"manifest.json is not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    if not isinstance(raw, dict):
        raise SubmissionError("manifest.json must hold a JSON object")
    if "\x00" in json.dumps(raw, ensure_ascii=False):
        raise SubmissionError("manifest.json contains a NUL character")
    vocab = vocabulary()
    contract = raw.get("contract")
    if contract is None:
        raise SubmissionError("manifest.json has no contract version")
    if str(contract) not in vocab.contract_versions:
        readable = ", ".join(sorted(vocab.contract_versions))
        raise SubmissionError(
            f"unsupported contract version {str(contract)!r} (this Lantern reads {readable})"
        )
    raw = {**raw, "contract": str(contract)}
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SubmissionError(f"manifest.json: {where}: {first['msg']}") from exc
    if manifest.agency.type not in vocab.agency_types:
        kinds = ", ".join(sorted(vocab.agency_types))
        raise SubmissionError(
            f"unknown agency type {manifest.agency.type!r} (expected one of {kinds})"
        )
    return manifest


class Source:
    """The files of one submission, read from a folder or a zip without extracting."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if path.is_dir():
            self._members = {
                (p.name + "/" if p.is_dir() else p.name): str(p) for p in sorted(path.iterdir())
            }
        elif path.is_file() and path.suffix.lower() == ".zip":
            self._open_zip()
        elif not path.exists():
            raise SubmissionError(f"{path}: no such file or folder")
        else:
            raise SubmissionError(f"{path}: not a submission folder or .zip")

    def _open_zip(self) -> None:
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SubmissionError(f"{self.path.name} is not a readable zip ({exc})") from exc
        self._zip = archive
        entries = []
        for info in archive.infolist():
            name = info.filename
            if _escapes(name):
                raise SubmissionError(f"zip entry escapes the submission folder: {name!r}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise SubmissionError(f"zip entry is a symbolic link: {name!r}")
            if not info.is_dir():
                entries.append(name)
        prefix = ""
        if MANIFEST not in entries:
            tops = {name.split("/", 1)[0] for name in entries}
            if len(tops) == 1 and f"{next(iter(tops))}/{MANIFEST}" in entries:
                prefix = next(iter(tops)) + "/"
        for name in entries:
            inner = name[len(prefix) :] if name.startswith(prefix) else name
            self._members[inner] = name

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def names(self) -> list[str]:
        return list(self._members)

    def has(self, name: str) -> bool:
        return name in self._members

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """A binary stream of one member."""
        target = self._members[name]
        if self._zip is not None:
            with self._zip.open(target) as stream:
                yield stream
        else:
            with open(target, "rb") as stream:
                yield stream

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as stream:
            return stream.read()

    def manifest(self) -> Manifest:
        if not self.has(MANIFEST):
            raise SubmissionError(f"{self.path.name}: no manifest.json")
        return parse_manifest(self.read_bytes(MANIFEST))


def _escapes(name: str) -> bool:
    """A zip member path that is absolute or climbs out of the folder (zip-slip)."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


@dataclass(frozen=True)
class Header:
    """A file's header row: names as sent, and where each contract column sits."""

    file: str
    columns: tuple[str, ...]


def check_files(source: Source) -> list[str]:
    """The contract files present, in load order; unknown or missing files refuse all."""
    vocab = vocabulary()
    known = set(vocab.files) | {MANIFEST}
    unknown = sorted(name for name in source.names() if name not in known)
    if unknown:
        raise SubmissionError(f"unknown file in submission: {unknown[0]!r}")
    for name, spec in vocab.files.items():
        if spec.required_file and not source.has(name):
            raise SubmissionError(f"missing required file {name}")
    return [name for name in LOAD_ORDER if source.has(name)]


LOAD_ORDER = (
    "persons.csv",
    "objects.csv",
    "locations.csv",
    "events.csv",
    "links.csv",
    "withdrawn.csv",
)


@dataclass(frozen=True)
class FileScan:
    """What the UTF-8 pass learnt about a file."""

    newlines: int  # for the progress bar
    nul: bool  # whether rows must be checked for NUL characters
    quotes: bool  # whether a record may span lines (quotes, or a bare carriage return)


def check_utf8(source: Source, name: str) -> FileScan:
    """Refuse a file that is not UTF-8; count its lines and look for NUL bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    nul = quotes = False
    returns = crlf = 0
    with source.open(name) as stream:
        while block := stream.read(_CHUNK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                line = newlines + block.count(b"\n", 0, max(exc.start, 0)) + 1
                bad = block[exc.start : exc.start + 1].hex() if exc.start >= 0 else "?"
                raise SubmissionError(
                    f"{name} is not UTF-8 (byte 0x{bad} on line {line})"
                ) from exc
            newlines += block.count(b"\n")
            nul = nul or b"\x00" in block
            quotes = quotes or b'"' in block
            returns += block.count(b"\r")
            crlf += block.count(b"\r\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise SubmissionError(f"{name} is not UTF-8 (truncated character at the end)") from exc
    return FileScan(newlines=newlines, nul=nul, quotes=quotes or returns != crlf)


def text_stream(stream: IO[bytes]) -> io.TextIOWrapper:
    """UTF-8 text for the csv module (a byte-order mark is dropped)."""
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def clean_header(row: Sequence[str]) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in row)


def check_header(source: Source, name: str) -> Header:
    """Refuse a file without a header, with duplicate names, or missing required columns."""
    spec = vocabulary().files[name]
    with source.open(name) as stream:
        try:
            row = next(csv.reader(text_stream(stream)), None)
        except csv.Error as exc:
            raise SubmissionError(f"{name}: the header row cannot be read ({exc})") from exc
    if not row or not any(cell.strip() for cell in row):
        raise SubmissionError(f"{name} is empty (no header row)")
    columns = clean_header(row)
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise SubmissionError(f"{name} repeats header column {duplicated[0]!r}")
    missing = [c for c in spec.required if c not in columns]
    if missing:
        raise SubmissionError(f"{name} is missing required column(s): {', '.join(missing)}")
    return Header(file=name, columns=columns)


def _sort_key(path: Path) -> tuple[int, datetime, str, str]:
    try:
        with Source(path) as source:
            manifest = source.manifest()
        return (0, manifest.extracted_utc, manifest.submission_id, str(path))
    except SubmissionError:
        return (1, datetime.max, "", str(path))  # refused later, with its message


def _is_submission_folder(path: Path) -> bool:
    return (path / MANIFEST).is_file() or any(path.glob("*.csv"))


def discover(paths: Sequence[Path]) -> list[Path]:
    """Expand PATHs into submissions (folders or zips), earliest extract first.

    A PATH is a submission folder, a zip of one, or a folder of such folders and zips.
    Submissions whose manifest cannot be read are kept (last) so that loading them
    reports why.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if (path / MANIFEST).is_file():
                found.append(path)
                continue
            children = [
                child
                for child in sorted(path.iterdir())
                if (child.is_dir() and _is_submission_folder(child))
                or (child.is_file() and child.suffix.lower() == ".zip")
            ]
            if not children:
                raise SubmissionError(
                    f"{path}: no manifest.json (neither a submission nor a folder of them)"
                )
            found.extend(children)
        elif path.is_file() and path.suffix.lower() == ".zip":
            found.append(path)
        elif not path.exists():
            raise SubmissionError(f"{path}: no such file or folder")
        else:
            raise SubmissionError(f"{path}: not a submission folder or .zip")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return sorted(unique, key=_sort_key)
