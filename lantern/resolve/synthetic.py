"""Synthetic person records with known truth, shaped like ``read_persons``.

For linkage tests and benchmarks only (``lantern simulate`` builds whole worlds). Built in
bulk with numpy: households of siblings (and twins) sharing surname, address and
postcode; each person seen by one to four agencies, each record mis-recorded the way
agencies do (nicknames, typos, transposed or partial dates, missing fields, moves).
All names are combined at random from common-name lists: no record is a real person.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

GIRLS = (  # noqa: SIM905
    "Jessica Emily Sophie Chloe Lauren Hannah Olivia Charlotte Ellie Megan Amy Lucy Katie "
    "Emma Bethany Rebecca Holly Georgia Abigail Molly Grace Jade Shannon Amelia Eleanor "
    "Courtney Caitlin Paige Leah Danielle Natalie Samantha Victoria Elizabeth Jennifer "
    "Kayleigh Stacey Nicole Zoe Amber Chelsea Rachel Jasmine Kirsty Gemma Abbie Laura Alice "
    "Isabel Ruby Evie Millie Erin Aimee Kimberly Catherine Jodie Melissa Naomi Tegan Leanne "
    "Josephine Aisha Fatima Amina Zara Maryam Priya Sana Nadia Layla Hollie Keira Lily Poppy"
).split()
BOYS = (  # noqa: SIM905
    "Jack Thomas Joshua James Daniel Samuel Joseph Matthew Ryan Benjamin Luke Liam Callum "
    "William Lewis Jordan Harry Adam Connor George Alexander Kieran Michael Nathan Charlie "
    "Jake Christopher Jamie Robert Bradley Aaron Dylan Tyler Oliver Reece Cameron Ethan "
    "Andrew Kyle Jacob Edward Alfie Owen Max Henry David Anthony Richard Mark Stephen Paul "
    "Peter Steven Lee Gary Jonathan Nicholas Timothy Patrick Dean Craig Wayne Shaun Mohammed "
    "Imran Usman Bilal Hamza Tariq Arjun Ravi Kamil Piotr Tomasz Marek Jakub Declan Rhys"
).split()
SURNAMES = (  # noqa: SIM905
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes "
    "Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham "
    "Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders "
    "Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson "
    "Ball Burton Obrien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes "
    "Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods "
    "Kowalski Nowak Wisniewski Iqbal Rahman Mahmood Akhtar Chowdhury Sharma Kumar Nguyen Tran "
    "Osei Mensah Okafor Adeyemi Horvath Popescu Murtagh Doherty Quinn Byrne Kavanagh Nolan"
).split()
AGENCIES = ("POLICE", "SOCIAL", "HEALTH", "SCHOOL", "YOT")
STREETS = (
    "High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Lane", "Victoria Road",
    "Green Lane", "Manor Road", "Queens Road", "Kings Road", "New Road", "School Lane",
    "The Crescent", "Albert Street", "Chapel Street", "North Road", "York Road", "Grove Road",
)
LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def _nicknames() -> dict[str, str]:
    """One nickname per forename, from the ``nicknames`` package (as the simulator does)."""
    from nicknames import NickNamer

    namer = NickNamer()
    table = {}
    for name in GIRLS + BOYS:
        options = sorted(namer.nicknames_of(name.lower()))
        if options:
            table[name] = options[0].capitalize()
    return table


def _choice(
    rng: np.random.Generator, values: np.ndarray, n: int, *, zipf: float = 0.6
) -> np.ndarray:
    weights = 1.0 / np.arange(1, len(values) + 1) ** zipf
    return rng.choice(values, size=n, p=weights / weights.sum())


def _typo(rng: np.random.Generator, words: pd.Series) -> pd.Series:
    """One character dropped, doubled or swapped with its neighbour."""
    text = words.fillna("").to_numpy(dtype=object)
    out = text.copy()
    kinds = rng.integers(0, 3, len(text))
    for k in range(3):
        idx = np.flatnonzero((kinds == k) & np.array([len(t) > 3 for t in text]))
        if not len(idx):
            continue
        s = pd.Series(text[idx])
        pos = pd.Series(rng.integers(1, s.str.len().to_numpy() - 1))
        head = pd.Series([a[:p] for a, p in zip(s, pos, strict=True)])
        tail = pd.Series([a[p:] for a, p in zip(s, pos, strict=True)])
        if k == 0:
            new = head + tail.str[1:]
        elif k == 1:
            new = head + tail.str[0] + tail
        else:
            new = head.str[:-1] + tail.str[0] + head.str[-1] + tail.str[1:]
        out[idx] = new.to_numpy()
    return pd.Series(out, index=words.index).where(words.notna(), None)


def _nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Valid NHS numbers (mod-11 check digit holds), drawn from a fictitious range."""
    body = rng.integers(0, 10, size=(n * 2, 9))
    body[:, 0] = 9  # 999 range is reserved for test numbers
    total = (body * np.arange(10, 1, -1)).sum(axis=1)
    check = 11 - total % 11
    check[check == 11] = 0
    ok = check != 10
    digits = np.column_stack([body[ok], check[ok]])[:n]
    return np.array(["".join(map(str, row)) for row in digits])


