"""Pure preparation: from the store's frames and resolved identities to sign occurrences.

Everything here is bulk pandas (no per-child loops). Persons carry an integer code ``pk``
beside their ``person_id``: joins and groupings on it are several times faster.
Ethnicity, nationality and religion are dropped on entry so nothing downstream reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.contract import vocabulary
from lantern.screen.config import ScreeningConfig

OCCURRENCE_COLUMNS = ["person_id", "sign", "date", "agency", "agency_type", "event_ref", "kind",
                      "detail"]
PARTS = ["pk", "sign", "date", "ek", "detail"]
PRECISION_RANK = {"day": 3, "month": 2, "year": 1}


@dataclass(frozen=True)
class Frames:
    """The store's frames and resolution results the screening reads."""

    persons: pd.DataFrame
    events: pd.DataFrame
    links: pd.DataFrame
    person_ids: pd.DataFrame
    objects: pd.DataFrame | None = None
    locations: pd.DataFrame | None = None
    object_ids: pd.DataFrame | None = None
    location_ids: pd.DataFrame | None = None


@dataclass(frozen=True)
class Prepared:
    """What the scoring needs, one row per fact."""

    as_of: pd.Timestamp
    children: pd.DataFrame  # pk, person_id, dob, dob_known, area
    occurrences: pd.DataFrame  # pk, then OCCURRENCE_COLUMNS
    responses: pd.DataFrame  # pk, person_id, date, kind, agency
    identified_victims: pd.Index  # person_id


