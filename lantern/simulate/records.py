"""How agencies record the true world: refs, duplicates, aliases and noisy fields."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.simulate import formats, names
from lantern.simulate.config import AGENCY_TYPES, NOISE
from lantern.simulate.events import where_or_none
from lantern.simulate.formats import zpad
from lantern.simulate.population import Population

SUMMARIES = {
    "missing_episode": "Reported missing; returned or found later.",
    "return_interview": "Return home interview after a missing episode.",
    "stop_check": "Child found with adults during a stop check.",
    "intelligence_report": "Intelligence received about the people and places named.",
    "crime_report": "Crime recorded.",
    "referral": "Referral received by children's services.",
    "strategy_meeting": "Multi-agency strategy meeting held.",
    "welfare_concern": "Welfare concern raised by school staff.",
    "outreach_contact": "Contact by outreach worker.",
    "disclosure": "Young person disclosed harm to a worker.",
}


@dataclass
class Recorded:
    """Everything the agencies hold, keyed by submission, plus the identity truth."""

    events: pd.DataFrame  # submission_id, agency, area, year, event columns
    links: pd.DataFrame  # submission_id, event_ref, entity, ref, role
    persons: pd.DataFrame  # submission_id + persons.csv columns
    objects: pd.DataFrame  # submission_id + objects.csv columns
    locations: pd.DataFrame  # submission_id + locations.csv columns
    person_truth: pd.DataFrame  # agency, agency_type, person_ref, tid, variant
    object_truth: pd.DataFrame  # agency, object_ref, oid
    location_truth: pd.DataFrame  # agency, location_ref, lid
    true_links: pd.DataFrame  # ev, tid, role, agency, agency_type, area, kind, date


def _prob(types: np.ndarray, field: str) -> np.ndarray:
    table = np.array([getattr(NOISE[t], field) for t in AGENCY_TYPES])
    return table[pd.Index(AGENCY_TYPES).get_indexer(pd.Index(types))]


def _refs(rng: np.random.Generator, agency: pd.Series, tag: str, width: int) -> pd.Series:
    """Per-agency refs numbered in a random order (refs reveal nothing about identity)."""
    codes, _ = pd.factorize(agency, sort=True)
    order = np.lexsort((rng.random(len(agency)), codes))
    starts = np.searchsorted(codes[order], codes[order], "left")
    rank = np.empty(len(agency), dtype=np.int64)
    rank[order] = np.arange(len(agency)) - starts + 1
    text = np.strings.add(np.strings.add(agency.to_numpy(dtype=str), f"-{tag}"), zpad(rank, width))
    return pd.Series(text.astype(object), index=agency.index)


def assign_events(
    rng: np.random.Generator, events: pd.DataFrame, agencies: pd.DataFrame, areas: pd.DataFrame
) -> pd.DataFrame:
    """Each event's agency, submission and ref (numbered by date within the agency)."""
    add = np.strings.add
    table = np.full((len(AGENCY_TYPES), len(areas)), "", dtype=object)
    types = pd.Index(AGENCY_TYPES).get_indexer(pd.Index(agencies.agency_type))
    table[types, agencies.area_index.to_numpy()] = agencies.agency.to_numpy()
    type_idx = pd.Index(AGENCY_TYPES).get_indexer(pd.Index(events.agency_type))
    area = events.area.to_numpy()
    agency = table[type_idx, area]
    date = events.date.to_numpy().astype("datetime64[D]")
    year = date.astype("datetime64[Y]").astype(np.int64) + 1970
    agency_code = pd.factorize(agency, sort=True)[0]
    order = np.lexsort((events.ev.to_numpy(), date, agency_code))
    cols = {c: events[c].to_numpy()[order] for c in events.columns}
    agency, area, year, date = agency[order], area[order], year[order], date[order]
    codes = agency_code[order]
    number = np.arange(len(order)) - np.searchsorted(codes, codes, "left") + 1
    agency_s = agency.astype(str)
    area_code = areas.area.to_numpy().astype(str)[area]
    cols["agency"] = agency
    cols["year"] = year
    cols["area_code"] = area_code.astype(object)
    cols["submission_id"] = add(
        add(add(add(agency_s, "-"), area_code), "-"), year.astype(str)
    ).astype(object)
    cols["event_ref"] = add(add(agency_s, "-E"), zpad(number, 7)).astype(object)
    day = np.datetime_as_string(date, unit="D")
    n = len(order)
    timed = (cols["agency_type"] == "police") & (rng.random(n) < 0.3)
    clock = add(
        add(add("T", zpad(rng.integers(0, 24, n), 2)), ":"), zpad(rng.integers(0, 60, n), 2)
    )
    cols["occurred_on"] = np.where(timed, add(add(day, clock), ":00"), day).astype(object)
    summary = pd.Series(cols["kind"]).map(SUMMARIES).to_numpy()
    cols["summary"] = where_or_none(rng.random(n) < 0.5, summary)
    return pd.DataFrame(cols)


