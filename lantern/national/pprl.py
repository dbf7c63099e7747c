"""Pseudonymisation and privacy-preserving record linkage (PPRL) for the national return.

Tokens: HMAC-SHA256 of the resolved person id with the deployment's own secret
(`LANTERN_SECRET`), so the hub cannot reverse them and two deployments'
tokens never coincide.

CLKs (cryptographic long-term keys, Schnell, Bachteler and Reiher 2009): one
1,024-bit Bloom filter per record, into which the bigrams of the name, the
date of birth and the postcode are hashed k times by keyed double hashing
(HMAC-SHA256 with a linkage key shared by the deployments and never given to
the hub; each field salted with its name). Similar records give similar bit
patterns, compared by the Dice coefficient at the hub.

Why not clkhash: clkhash 0.18.3 (the last release, 2023) pins
`cryptography<41` and `mypy_extensions<0.5`, which conflict with the
project's toolchain (mypy needs mypy_extensions>=1) and an old cryptography
with known advisories; pip reports the conflict. The encoding is therefore
written here with `hmac`/`hashlib` following clkhash's double-hashing scheme,
and the hub's Dice comparison and blocking use anonlink (Data61), which
installs cleanly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

CLK_BITS = 1024


@dataclass(frozen=True)
class ClkSpec:
    """Bloom-filter parameters (published in the return's manifest; the key is not)."""

    bits: int = CLK_BITS
    k_name: int = 20
    k_dob: int = 15
    k_postcode: int = 15
    q: int = 2

    def as_dict(self) -> dict[str, int]:
        return {"bits": self.bits, "k_name": self.k_name, "k_dob": self.k_dob,
                "k_postcode": self.k_postcode, "q": self.q}


class SecretMissing(RuntimeError):
    """No secret or linkage key configured."""


def load_secret(env: str, path: str | Path | None = None) -> bytes:
    """Secret bytes from a file or an environment variable; never a default."""
    if path is not None:
        text = Path(path).read_text("utf-8").strip()
    else:
        text = os.environ.get(env, "").strip()
    if len(text) < 16:
        where = f"file {path}" if path else f"environment variable {env}"
        raise SecretMissing(f"set a secret of at least 16 characters in {where}")
    return text.encode("utf-8")


def tokens(ids: pd.Series, secret: bytes) -> pd.Series:
    """Keyed pseudonyms (32 hex chars) for person ids."""
    uniq = {v: hmac.new(secret, f"person:{v}".encode(), hashlib.sha256).hexdigest()[:32]
            for v in pd.unique(ids.astype(str))}
    return ids.astype(str).map(uniq)


def _clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9 ]", "", norm.lower()).strip()


def _grams(text: str, q: int) -> list[str]:
    if not text:
        return []
    padded = f"_{text}_"
    return [padded[i : i + q] for i in range(len(padded) - q + 1)]


def record_tokens(
    forename: object, surname: object, dob: object, postcode: object, *, q: int = 2
) -> list[tuple[str, str]]:
    """(field, token) pairs hashed into one record's CLK."""
    out: list[tuple[str, str]] = []
    out += [("forename", g) for g in _grams(_clean(forename), q)]
    out += [("surname", g) for g in _grams(_clean(surname), q)]
    if isinstance(dob, str) and dob:
        parts = dob.split("-")
        out += [("dob", f"{i}:{p}") for i, p in enumerate(parts)]
    pc = _clean(postcode).replace(" ", "")
    out += [("postcode", g) for g in _grams(pc, q)]
    return out


def _positions(key: bytes, field: str, token: str, k: int, bits: int) -> npt.NDArray[np.int64]:
    digest = hmac.new(key, f"{field}|{token}".encode(), hashlib.sha256).digest()
    h1 = int.from_bytes(digest[:8], "big")
    h2 = int.from_bytes(digest[8:16], "big") | 1
    return np.array([(h1 + i * h2) % bits for i in range(k)], dtype=np.int64)


def encode(
    records: pd.DataFrame, key: bytes, spec: ClkSpec | None = None
) -> npt.NDArray[np.bool_]:
    """Bloom-filter CLKs (n x bits booleans) of forename, surname, dob and postcode."""
    s = spec or ClkSpec()
    k_of = {"forename": s.k_name, "surname": s.k_name, "dob": s.k_dob, "postcode": s.k_postcode}
    out = np.zeros((len(records), s.bits), dtype=bool)
    cache: dict[tuple[str, str], npt.NDArray[np.int64]] = {}
    cols = [records.get(c, pd.Series([None] * len(records)))
            for c in ("forename", "surname", "dob", "postcode")]
    for i, (fn, sn, dob, pc) in enumerate(zip(*cols, strict=True)):
        for field_token in record_tokens(fn, sn, dob, pc, q=s.q):
            pos = cache.get(field_token)
            if pos is None:
                pos = _positions(key, *field_token, k_of[field_token[0]], s.bits)
                cache[field_token] = pos
            out[i, pos] = True
    return out


def to_base64(clks: npt.NDArray[np.bool_]) -> list[str]:
    packed = np.packbits(clks, axis=1)
    return [base64.b64encode(row.tobytes()).decode("ascii") for row in packed]


def from_base64(values: Iterable[str], bits: int = CLK_BITS) -> npt.NDArray[np.bool_]:
    rows = [np.frombuffer(base64.b64decode(v), dtype=np.uint8) for v in values]
    if not rows:
        return np.zeros((0, bits), dtype=bool)
    return np.unpackbits(np.vstack(rows), axis=1)[:, :bits].astype(bool)


def dice(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Dice coefficients between every row of a and every row of b (for tests and checks)."""
    inter = a.astype(np.int32) @ b.T.astype(np.int32)
    sizes = a.sum(axis=1)[:, None] + b.sum(axis=1)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sizes > 0, 2 * inter / sizes, 0.0)
