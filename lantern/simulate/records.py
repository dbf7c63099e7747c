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
    true_links: pd.DataFrame  # ev, tid, role, agency, agency_type, area, kind, date, indicators


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
    key = pd.MultiIndex.from_frame(agencies[["agency_type", "area_index"]])
    code = pd.Series(agencies.agency.to_numpy(), index=key)
    ev = events.copy()
    ev["agency"] = code.reindex(pd.MultiIndex.from_arrays([ev.agency_type, ev.area])).to_numpy()
    ev["year"] = ev.date.dt.year
    ev["area_code"] = areas.area.to_numpy()[ev.area.to_numpy()]
    ev["submission_id"] = ev.agency + "-" + ev.area_code + "-" + ev.year.astype(str)
    ev = ev.sort_values(["agency", "date", "ev"], kind="stable", ignore_index=True)
    codes = pd.factorize(ev.agency)[0]
    first = np.searchsorted(codes, codes, "left") if (np.diff(codes) >= 0).all() else None
    assert first is not None  # sorted by agency just above
    number = np.arange(len(ev)) - first + 1
    ev["event_ref"] = np.strings.add(
        np.strings.add(ev.agency.to_numpy(dtype=str), "-E"), zpad(number, 7)
    ).astype(object)
    day = np.datetime_as_string(ev.date.to_numpy().astype("datetime64[D]"), unit="D")
    timed = ((ev.agency_type == "police") & (rng.random(len(ev)) < 0.3)).to_numpy()
    clock = np.strings.add(
        np.strings.add(np.strings.add("T", zpad(rng.integers(0, 24, len(ev)), 2)), ":"),
        zpad(rng.integers(0, 60, len(ev)), 2),
    )
    ev["occurred_on"] = np.where(
        timed, np.strings.add(np.strings.add(day, clock), ":00"), day
    ).astype(object)
    summary = ev.kind.map(SUMMARIES)
    ev["summary"] = summary.where(rng.random(len(ev)) < 0.5, None)
    return ev