def _dob_strings(rng: np.random.Generator, dob: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Dates of birth with each agency's habits: missing, partial, day/month swapped, off by one."""
    n = dob.size
    day = dob.astype("datetime64[D]")
    iso = np.datetime_as_string(day, unit="D")
    u, half = rng.random(n), rng.random(n) < 0.5
    shift = np.where(rng.random(n) < 0.5, 1, -1) * np.where(rng.random(n) < 0.7, 1, 365)
    month = (day.astype("datetime64[M]") - day.astype("datetime64[Y]")).astype(int) + 1
    dom = (day - day.astype("datetime64[M]")).astype(int) + 1
    p_miss, p_part = _prob(types, "dob_missing"), _prob(types, "dob_partial")
    p_swap, p_off = _prob(types, "dob_swap"), _prob(types, "dob_off")
    c1, c2, c3 = p_miss, p_miss + p_part, p_miss + p_part + p_swap
    text = iso.astype(object)
    part = np.flatnonzero((u >= c1) & (u < c2))  # only the noisy few are rewritten
    text[part] = np.where(half[part], np.strings.slice(iso[part], 0, 7),
                          np.strings.slice(iso[part], 0, 4))  # fmt: skip
    swap_mask = (u >= c2) & (u < c3) & (dom <= 12) & (dom != month)
    swap = np.flatnonzero(swap_mask)
    y, m, d = (np.strings.slice(iso[swap], a, b) for a, b in ((0, 4), (5, 7), (8, 10)))
    add = np.strings.add
    text[swap] = add(add(add(add(y, "-"), d), "-"), m) if swap.size else text[swap]
    off = np.flatnonzero((u >= c2) & (u < c3 + p_off) & ~swap_mask)
    text[off] = np.datetime_as_string(day[off] + shift[off], unit="D")
    text[u < c1] = None
    return text


def _record_keys(pl: pd.DataFrame, n_persons: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct (agency, tid, variant) records, sorted, and each link's record index."""
    acode, agencies = pd.factorize(pl.agency, sort=True)
    key = (acode.astype(np.int64) * n_persons + pl.tid.to_numpy()) * 3 + pl.variant.to_numpy()
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    recs = pd.DataFrame({
        "agency": np.asarray(agencies, dtype=object)[uniq // 3 // n_persons],
        "agency_type": pl.agency_type.to_numpy()[first],
        "tid": uniq // 3 % n_persons,
        "variant": uniq % 3,
    })  # fmt: skip
    return recs, inv


def person_records(rng: np.random.Generator, pop: Population, recs: pd.DataFrame) -> pd.DataFrame:
    """One row per (agency, person, variant): the fields as that agency holds them."""
    recs = recs.copy()
    recs["person_ref"] = _refs(rng, recs.agency, "", 7)
    p = pop.persons.set_index("tid").loc[recs.tid.to_numpy()].reset_index()
    types = recs.agency_type.to_numpy()
    n = len(recs)
    alias_only = (recs.variant == 2).to_numpy()
    kind = p.kind.to_numpy()
    fore = names.apply_nicknames(rng, p.forename, rng.random(n) < _prob(types, "nickname"))
    fore = names.apply_typos(rng, fore, rng.random(n) < _prob(types, "typo"))
    sur = names.apply_typos(rng, p.surname, rng.random(n) < _prob(types, "typo"))
    out: dict[str, object] = {
        "agency": recs.agency.to_numpy(),
        "person_ref": recs.person_ref.to_numpy(),
    }
    out["forename"] = fore.where(~alias_only, None)
    out["middle_names"] = p.middle_names.where(
        (rng.random(n) < _prob(types, "middle")) & ~alias_only, None
    )
    out["surname"] = sur.where(~alias_only, None)
    show_alias = p.alias.notna() & ((rng.random(n) < 0.5) | alias_only) & (types == "police")
    out["aliases"] = p.alias.where(show_alias | alias_only, None)
    dob_text = _dob_strings(rng, p.dob.to_numpy(), types)
    dob_text[alias_only] = None
    out["date_of_birth"] = dob_text
    sex = p.sex.where(rng.random(n) >= _prob(types, "sex_blank"), None)
    out["sex"] = sex
    has_addr = (rng.random(n) < _prob(types, "address")) & ~alias_only
    out["address"] = formats.format_addresses(p.address, rng.integers(0, 4, n), has_addr).to_numpy()
    has_pc = (rng.random(n) < _prob(types, "postcode")) & ~alias_only
    out["postcode"] = formats.format_postcodes(p.postcode, rng.integers(0, 4, n), has_pc).to_numpy()
    has_mob = (rng.random(n) < _prob(types, "phone")) & ~alias_only
    mob = formats.format_phones(p.mobile, rng.integers(0, 5, n), has_mob).to_numpy()
    has_land = np.isin(types, ["social_care", "health"]) & (rng.random(n) < 0.3) & ~alias_only
    land = formats.format_phones(p.landline, rng.integers(0, 5, n), has_land).to_numpy()
    both = pd.notna(mob) & pd.notna(land)
    phone = np.where(pd.notna(mob), mob, land)
    if both.any():
        phone[both] = mob[both] + ";" + land[both]
    out["phone"] = phone
    person = np.isin(kind, ["child", "hard_negative", "victim", "parent"])
    want = person & (rng.random(n) < _prob(types, "email")) & ~alias_only
    ids = rng.integers(1, 99, n)
    email = np.full(n, None, dtype=object)
    w = np.flatnonzero(want)
    email[w] = (p.forename.to_numpy()[w] + "." + p.surname.to_numpy()[w]).astype(str)
    if w.size:
        email[w] = np.strings.add(
            np.strings.add(np.strings.lower(email[w].astype(str)), ids[w].astype(str)),
            "@example.com",
        )
    out["email"] = email
    out["nhs_number"] = p.nhs_number.where(rng.random(n) < _prob(types, "nhs"), None)
    out["upn"] = p.upn.where(rng.random(n) < _prob(types, "upn"), None)
    recorded = rng.random(n) < _prob(types, "ethnicity") * np.where(kind == "offender", 0.55, 1.0)
    unrecorded = where_or_none(rng.random(n) < 0.3, "NS")
    out["ethnicity"] = np.where(recorded & ~alias_only, p.ethnicity, unrecorded)
    out["tid"] = recs.tid.to_numpy()
    out["variant"] = recs.variant.to_numpy()
    out["agency_type"] = recs.agency_type.to_numpy()
    return pd.DataFrame(
        {
            k: np.asarray(v, dtype=object) if k not in ("tid", "variant") else v
            for k, v in out.items()
        }
    )  # built once: no block consolidation


def choose_variants(rng: np.random.Generator, pop: Population, pl: pd.DataFrame) -> np.ndarray:
    """Which record of a person each link uses: main (0), in-agency duplicate (1), alias (2)."""
    acode = pd.factorize(pl.agency, sort=True)[0].astype(np.int64)
    pair = acode * len(pop.persons) + pl.tid.to_numpy()
    _, first, inv = np.unique(pair, return_index=True, return_inverse=True)
    has_dup = rng.random(first.size) < _prob(pl.agency_type.to_numpy()[first], "duplicate")
    link_dup = has_dup[inv]
    alias = pop.persons.alias.notna().to_numpy()[pl.tid.to_numpy()]
    alias_use = alias & np.isin(pl.kind.to_numpy(), ["intelligence_report", "disclosure"])
    alias_use &= rng.random(len(pl)) < 0.35
    use_dup = link_dup & (rng.random(len(pl)) < 0.5)
    return np.where(alias_use, 2, np.where(use_dup, 1, 0))


def _object_records(rng: np.random.Generator, pop: Population, ol: pd.DataFrame) -> pd.DataFrame:
    recs = ol[["agency", "oid"]].drop_duplicates().sort_values(["agency", "oid"], ignore_index=True)
    recs["object_ref"] = _refs(rng, recs.agency, "OB", 6)
    o = pop.objects.set_index("oid").loc[recs.oid.to_numpy()].reset_index()
    n = len(recs)
    phone = formats.format_phones(o.value, rng.integers(0, 5, n), (o.kind == "phone").to_numpy())
    vrm = formats.format_vrms(o.value, rng.integers(0, 3, n), (o.kind == "vehicle").to_numpy())
    recs["kind"] = o.kind
    recs["value"] = np.where(o.kind == "phone", phone, vrm)
    recs["description"] = o.description.where(rng.random(n) < 0.7, None)
    return recs


def _location_records(rng: np.random.Generator, pop: Population, ll: pd.DataFrame) -> pd.DataFrame:
    recs = ll[["agency", "lid"]].drop_duplicates().sort_values(["agency", "lid"], ignore_index=True)
    recs["location_ref"] = _refs(rng, recs.agency, "L", 6)
    pl = pop.places.set_index("lid").loc[recs.lid.to_numpy()].reset_index()
    n = len(recs)
    recs["kind"] = pl.kind
    the = pl.name.notna() & (rng.random(n) < 0.3)
    recs["name"] = pl.name.where(~the, "The " + pl.name.fillna(""))
    recs["address"] = formats.format_addresses(pl.address, rng.integers(0, 4, n))
    recs["postcode"] = formats.format_postcodes(pl.postcode, rng.integers(0, 4, n))
    coords = rng.random(n) < 0.5
    recs["latitude"] = pl.latitude.where(coords, None)
    recs["longitude"] = pl.longitude.where(coords, None)
    return recs


def record_world(
    rng: np.random.Generator,
    pop: Population,
    events: pd.DataFrame,
    links: pd.DataFrame,
    agencies: pd.DataFrame,
    areas: pd.DataFrame,
) -> Recorded:
    """Agency refs and noisy values for every true event, link, person, object and place."""
    ev = assign_events(rng, events, agencies, areas)
    row_of = np.zeros(int(ev.ev.max()) + 1 if len(ev) else 0, dtype=np.int64)
    row_of[ev.ev.to_numpy()] = np.arange(len(ev))
    at = row_of[links.ev.to_numpy()]  # each link's event row
    context = ("agency", "agency_type", "kind", "submission_id", "event_ref", "area", "date")
    frame = {c: links[c].to_numpy() for c in ("ev", "entity", "id", "role")}
    frame.update({c: ev[c].to_numpy()[at] for c in context})
    entity = frame["entity"]
    person = entity == "person"
    pl = pd.DataFrame({k: v[person] for k, v in frame.items()}).rename(columns={"id": "tid"})
    pl["variant"] = choose_variants(rng, pop, pl)
    keys, rec_of_link = _record_keys(pl, len(pop.persons))
    precs = person_records(rng, pop, keys)
    pl["person_ref"] = precs.person_ref.to_numpy()[rec_of_link]
    others = pd.DataFrame({k: v[~person] for k, v in frame.items()})
    ol = others[others.entity == "object"].rename(columns={"id": "oid"})
    orecs = _object_records(rng, pop, ol)
    ol = ol.merge(orecs[["agency", "oid", "object_ref"]], on=["agency", "oid"])
    on_event = ev.loc[ev.lid >= 0, ["agency", "lid", "submission_id"]]
    ll = others[others.entity == "location"].rename(columns={"id": "lid"})
    lrecs = _location_records(
        rng, pop, pd.concat([on_event, ll[["agency", "lid", "submission_id"]]])
    )
    ll = ll.merge(lrecs[["agency", "lid", "location_ref"]], on=["agency", "lid"])
    loc_ref = lrecs.set_index(["agency", "lid"]).location_ref
    ev["location_ref"] = loc_ref.reindex(pd.MultiIndex.from_frame(ev[["agency", "lid"]])).to_numpy()
    link_cols = ["submission_id", "event_ref", "entity", "ref", "role"]
    out_links = pd.concat(
        [
            pl.rename(columns={"person_ref": "ref"})[link_cols],
            ol.rename(columns={"object_ref": "ref"})[link_cols],
            ll.rename(columns={"location_ref": "ref"})[link_cols],
        ],
        ignore_index=True,
    )
    # Persons of each submission: distinct (submission, record) pairs, as integers.
    scode, sids = pd.factorize(pl.submission_id, sort=True)
    pair = np.unique(scode.astype(np.int64) * len(precs) + rec_of_link)
    persons = precs.drop(columns=["tid", "variant", "agency_type"]).iloc[pair % len(precs)]
    persons.insert(0, "submission_id", np.asarray(sids, dtype=object)[pair // len(precs)])
    objects = (
        ol[["submission_id", "agency", "object_ref"]]
        .drop_duplicates()
        .merge(orecs.drop(columns="oid"), on=["agency", "object_ref"])
    )
    loc_sub = pd.concat([on_event, ll[["agency", "lid", "submission_id"]]]).drop_duplicates()
    locations = loc_sub.merge(lrecs, on=["agency", "lid"]).drop(columns="lid")
    return Recorded(
        events=ev,
        links=out_links,
        persons=persons.reset_index(drop=True),
        objects=objects,
        locations=locations,
        person_truth=precs[["agency", "agency_type", "person_ref", "tid", "variant"]],
        object_truth=orecs[["agency", "object_ref", "oid", "kind"]],
        location_truth=lrecs[["agency", "location_ref", "lid", "kind"]],
        true_links=pl[["ev", "tid", "role", "agency", "agency_type", "area", "kind", "date"]],
    )