def people(n: int, *, seed: int = 0, twin_rate: float = 0.04) -> pd.DataFrame:
    """True people in households: siblings share surname, address, postcode; some twins."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4], size=n, p=[0.45, 0.3, 0.17, 0.08])
    sizes = sizes[np.cumsum(sizes) <= n]
    if sizes.sum() < n:
        sizes = np.append(sizes, n - sizes.sum())
    household = np.repeat(np.arange(len(sizes)), sizes)
    h = len(sizes)
    h_surname = _choice(rng, np.array(SURNAMES), h)
    district = rng.integers(1, 60, h)
    area = np.array([f"AREA{d % 6:02d}" for d in district])
    h_postcode = np.char.add(
        np.char.add(np.char.add("S", district.astype(str)), " "),
        np.char.add(rng.integers(1, 10, h).astype(str),
                    np.char.add(rng.choice(LETTERS, h), rng.choice(LETTERS, h))),
    )
    h_address = np.char.add(
        np.char.add(rng.integers(1, 200, h).astype(str), " "), rng.choice(np.array(STREETS), h)
    )
    sex = rng.choice(np.array(["F", "M"]), n)
    forename = np.where(
        sex == "F", _choice(rng, np.array(GIRLS), n), _choice(rng, np.array(BOYS), n)
    )
    base = np.datetime64("1975-01-01") + rng.integers(0, 365 * 35, n).astype("timedelta64[D]")
    frame = pd.DataFrame({"household": household, "sex": sex, "forename": forename, "dob": base})
    # Twins: the second child of some households shares the first one's date of birth.
    first = frame.groupby("household").cumcount() == 0
    twin = (~first) & (rng.random(n) < twin_rate * 3) & (frame["household"].map(
        frame["household"].value_counts()) > 1)
    first_dob = frame.groupby("household")["dob"].transform("first")
    frame.loc[twin, "dob"] = first_dob[twin]
    # Siblings never share a forename.
    dup = frame.duplicated(["household", "forename"])
    frame.loc[dup, "forename"] = np.where(frame.loc[dup, "sex"] == "F", "Keeley", "Zachary")
    frame["dob"] = pd.to_datetime(frame["dob"]).dt.strftime("%Y-%m-%d")
    frame["surname"] = h_surname[household]
    frame["postcode"] = h_postcode[household]
    frame["address"] = h_address[household]
    frame["area"] = area[household]
    frame["phone"] = [f"+447700{x:06d}" for x in rng.choice(10**6, n, replace=False)]
    frame["nhs_number"] = _nhs_numbers(rng, n)
    frame["upn"] = [f"A{x:012d}" for x in rng.choice(10**11, n, replace=False)]
    frame["twin"] = twin | frame["household"].isin(frame.loc[twin, "household"]) & (
        frame["dob"] == frame.groupby("household")["dob"].transform("first"))
    frame.insert(0, "truth", np.arange(n))
    return frame


def records(truth: pd.DataFrame, *, seed: int = 0, mean_records: float = 2.2,
            error: float = 1.0) -> pd.DataFrame:
    """Agency records of ``truth`` people, with realistic recording errors.

    ``error`` scales every error rate (0 gives clean copies).
    """
    rng = np.random.default_rng(seed + 1)
    n = len(truth)
    counts = np.clip(rng.poisson(mean_records - 1, n) + 1, 1, 5)
    rows = truth.loc[np.repeat(truth.index.to_numpy(), counts)].reset_index(drop=True)
    m = len(rows)
    p = lambda rate: rng.random(m) < rate * error  # noqa: E731
    out = pd.DataFrame({"truth": rows["truth"].to_numpy()})
    out["record_id"] = np.arange(1, m + 1)
    out["agency"] = rng.choice(np.array(AGENCIES), m)
    out["agency_type"] = out["agency"].str.lower()
    out["area"] = rows["area"].to_numpy()
    out["person_ref"] = "R" + out["record_id"].astype(str)
    fore = rows["forename"].copy()
    nicknames = _nicknames()
    nick = p(0.12) & fore.isin(nicknames.keys()).to_numpy()
    fore[nick] = fore[nick].map(nicknames)
    fore = fore.where(~p(0.04), _typo(rng, fore))
    out["forename"] = fore.where(~p(0.02), None)
    out["middle_names"] = None
    sur = rows["surname"].where(~p(0.05), _typo(rng, rows["surname"]))
    out["surname"] = sur.where(~p(0.02), None)
    out["aliases"] = None
    dob = rows["dob"].copy()
    swap = p(0.03) & (dob.str[8:10].astype(int) <= 12).to_numpy()
    dob[swap] = dob[swap].str[0:5] + dob[swap].str[8:10] + "-" + dob[swap].str[5:7]
    digit = p(0.02)
    dob[digit] = dob[digit].str[:9] + ((dob[digit].str[9].astype(int) + 1) % 10).astype(str)
    precision = pd.Series("day", index=dob.index)
    month_only = p(0.04)
    dob[month_only], precision[month_only] = dob[month_only].str[:7], "month"
    year_only = p(0.02)
    dob[year_only], precision[year_only] = dob[year_only].str[:4], "year"
    missing = p(0.04)
    dob[missing], precision[missing] = None, None
    # A digit typo can make an impossible date: the loader would leave it empty.
    bad = (precision == "day") & pd.to_datetime(dob, errors="coerce").isna() & dob.notna()
    dob[bad], precision[bad] = None, None
    out["dob"], out["dob_precision"], out["dob_raw"] = dob, precision, dob
    out["sex"] = rows["sex"].where(~p(0.05), None).to_numpy()
    moved = p(0.06)
    out["address"] = rows["address"].where(~moved, "1 Elsewhere Road").where(~p(0.1), None)
    out["postcode"] = rows["postcode"].where(~moved, "S99 9ZZ").where(~p(0.08), None)
    agency = out["agency"]
    out["phones"] = rows["phone"].where(rng.random(m) < np.where(
        agency.isin(["POLICE", "YOT"]), 0.6, 0.25), None)
    out["emails"] = None
    out["nhs_number"] = rows["nhs_number"].where(
        (agency == "HEALTH").to_numpy() & (rng.random(m) < 0.9), None)
    out["upn"] = rows["upn"].where((agency == "SCHOOL").to_numpy() & (rng.random(m) < 0.9), None)
    out["ethnicity"] = rng.choice(np.array(["W1", "A2", "B2", "M3", "O9", "NS"]), m)
    out["extracted_at"] = pd.Timestamp("2026-01-01")
    return out


def world(n_people: int, *, seed: int = 0, **options: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(people, records) for ``n_people`` true people."""
    truth = people(n_people, seed=seed)
    return truth, records(truth, seed=seed, **options)


