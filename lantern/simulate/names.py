"""Names for synthetic people, and the ways agencies mis-record them.

Forenames and surnames are drawn from lists of common English names with Zipf-like
weights, so that common-name collisions (the hard negatives of linkage) happen as they do
in life. No list entry is a person: names are combined at random. Nickname pairs come from
the ``nicknames`` package (real-world nickname relationships, e.g. Elizabeth -> Liz).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from nicknames import NickNamer

GIRLS = [
    "Jessica",
    "Emily",
    "Sophie",
    "Chloe",
    "Lauren",
    "Hannah",
    "Olivia",
    "Charlotte",
    "Ellie",
    "Megan",
    "Amy",
    "Lucy",
    "Katie",
    "Emma",
    "Bethany",
    "Rebecca",
    "Holly",
    "Georgia",
    "Abigail",
    "Molly",
    "Grace",
    "Jade",
    "Shannon",
    "Amelia",
    "Eleanor",
    "Courtney",
    "Caitlin",
    "Paige",
    "Leah",
    "Danielle",
    "Natalie",
    "Samantha",
    "Victoria",
    "Elizabeth",
    "Jennifer",
    "Kayleigh",
    "Stacey",
    "Nicole",
    "Zoe",
    "Amber",
    "Chelsea",
    "Rachel",
    "Jasmine",
    "Kirsty",
    "Gemma",
    "Abbie",
    "Laura",
    "Alice",
    "Isabel",
    "Ruby",
    "Evie",
    "Millie",
    "Erin",
    "Aimee",
    "Kimberly",
    "Catherine",
    "Jodie",
    "Melissa",
    "Naomi",
    "Tegan",
    "Leanne",
    "Josephine",
]
BOYS = [
    "Jack",
    "Thomas",
    "Joshua",
    "James",
    "Daniel",
    "Samuel",
    "Joseph",
    "Matthew",
    "Ryan",
    "Benjamin",
    "Luke",
    "Liam",
    "Callum",
    "William",
    "Lewis",
    "Jordan",
    "Harry",
    "Adam",
    "Connor",
    "George",
    "Alexander",
    "Kieran",
    "Michael",
    "Nathan",
    "Charlie",
    "Jake",
    "Christopher",
    "Jamie",
    "Robert",
    "Bradley",
    "Aaron",
    "Dylan",
    "Tyler",
    "Oliver",
    "Reece",
    "Cameron",
    "Ethan",
    "Andrew",
    "Kyle",
    "Jacob",
    "Edward",
    "Alfie",
    "Owen",
    "Max",
    "Henry",
    "David",
    "Anthony",
    "Richard",
    "Mark",
    "Stephen",
    "Paul",
    "Peter",
    "Steven",
    "Lee",
    "Gary",
    "Jonathan",
    "Nicholas",
    "Timothy",
    "Patrick",
    "Dean",
    "Craig",
    "Wayne",
    "Shaun",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Graham",
    "Pearson",
    "Ahmed",
    "Fletcher",
    "Walsh",
    "Kaur",
    "Gibson",
    "Howard",
    "Andrews",
    "Stewart",
    "Elliott",
    "Reynolds",
    "Saunders",
    "Payne",
    "Fox",
    "Ford",
    "Pearce",
    "Day",
    "Brooks",
    "West",
    "Lawrence",
    "Cole",
    "Atkinson",
    "Bradley",
    "Spencer",
    "Gill",
    "Dawson",
    "Ball",
    "Burton",
    "Obrien",
    "Watts",
    "Rose",
    "Booth",
    "Perry",
    "Ryan",
    "Grant",
    "Wells",
    "Armstrong",
    "Francis",
    "Rees",
    "Hayes",
    "Hart",
    "Hudson",
    "Newman",
    "Barrett",
    "Webster",
    "Hunter",
    "Gregory",
    "Carr",
    "Lowe",
    "Page",
    "Marsh",
    "Riley",
    "Dunn",
    "Woods",
]
# Street names ("aliases") used by offenders and sometimes by victims; invented words.
STREET_NAMES = [
    "Bash",
    "Tiny",
    "Ace",
    "Prince",
    "Smokey",
    "Dex",
    "Kash",
    "Biggie",
    "Romeo",
    "Spider",
    "Blade",
    "Ghost",
    "Dizzy",
    "Flash",
    "Ice",
    "Jinx",
    "Moody",
    "Ninja",
    "Rocket",
    "Sly",
    "Taz",
    "Vex",
    "Zed",
    "Bruv",
    "Chico",
    "Dukes",
    "Fizz",
    "Gizmo",
    "Hex",
    "Kilo",
    "Lucky",
]


def zipf_weights(n: int, *, exponent: float = 0.9) -> np.ndarray:
    """Rank-frequency weights: the first names of each list are the most common."""
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


@cache
def nickname_table() -> dict[str, tuple[str, ...]]:
    """Forename -> sorted nicknames of it (sorted so that draws are reproducible)."""
    namer = NickNamer()
    table: dict[str, tuple[str, ...]] = {}
    for name in (*GIRLS, *BOYS):
        nicks = sorted(n.title() for n in namer.nicknames_of(name.lower()) if len(n) >= 2)
        if nicks:
            table[name] = tuple(nicks)
    return table


def draw_forenames(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """A forename per person from the list for their sex (``F`` or ``M``)."""
    girls = np.array(GIRLS, dtype=object)[
        rng.choice(len(GIRLS), sex.size, p=zipf_weights(len(GIRLS)))
    ]
    boys = np.array(BOYS, dtype=object)[rng.choice(len(BOYS), sex.size, p=zipf_weights(len(BOYS)))]
    return np.where(sex == "F", girls, boys)


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    names = np.array(SURNAMES, dtype=object)
    return names[rng.choice(names.size, n, p=zipf_weights(names.size, exponent=0.7))]


def apply_nicknames(rng: np.random.Generator, names: pd.Series, mask: np.ndarray) -> pd.Series:
    """Replace the forename by one of its nicknames where ``mask`` holds and one exists."""
    table = nickname_table()
    keys = sorted(table)
    flat = [nick for key in keys for nick in table[key]]
    counts = np.array([len(table[key]) for key in keys])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    key_index = pd.Index(keys)
    pos = key_index.get_indexer(pd.Index(names.to_numpy()))
    use = mask & (pos >= 0)
    if not use.any():
        return names
    pick = starts[pos[use]] + (rng.random(int(use.sum())) * counts[pos[use]]).astype(np.int64)
    out = names.to_numpy(dtype=object).copy()
    out[use] = np.array(flat, dtype=object)[pick]
    return pd.Series(out, index=names.index)


def apply_typos(rng: np.random.Generator, values: pd.Series, mask: np.ndarray) -> pd.Series:
    """One keying error (drop, swap or change a letter) in the values where ``mask`` holds."""
    out = values.to_numpy(dtype=object).copy()
    idx = np.flatnonzero(mask & values.notna().to_numpy() & (values.str.len().fillna(0) > 3))
    if idx.size == 0:
        return values
    kinds = rng.integers(0, 3, idx.size)
    positions = rng.random(idx.size)
    letters = rng.integers(0, 26, idx.size)
    # The subset is small (a few per cent of records); string surgery is per value.
    for k, i in enumerate(idx):
        s: str = out[i]
        p = 1 + int(positions[k] * (len(s) - 2))
        if kinds[k] == 0:
            out[i] = s[:p] + s[p + 1 :]
        elif kinds[k] == 1:
            out[i] = s[:p] + s[p + 1] + s[p] + s[p + 2 :]
        else:
            out[i] = s[:p] + chr(97 + letters[k]) + s[p + 1 :]
    return pd.Series(out, index=values.index)
