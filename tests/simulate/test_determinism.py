"""The same seed gives byte-identical output; another seed gives another world."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lantern.simulate.world import tiny_world


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    tiny_world(tmp_path / "a", seed=3)
    tiny_world(tmp_path / "b", seed=3)
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert len(a) > 20
    assert a == b


def test_other_seed_other_world(tmp_path: Path) -> None:
    tiny_world(tmp_path / "a", seed=3)
    tiny_world(tmp_path / "b", seed=4)
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    changed = [k for k in a if k in b and a[k] != b[k]]
    assert "truth/persons.csv" in changed
    assert len(changed) > len(a) // 2


def test_regenerating_in_place_replaces_the_world(tmp_path: Path) -> None:
    tiny_world(tmp_path, seed=3)
    first = digest(tmp_path)
    tiny_world(tmp_path, seed=4)
    tiny_world(tmp_path, seed=3)
    assert digest(tmp_path) == first