def without_protected(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop ethnicity, nationality and religion (never an input to any flag)."""
    drop = [c for c in frame.columns if c in vocabulary().protected_characteristics]
    return frame.drop(columns=drop)


def parse_dob(dob: pd.Series, precision: pd.Series) -> pd.Series:
    """Dates of birth as timestamps; partial dates at the middle of their period."""
    text = dob.astype("string")
    filled = text.where(precision != "month", text + "-15")
    filled = filled.where(precision != "year", text + "-07-01")
    return pd.to_datetime(filled.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")


def resolve_dobs(persons: pd.DataFrame) -> pd.DataFrame:
    """One date of birth per person_id from conflicting records.

    The most precise values win; among them the most frequent; a tie goes to the most
    recently extracted record.
    """
    known = persons[persons["dob"].notna()].copy()
    known["parsed"] = parse_dob(known["dob"], known["dob_precision"])
    known = known[known["parsed"].notna()]
    if known.empty:
        return pd.DataFrame({"person_id": pd.Series(dtype=object), "dob": pd.Series(
            dtype="datetime64[ns]")})
    known["rank"] = known["dob_precision"].map(PRECISION_RANK).fillna(0)
    best = known.groupby("person_id")["rank"].transform("max")
    known = known[known["rank"] == best]
    known["votes"] = known.groupby(["person_id", "parsed"])["parsed"].transform("size")
    known["extracted"] = known["extracted_at"].map(_stamps(known["extracted_at"]))
    known = known.sort_values(["person_id", "votes", "extracted"], ascending=[True, False, False])
    chosen = known.drop_duplicates("person_id")
    return chosen[["person_id", "parsed"]].rename(columns={"parsed": "dob"})


def _stamps(values: pd.Series) -> pd.Series:
    """Distinct extract stamps parsed once (there are few; parsing each row is slow)."""
    unique = pd.Series(values.dropna().unique())
    return pd.Series(pd.to_datetime(unique.astype(str), errors="coerce", utc=True).to_numpy(),
                     index=unique.to_numpy())


def add_years(dates: pd.Series, years: int) -> pd.Series:
    """``dates`` plus whole years (29 February becomes 1 March)."""
    parts = pd.DataFrame({"year": dates.dt.year + years, "month": dates.dt.month,
                          "day": dates.dt.day})
    shifted = pd.to_datetime(parts, errors="coerce")
    leap = shifted.isna() & dates.notna()
    if leap.any():
        parts.loc[leap, "month"] = 3
        parts.loc[leap, "day"] = 1
        shifted = pd.to_datetime(parts, errors="coerce")
    return shifted


def explode_indicators(events: pd.DataFrame) -> pd.DataFrame:
    """One row per (event key ``ek``, indicator)."""
    ind = pd.DataFrame({"ek": events["ek"].to_numpy(), "indicators": events["indicators"]})
    ind = ind.dropna(subset=["indicators"])
    ind = ind.assign(indicator=ind["indicators"].astype(str).str.split(";"))
    ind = ind.explode("indicator")
    ind["indicator"] = ind["indicator"].str.strip()
    ind = ind[ind["indicator"] != ""]
    return ind[["ek", "indicator"]].drop_duplicates()


def as_of_date(frames: Frames) -> pd.Timestamp:
    """The screening date: the latest extract, or the latest event if that is later."""
    candidates = []
    for frame in (frames.persons, frames.events):
        if "extracted_at" in frame and len(frame):
            stamp = _stamps(frame["extracted_at"]).max()
            if pd.notna(stamp):
                candidates.append(stamp.tz_convert(None).normalize())
    if len(frames.events):
        candidates.append(pd.Timestamp(frames.events["occurred_on"].max()).normalize())
    return max(candidates) if candidates else pd.Timestamp("1970-01-01")


def _keyed_events(frames: Frames, as_of: pd.Timestamp) -> pd.DataFrame:
    """Events up to ``as_of`` with an integer key ``ek`` (merges on ints, not strings)."""
    dates = pd.to_datetime(frames.events["occurred_on"]).dt.normalize()
    events = frames.events[dates <= as_of].reset_index(drop=True)
    events["ek"] = np.arange(len(events))
    events["date"] = dates[dates <= as_of].to_numpy()
    return events


def _keyed_links(frames: Frames, events: pd.DataFrame) -> pd.DataFrame:
    """Every link with its event key ``ek`` (the one string join over the links)."""
    links = frames.links[["agency", "event_ref", "entity", "ref", "role"]]
    return links.merge(events[["agency", "event_ref", "ek"]], on=["agency", "event_ref"])


def _entity_links(links: pd.DataFrame, entity: str) -> pd.DataFrame:
    """Keyed links of one entity kind: ``agency, ek, ref, role``."""
    return links.loc[links["entity"] == entity, ["agency", "ek", "ref", "role"]]


def _person_links(links: pd.DataFrame, events: pd.DataFrame,
                  codes: pd.DataFrame) -> pd.DataFrame:
    """Every person link: ``pk`` (person code), ``ek``, role and the event's date and kind."""
    links = _entity_links(links, "person")
    links = links.merge(codes, left_on=["agency", "ref"], right_on=["agency", "person_ref"])
    ek = links["ek"].to_numpy()
    return pd.DataFrame({
        "pk": links["pk"].to_numpy(), "ek": ek, "role": links["role"].to_numpy(),
        "date": events["date"].to_numpy()[ek], "kind": events["kind"].to_numpy()[ek],
    })


def _shared_entity_signs(child_links: pd.DataFrame, entity_links: pd.DataFrame, sign: str,
                         k: int) -> pd.DataFrame:
    """A child linked to an entity (vehicle, place) that ``k`` other children are linked to.

    The signal's date is when the joined-up records would first show it: the later of the
    child's own first link and the k-th other child's first link.
    """
    pairs = child_links[["pk", "ek", "date"]].merge(entity_links, on="ek")
    if pairs.empty:
        return pd.DataFrame(columns=PARTS)
    pairs = pairs.sort_values(["entity", "date", "pk"]).drop_duplicates(["pk", "entity"])
    pairs["rank"] = pairs.groupby("entity").cumcount()
    kth = pairs[pairs["rank"] == k].set_index("entity")["date"]
    km1 = pairs[pairs["rank"] == k - 1].set_index("entity")["date"]
    other = np.where(pairs["rank"] < k, pairs["entity"].map(kth), pairs["entity"].map(km1))
    pairs["other"] = pd.to_datetime(other)
    pairs = pairs[pairs["other"].notna()]
    pairs["date"] = pairs[["date", "other"]].max(axis=1)
    pairs["detail"] = pairs["name"].astype(str)
    return pairs.assign(sign=sign)[PARTS]


def _entity_codes(links: pd.DataFrame, ids: pd.DataFrame, ref: str, key: str) -> pd.DataFrame:
    found = links.merge(ids[["agency", ref, key]], left_on=["agency", "ref"],
                        right_on=["agency", ref])
    return pd.DataFrame({"ek": found["ek"].to_numpy(), "entity": pd.factorize(found[key])[0],
                         "name": found[key].to_numpy()}).drop_duplicates(["ek", "entity"])


def _network_signs(
    frames: Frames, events: pd.DataFrame, keyed: pd.DataFrame, linked: pd.DataFrame,
    child_links: pd.DataFrame,
    indicators: pd.DataFrame, config: ScreeningConfig, person_ids: np.ndarray,
) -> list[pd.DataFrame]:
    out = []
    rules = config.network
    # Adults flagged by some agency, with the first date of each flag.
    adults = linked[~linked["is_child"] & linked["role"].isin(rules.adult_roles)]
    flags = adults.merge(indicators[indicators["indicator"].isin(rules.adult_flags)], on="ek")
    flags = flags.groupby(["pk", "indicator"])["date"].min().reset_index()
    flags = flags.rename(columns={"pk": "adult", "date": "flagged_on"})
    others = linked[["ek", "pk"]].rename(columns={"pk": "adult"})
    together = child_links[["pk", "ek", "date"]].merge(others, on="ek")
    together = together[together["adult"] != together["pk"]].merge(flags, on="adult")
    if len(together):
        seen = np.datetime_as_string(together["date"].to_numpy(dtype="datetime64[D]"))
        flagged = np.datetime_as_string(
            together["flagged_on"].to_numpy(dtype="datetime64[D]"))
        together["detail"] = ("with person " + pd.Series(person_ids[together["adult"].to_numpy()],
                                                  index=together.index).astype(str)
                              + " on " + seen + ", flagged " + flagged)
        together["date"] = together[["date", "flagged_on"]].max(axis=1)
        together["sign"] = together["indicator"].map(rules.adult_flags)
        out.append(together[PARTS])
    k = rules.min_other_children
    if frames.object_ids is not None and len(frames.object_ids):
        objects = _entity_links(keyed, "object")
        if frames.objects is not None and len(frames.objects):
            kinds = frames.objects[["agency", "object_ref", "kind"]]
            objects = objects.merge(kinds, left_on=["agency", "ref"],
                                    right_on=["agency", "object_ref"])
            objects = objects[objects["kind"] == "vehicle"]
        vehicles = _entity_codes(objects, frames.object_ids, "object_ref", "object_id")
        out.append(_shared_entity_signs(child_links, vehicles, "shared_vehicle", k))
    if frames.location_ids is not None and len(frames.location_ids):
        places = pd.concat([
            _entity_links(keyed, "location")[["agency", "ek", "ref"]],
            events[["agency", "ek", "location_ref"]].dropna(subset=["location_ref"])
            .rename(columns={"location_ref": "ref"}),
        ])
        if frames.locations is not None and len(frames.locations):
            kinds = frames.locations[["agency", "location_ref", "kind"]]
            places = places.merge(kinds, left_on=["agency", "ref"],
                                  right_on=["agency", "location_ref"], how="left")
            places = places[~places["kind"].isin(rules.ignored_place_kinds)]
        codes = _entity_codes(places, frames.location_ids, "location_ref", "location_id")
        out.append(_shared_entity_signs(child_links, codes, "shared_place", k))
    return out


def prepare(
    frames: Frames, config: ScreeningConfig, *, as_of: pd.Timestamp | None = None
) -> Prepared:
    """Children, their sign occurrences (indicators and derived signs) and responses."""
    vocab = vocabulary()
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else as_of_date(frames)
    ids = frames.person_ids[["agency", "person_ref", "person_id"]]
    pk, person_ids = pd.factorize(ids["person_id"])
    codes = ids[["agency", "person_ref"]].assign(pk=pk)
    persons = without_protected(frames.persons).merge(codes, on=["agency", "person_ref"])
    dobs = resolve_dobs(persons.assign(person_id=persons["pk"]))
    dob = np.full(len(person_ids), np.datetime64("NaT"), dtype="datetime64[ns]")
    dob[dobs["person_id"].to_numpy(dtype=np.int64)] = dobs["dob"].to_numpy()

    events = _keyed_events(frames, as_of)
    keyed = _keyed_links(frames, events)
    linked = _person_links(keyed, events, codes)
    linked["dob"] = dob[linked["pk"].to_numpy()]
    adult_from = add_years(linked["dob"], config.child.adult_age_years)
    linked["is_child"] = linked["date"] < adult_from
    indicators = explode_indicators(events)
    child_ind = indicators[indicators["indicator"].isin(config.indicators)]

    if config.child.unknown_dob == "with_child_signs":
        unknown = linked[linked["dob"].isna()
                         & linked["role"].isin(config.child.unknown_dob_roles)]
        unknown = unknown[unknown["ek"].isin(child_ind["ek"])]
        linked.loc[linked["pk"].isin(unknown["pk"]), "is_child"] = True

    child_rows = linked[linked["is_child"]]
    child_links = child_rows[child_rows["role"].isin(config.child.sign_roles)]
    signs = child_links[["pk", "ek", "date"]].merge(child_ind, on="ek")
    parts = [signs.rename(columns={"indicator": "sign"}).assign(detail=None)[PARTS]]
    as_victim = child_rows[child_rows["role"] == "victim"]
    abuse = as_victim[as_victim["ek"].isin(
        indicators.loc[indicators["indicator"].isin(vocab.victim_indicators), "ek"])]
    parts.append(abuse.assign(sign="victim_of_sexual_abuse_report", detail=None)[PARTS])
    parts.extend(_network_signs(frames, events, keyed, linked, child_links, indicators, config,
                                np.asarray(person_ids)))
    occ = pd.concat([p for p in parts if len(p)] or [parts[0]], ignore_index=True)
    occ = occ.drop_duplicates(["pk", "sign", "ek"])
    ek = occ["ek"].to_numpy(dtype=np.int64)
    occurrences = pd.DataFrame({
        "pk": occ["pk"].to_numpy(dtype=np.int64),
        "person_id": person_ids[occ["pk"].to_numpy(dtype=np.int64)], "sign": occ["sign"],
        "date": pd.to_datetime(occ["date"]).to_numpy(),
        **{c: events[c].to_numpy()[ek] for c in ("agency", "agency_type", "event_ref", "kind")},
        "detail": occ["detail"].to_numpy(),
    })

    victim_pk = pd.concat([as_victim.loc[as_victim["kind"].isin(vocab.victim_event_kinds), "pk"],
                           abuse["pk"]]).unique()
    child_rows = child_rows.assign(area=events["area"].to_numpy()[child_rows["ek"].to_numpy()])
    areas = (child_rows.groupby(["pk", "area"], as_index=False)
             .agg(n=("date", "size"), last=("date", "max"))
             .sort_values(["pk", "n", "last", "area"], ascending=[True, False, False, True])
             .drop_duplicates("pk"))
    child_pk = areas["pk"].to_numpy(dtype=np.int64)
    children = pd.DataFrame({"pk": child_pk, "person_id": person_ids[child_pk],
                             "area": areas["area"].to_numpy(), "dob": dob[child_pk]})
    children["dob_known"] = children["dob"].notna()
    responses = child_rows[child_rows["kind"].isin(config.missed.response_kinds)]
    rek = responses["ek"].to_numpy(dtype=np.int64)
    responses = pd.DataFrame({
        "pk": responses["pk"].to_numpy(dtype=np.int64),
        "person_id": person_ids[responses["pk"].to_numpy(dtype=np.int64)],
        "date": responses["date"].to_numpy(), "kind": responses["kind"].to_numpy(),
        "agency": events["agency"].to_numpy()[rek]}).drop_duplicates()
    return Prepared(
        as_of=as_of,
        children=children.sort_values("person_id", ignore_index=True),
        occurrences=occurrences,
        responses=responses.reset_index(drop=True),
        identified_victims=pd.Index(person_ids[victim_pk.astype(np.int64)]),
    )