AGENCY_TYPES = {"POLICE": "police", "SOCIAL": "social_care", "HEALTH": "health",
                "SCHOOL": "education", "YOT": "youth_justice"}
PERSON_COLUMNS = ["person_ref", "forename", "middle_names", "surname", "aliases",
                  "date_of_birth", "sex", "address", "postcode", "phone", "email",
                  "nhs_number", "upn", "ethnicity"]
EVENT_COLUMNS = ["event_ref", "kind", "occurred_on", "location_ref", "indicators", "grading",
                 "grading_scheme", "summary"]


def write_submissions(records: pd.DataFrame, root: Path, *, tag: str = "1",
                      extracted_at: str = "2026-01-01T00:00:00Z") -> tuple[Path, list[Path]]:
    """Contract v1 submissions (one per agency and area) of ``records`` under ``root``.

    ``records`` is shaped like :func:`records`; returns ``(areas.csv, submission folders)``.
    """
    root.mkdir(parents=True, exist_ok=True)
    areas = sorted(records["area"].unique())
    areas_csv = root / "areas.csv"
    pd.DataFrame({"area": areas, "name": areas, "child_population": 50_000}).to_csv(
        areas_csv, index=False)
    folders = []
    frame = records.rename(columns={"dob": "date_of_birth", "phones": "phone",
                                    "emails": "email"})
    for (agency_key, area_key), part in frame.groupby(["agency", "area"], sort=True):
        agency, area = str(agency_key), str(area_key)
        folder = root / f"{agency}-{area}-{tag}"
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {
            "contract": "1", "submission_id": f"{agency}-{area}-{tag}",
            "agency": {"code": agency, "type": AGENCY_TYPES.get(agency, "voluntary"),
                       "name": agency.title()},
            "area": area, "extracted_at": extracted_at,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        part.reindex(columns=PERSON_COLUMNS).to_csv(folder / "persons.csv", index=False)
        pd.DataFrame(columns=EVENT_COLUMNS).to_csv(folder / "events.csv", index=False)
        folders.append(folder)
    return areas_csv, folders
