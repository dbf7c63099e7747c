"""Resolution stage (foundation): one identity per person record until linkage lands."""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import Engine

from lantern.store.frames import read_persons


def run(engine: Engine, *, progress: bool = False, **_options: object) -> None:
    """Nothing to compute yet: identities are derived from the records themselves."""


def _identity(agency: str, ref: str) -> str:
    return "P" + hashlib.sha256(f"{agency}\x1f{ref}".encode()).hexdigest()[:12]


def person_identities(engine: Engine) -> pd.DataFrame:
    persons = read_persons(engine)[["agency", "person_ref"]].copy()
    persons["person_id"] = [
        _identity(a, r) for a, r in zip(persons["agency"], persons["person_ref"], strict=True)
    ]
    persons["match_probability"] = 1.0
    return persons


def outputs(engine: Engine) -> dict[str, pd.DataFrame]:
    return {"persons.csv": person_identities(engine)}
