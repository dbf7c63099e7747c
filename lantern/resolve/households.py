"""Whether records come from families, which decides how the model treats a shared home."""

from __future__ import annotations

import numpy as np
import pandas as pd


def has_households(features: pd.DataFrame, *, ratio: float = 0.5, minimum: int = 20) -> bool:
    """Whether the records come from families (they do, in any agency's data).

    Among records sharing a surname and a residence, sibling-like pairs (different
    forename and date of birth) are compared with duplicate-like pairs (same forename and
    date of birth). Where families live, siblings outnumber duplicates (about 2.3 to 1 in
    the synthetic worlds); in a deduplication benchmark without families, such as FEBRL,
    they are rare (0.2 to 1) and a "different forename" there is a recording error. Too
    little evidence either way counts as households: the safe side for children.
    """
    siblings, duplicates = household_pairs(features)
    if duplicates < minimum:
        return True
    return siblings / duplicates >= ratio


def household_pairs(features: pd.DataFrame) -> tuple[int, int]:
    """Sibling-like and duplicate-like pairs among records sharing a surname and a home."""
    f = features.dropna(subset=["surname", "forename", "name_key", "dob"])
    f = f.assign(home=f["postcode"].fillna(f["address"])).dropna(subset=["home"])
    codes = {c: pd.factorize(f[c])[0].astype(np.int64)
             for c in ("surname", "home", "forename", "name_key", "dob")}

    def pairs_sharing(*columns: str) -> int:
        """Pairs of records with the same surname, home and ``columns`` (counted, not
        listed: a self-join on surname and home is quadratic in large families' blocks)."""
        key = np.zeros(len(f), dtype=np.int64)
        for c in ("surname", "home", *columns):
            key = pd.factorize(key * (int(codes[c].max(initial=0)) + 1) + codes[c])[0]
        n = np.bincount(key).astype(np.int64)
        return int((n * (n - 1) // 2).sum())

    # Different forename, name key and date of birth (the name key follows the forename).
    siblings = (pairs_sharing() - pairs_sharing("name_key") - pairs_sharing("dob")
                + pairs_sharing("name_key", "dob"))
    return siblings, pairs_sharing("forename", "dob")