def _dob_strings(rng: np.random.Generator, dob: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Dates of birth with each agency's habits: missing, partial, day/month swapped, off by one."""
    n = dob.size
    iso = np.datetime_as_string(dob.astype("datetime64[D]"), unit="D")
    y, m, d = (np.strings.slice(iso, a, b) for a, b in ((0, 4), (5, 7), (8, 10)))
    shift = np.where(rng.random(n) < 0.5, 1, -1) * np.where(rng.random(n) < 0.7, 1, 365)
    off = np.datetime_as_string(dob.astype("datetime64[D]") + shift, unit="D")
    swappable = (d.astype(int) <= 12) & (d != m)
    u = rng.random(n)
    p_miss, p_part = _prob(types, "dob_missing"), _prob(types, "dob_partial")
    p_swap, p_off = _prob(types, "dob_swap"), _prob(types, "dob_off")
    c1, c2, c3 = p_miss, p_miss + p_part, p_miss + p_part + p_swap
    add = np.strings.add
    partial = np.where(rng.random(n) < 0.5, add(add(y, "-"), m), y)
    swapped = add(add(add(add(y, "-"), d), "-"), m)
    text = np.select(
        [u < c2, (u < c3) & swappable, u < c3 + p_off], [partial, swapped, off], default=iso
    ).astype(object)
    text[u < c1] = None
    return text


def person_records(rng: np.random.Generator, pop: Population, pl: pd.DataFrame) -> pd.DataFrame:
    """One row per (agency, person, variant): the fields as that agency holds them."""
    recs = pl[["agency", "agency_type", "tid", "variant"]].drop_duplicates(ignore_index=True)
    recs = recs.sort_values(["agency", "tid", "variant"], ignore_index=True)
    recs["person_ref"] = _refs(rng, recs.agency, "", 7)
    p = pop.persons.set_index("tid").loc[recs.tid.to_numpy()].reset_index()
    types = recs.agency_type.to_numpy()
    n = len(recs)
    alias_only = (recs.variant == 2).to_numpy()
    kind = p.kind.to_numpy()
    fore = names.apply_nicknames(rng, p.forename, rng.random(n) < _prob(types, "nickname"))
    fore = names.apply_typos(rng, fore, rng.random(n) < _prob(types, "typo"))
    sur = names.apply_typos(rng, p.surname, rng.random(n) < _prob(types, "typo"))
    out = pd.DataFrame({"person_ref": recs.person_ref})
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
    out.insert(0, "agency", recs.agency)
    out["tid"] = recs.tid
    out["variant"] = recs.variant
    out["agency_type"] = recs.agency_type
    return out


def choose_variants(rng: np.random.Generator, pop: Population, pl: pd.DataFrame) -> pd.DataFrame:
    """Which record of a person each link uses: main, in-agency duplicate, or alias only."""
    pairs = pl[["agency", "agency_type", "tid"]].drop_duplicates().sort_values(["agency", "tid"])
    has_dup = rng.random(len(pairs)) < _prob(pairs.agency_type.to_numpy(), "duplicate")
    dup = pd.Series(has_dup, index=pd.MultiIndex.from_frame(pairs[["agency", "tid"]]))
    link_dup = dup.reindex(pd.MultiIndex.from_frame(pl[["agency", "tid"]])).to_numpy()
    alias = pop.persons.alias.notna().to_numpy()[pl.tid.to_numpy()]
    alias_use = alias & pl.kind.isin(["intelligence_report", "disclosure"]).to_numpy()
    alias_use &= rng.random(len(pl)) < 0.35
    use_dup = link_dup & (rng.random(len(pl)) < 0.5)
    pl = pl.copy()
    pl["variant"] = np.where(alias_use, 2, np.where(use_dup, 1, 0))
    return pl


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
    ctx = ev[["ev", "agency", "agency_type", "kind", "submission_id", "event_ref"]]
    links = links.merge(ctx, on="ev", how="left", validate="many_to_one")
    pl = choose_variants(rng, pop, links[links.entity == "person"].rename(columns={"id": "tid"}))
    precs = person_records(rng, pop, pl)
    pl = pl.merge(
        precs[["agency", "tid", "variant", "person_ref"]], on=["agency", "tid", "variant"]
    )
    ol = links[links.entity == "object"].rename(columns={"id": "oid"})
    orecs = _object_records(rng, pop, ol)
    ol = ol.merge(orecs[["agency", "oid", "object_ref"]], on=["agency", "oid"])
    on_event = ev.loc[ev.lid >= 0, ["agency", "lid", "submission_id"]]
    ll = links[links.entity == "location"].rename(columns={"id": "lid"})
    lrecs = _location_records(
        rng, pop, pd.concat([on_event, ll[["agency", "lid", "submission_id"]]])
    )
    ll = ll.merge(lrecs[["agency", "lid", "location_ref"]], on=["agency", "lid"])
    loc_ref = lrecs.set_index(["agency", "lid"]).location_ref
    ev["location_ref"] = loc_ref.reindex(pd.MultiIndex.from_frame(ev[["agency", "lid"]])).to_numpy()
    out_links = pd.concat(
        [
            pl[["submission_id", "event_ref", "entity", "person_ref", "role"]].rename(
                columns={"person_ref": "ref"}
            ),
            ol[["submission_id", "event_ref", "entity", "object_ref", "role"]].rename(
                columns={"object_ref": "ref"}
            ),
            ll[["submission_id", "event_ref", "entity", "location_ref", "role"]].rename(
                columns={"location_ref": "ref"}
            ),
        ],
        ignore_index=True,
    )
    in_sub = pl[["submission_id", "agency", "person_ref"]].drop_duplicates()
    persons = in_sub.merge(
        precs.drop(columns=["tid", "variant", "agency_type"]), on=["agency", "person_ref"]
    )
    objects = (
        ol[["submission_id", "agency", "object_ref"]]
        .drop_duplicates()
        .merge(orecs.drop(columns="oid"), on=["agency", "object_ref"])
    )
    loc_sub = pd.concat([on_event, ll[["agency", "lid", "submission_id"]]]).drop_duplicates()
    locations = loc_sub.merge(lrecs, on=["agency", "lid"]).drop(columns="lid")
    true_links = pl.merge(ev[["ev", "area", "date", "indicators"]], on="ev")
    return Recorded(
        events=ev,
        links=out_links,
        persons=persons,
        objects=objects,
        locations=locations,
        person_truth=precs[["agency", "agency_type", "person_ref", "tid", "variant"]],
        object_truth=orecs[["agency", "object_ref", "oid", "kind"]],
        location_truth=lrecs[["agency", "location_ref", "lid", "kind"]],
        true_links=true_links[
            ["ev", "tid", "role", "agency", "agency_type", "area", "kind", "date", "indicators"]
        ],
    )
