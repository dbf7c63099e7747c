"""Building the network from resolved records: pure, DataFrames in and DataFrames out.

Nodes are people, objects (vehicles, phones, accounts) and places. Every tie comes from
evidence: entities linked to the same event (weighted by event kind, intelligence grading,
recency and the roles they played), a suspect's home address matched to a recorded place,
and a person's phone number that is also a recorded phone. A pair's tie strength is
``1 - exp(-evidence / saturation)``. Ethnicity is never read here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.network.codes import (
    days,
    from_days,
    join_per_key,
    joint_codes,
    lookup,
    record_keys,
    runs,
)
from lantern.network.config import NetworkConfig

# Columns the builder reads; anything else (ethnicity included) is dropped on entry.
PERSON_COLUMNS = ["agency", "person_ref", "person_id", "area", "dob", "address", "postcode",
                  "phones"]
EVENT_COLUMNS = ["agency", "event_ref", "kind", "occurred_on", "location_ref", "grading",
                 "grading_scheme", "area"]
LINK_COLUMNS = ["agency", "event_ref", "entity", "ref", "role"]
OBJECT_COLUMNS = ["agency", "object_ref", "object_id", "kind", "area", "label"]
LOCATION_COLUMNS = ["agency", "location_ref", "location_id", "area", "label", "address",
                    "postcode"]

ADULT_AGE = 18.0
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class NetworkInputs:
    """Current agency records with their resolved ids attached (see ``stage.read_inputs``)."""

    persons: pd.DataFrame
    events: pd.DataFrame
    links: pd.DataFrame
    objects: pd.DataFrame
    locations: pd.DataFrame
    area_names: pd.Series | None = None  # area code by its display name (areas.csv)


@dataclass(frozen=True)
class Network:
    """The built network, keyed by integer codes.

    ``nodes``: node_id, kind (person|vehicle|phone|online_account|place|address), label,
    areas, is_child, is_suspect, role; sorted by node_id, and a node's *code* is its row
    number. ``edges``: source, target (node ids, source < target), evidence, weight,
    n_events, first_seen, last_seen; ``ends`` holds the two node codes of each edge.
    ``events``: agency, event_ref, kind, occurred_on, area, grading, grading_scheme,
    event_weight; an event's code is its row number. ``incidence``: one row per entity in
    an event (event, node: codes; person: whether the node is a person; role,
    role_weight, is_child_at), sorted by event then node.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    ends: np.ndarray
    events: pd.DataFrame
    incidence: pd.DataFrame


def _select(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.reindex(columns=columns).copy()
    return out


def grading_factor(events: pd.DataFrame, config: NetworkConfig) -> pd.Series:
    """Source x intelligence factor of each event's grading (1 for ungraded records).

    Computed once per distinct (kind is intelligence, grading, scheme): a national store
    has millions of events but a few dozen gradings."""
    keys = pd.DataFrame({"intel": (events["kind"] == "intelligence_report").to_numpy(),
                         "grading": events["grading"].to_numpy(),
                         "scheme": events["grading_scheme"].to_numpy()})
    combo = keys.groupby(list(keys.columns), dropna=False, sort=False).ngroup().to_numpy()
    first = np.unique(combo, return_index=True)[1]
    distinct = pd.DataFrame({
        "kind": np.where(keys["intel"].to_numpy()[first], "intelligence_report", ""),
        "grading": keys["grading"].to_numpy()[first],
        "grading_scheme": keys["scheme"].to_numpy()[first]})
    return pd.Series(_grading_rows(distinct, config)[combo], index=events.index)


def _grading_rows(events: pd.DataFrame, config: NetworkConfig) -> np.ndarray:
    factor = np.full(len(events), np.nan)
    raw = events["grading"]
    graded = (raw.notna() & (raw.astype(str).str.strip() != "")).to_numpy()
    grading = raw[graded].astype(str).str.strip().str.upper().reset_index(drop=True)
    scheme = events["grading_scheme"][graded].fillna("3x5x2").astype(str).replace(
        "", "3x5x2").reset_index(drop=True)
    positions = np.flatnonzero(graded)
    for name, factors in config.grading.schemes.items():
        mask = ((scheme == name) & (grading.str.len() >= 2)).to_numpy()
        if not mask.any():
            continue
        source = grading[mask].str[0].map({k.upper(): v for k, v in factors.source.items()})
        intel = grading[mask].str[1].map({k.upper(): v for k, v in factors.intelligence.items()})
        factor[positions[mask]] = (source * intel).to_numpy(dtype=float)
    is_intel = (events["kind"] == "intelligence_report").to_numpy()
    ungraded = np.isnan(factor)
    factor[ungraded & is_intel] = config.grading.ungraded_intelligence
    factor[ungraded & ~is_intel] = config.grading.ungraded_other
    return factor


def recency_factor(occurred_on: pd.Series, config: NetworkConfig) -> pd.Series:
    """Half-life decay from the newest event, never below the floor."""
    dates = pd.to_datetime(occurred_on)
    if dates.notna().sum() == 0:
        return pd.Series(1.0, index=occurred_on.index)
    age_years = (dates.max() - dates).dt.days.fillna(0) / DAYS_PER_YEAR
    decay = pd.Series(np.power(0.5, age_years / config.recency.half_life_years),
                      index=occurred_on.index)
    return decay.clip(lower=config.recency.floor)


def event_weights(events: pd.DataFrame, config: NetworkConfig) -> pd.Series:
    kind = events["kind"].map(config.event_kinds).fillna(config.default_event_kind)
    return kind * grading_factor(events, config) * recency_factor(events["occurred_on"], config)


def address_key(address: pd.Series, postcode: pd.Series) -> pd.Series:
    """Postcode plus house number (or the start of the address): a cheap same-place key."""
    pc = postcode.fillna("").astype(str).str.upper().str.replace(r"\s+", "", regex=True)
    text = address.fillna("").astype(str).str.lower()
    number = text.str.extract(r"(\d+[a-z]?)", expand=False)
    start = text.str.replace(r"[^a-z0-9]+", "", regex=True).str[:16]
    key = pc + "|" + number.fillna(start)
    return key.where((pc != "") & (text.str.strip() != ""))


def _dob_dates(dob: pd.Series) -> pd.Series:
    """ISO partial dates of birth to a mid-point date (YYYY -> 1 July, YYYY-MM -> 15th)."""
    text = dob.fillna("").astype(str)
    full = text.where(text.str.len() == 10)
    full = full.fillna((text + "-15").where(text.str.len() == 7))
    full = full.fillna((text + "-07-01").where(text.str.len() == 4))
    return pd.to_datetime(full, errors="coerce")


def _incidence(links: pd.DataFrame, events: pd.DataFrame, persons: pd.DataFrame,
               objects: pd.DataFrame, locations: pd.DataFrame,
               codes: tuple[np.ndarray, np.ndarray, np.ndarray],
               config: NetworkConfig) -> pd.DataFrame:
    """Entities in events as integer codes: one row per (event, node), the role that
    counts most kept (a suspect who was also the driver)."""
    event_table, link_events = record_keys((events["agency"], events["event_ref"]),
                                           (links["agency"], links["event_ref"]))
    tables = record_keys((persons["agency"], persons["person_ref"]),
                         (objects["agency"], objects["object_ref"]),
                         (locations["agency"], locations["location_ref"]),
                         (links["agency"], links["ref"]),
                         (events["agency"], events["location_ref"]))
    link_refs, place_refs = tables[3], tables[4]
    entity = links["entity"].to_numpy(dtype=object)
    node = np.full(len(links), -1, dtype=np.int64)
    for kind, table, code in zip(("person", "object", "location"), tables[:3], codes,
                                 strict=True):
        mask = entity == kind
        row = lookup(link_refs[mask], table)
        node[mask] = np.where(row >= 0, code[np.maximum(row, 0)] if len(code) else -1, -1)
    place_row = lookup(place_refs, tables[2])
    at_place = np.flatnonzero(place_row >= 0)
    event = np.r_[lookup(link_events, event_table), at_place]
    node = np.r_[node, codes[2][place_row[at_place]]]
    person = np.r_[entity == "person", np.zeros(len(at_place), dtype=bool)]
    roles = np.r_[links["role"].to_numpy(dtype=object),
                  np.full(len(at_place), "present", dtype=object)]
    role_code, role_names = pd.factorize(roles)
    per_role = np.array([config.roles.get(str(r), config.default_role) for r in role_names]
                        + [config.default_role])
    role_weight = per_role[role_code]  # code -1 (no role) takes the default
    keep = (event >= 0) & (node >= 0)
    event, node, person, role_code, role_weight = (a[keep] for a in (
        event, node, person, role_code, role_weight))
    order = np.lexsort((np.arange(len(event)), -role_weight, node, event))
    event, node = event[order], node[order]
    first = runs(event * (int(node.max()) + 1 if len(node) else 1) + node)
    names = np.r_[np.asarray(role_names, dtype=object), np.array([None], dtype=object)]
    return pd.DataFrame({"event": event[first], "node": node[first],
                         "person": person[order][first],
                         "role": names[role_code[order][first]],
                         "role_weight": role_weight[order][first]})


def _ages(inc: pd.DataFrame, events: pd.DataFrame, persons: pd.DataFrame,
          person_codes: np.ndarray, n_nodes: int) -> np.ndarray:
    """Age in years of each person row of the incidence on the event's date (NaN when
    either date is unknown)."""
    dated = persons["dob"].notna().to_numpy() & (person_codes >= 0)
    frame = pd.DataFrame({"code": person_codes[dated], "person_id": persons["person_id"][dated],
                          "dob": persons["dob"][dated]}).drop_duplicates("person_id")
    born = np.full(n_nodes, np.nan)
    born[frame["code"].to_numpy()] = days(_dob_dates(frame["dob"]))
    occurred = days(events["occurred_on"])
    event, node = inc["event"].to_numpy(), inc["node"].to_numpy()
    age = (occurred[event] - born[node]) / DAYS_PER_YEAR
    return np.where(inc["person"].to_numpy(), age, np.nan)


def _person_nodes(inc: pd.DataFrame, events: pd.DataFrame, persons: pd.DataFrame,
                  person_codes: np.ndarray, names: np.ndarray, areas: np.ndarray,
                  config: NetworkConfig) -> pd.DataFrame:
    """Who is a child (under 18 at a linked event) and who a suspect (see ``suspects`` in
    config.yaml): a child is never a suspect, whatever role they were linked in."""
    n = len(names)
    person = inc["person"].to_numpy()
    node = inc["node"].to_numpy()
    child_at = inc["is_child_at"].to_numpy()
    role = inc["role"].to_numpy(dtype=object)
    kind = events["kind"].to_numpy(dtype=object)[inc["event"].to_numpy()]
    rules = config.suspects
    suspect_link = pd.Series(role).isin(rules.roles).to_numpy() | (
        pd.Series(kind).isin(rules.kinds).to_numpy()
        & pd.Series(role).isin(rules.kind_roles).to_numpy())

    def any_of(mask: np.ndarray) -> np.ndarray:
        return np.bincount(node[mask], minlength=n) > 0

    child = any_of(person & child_at)
    suspect = any_of(person & suspect_link & ~child_at) & ~child
    victim = any_of(person & (role == "victim"))
    codes = np.unique(person_codes[person_codes >= 0])
    codes = codes[np.argsort(names[codes], kind="stable")]
    return pd.DataFrame({
        "node_id": names[codes], "is_child": child[codes], "is_suspect": suspect[codes],
        "role": np.where(suspect[codes], "suspect",
                         np.where(child[codes] | victim[codes], "victim", "other")),
        "kind": "person", "label": names[codes], "areas": areas[codes]})


def _pair_ties(inc: pd.DataFrame, events: pd.DataFrame,
               config: NetworkConfig) -> tuple[np.ndarray, ...]:
    """Co-occurrence ties: each pair of entities in an event, scaled down in big events.
    Returns node codes a < b and, per pair and event, evidence and date (float days)."""
    event_weight = events["event_weight"].to_numpy(dtype=float)
    event, node = inc["event"].to_numpy(), inc["node"].to_numpy()
    role_weight = inc["role_weight"].to_numpy(dtype=float)
    ok = (role_weight > 0) & (event_weight[event] > 0)
    event, node, role_weight = event[ok], node[ok], role_weight[ok]
    sizes = np.diff(np.r_[runs(event), len(event)])
    size = np.repeat(sizes, sizes)
    ok = (size >= 2) & (size <= config.tie.max_event_size)
    event, node, role_weight, size = event[ok], node[ok], role_weight[ok], size[ok]
    starts = runs(event)
    position = np.arange(len(event)) - np.repeat(starts, np.diff(np.r_[starts, len(event)]))
    later = size - 1 - position  # partners after this row in its event
    left = np.repeat(np.arange(len(event)), later)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(later) - later, later)
    share = event_weight[event] * np.minimum(
        1.0, (config.tie.full_weight_up_to - 1) / np.maximum(size - 1, 1))
    evidence = share[left] * role_weight[left] * role_weight[right]
    a, b = np.minimum(node[left], node[right]), np.maximum(node[left], node[right])
    date = days(events["occurred_on"])[event[left]]
    return a, b, evidence, date


def _hub_factor(a: np.ndarray, b: np.ndarray, person: np.ndarray, full: int) -> np.ndarray:
    """Per tie: (full - 1) / (people - 1) when one end is a vehicle, phone or place tied to
    more than ``full`` people (a busy hotel or takeaway says little about any one of
    them), else 1; both ends' factors multiply. ``full`` 0 turns it off."""
    if full <= 0 or not len(a):
        return np.ones(len(a))
    n = len(person)
    people = np.bincount(a[person[b]], minlength=n) + np.bincount(b[person[a]], minlength=n)
    factor = np.where(~person & (people > full), (full - 1) / np.maximum(people - 1, 1), 1.0)
    return factor[a] * factor[b]


def _sum_ties(a: np.ndarray, b: np.ndarray, evidence: np.ndarray, n_events: np.ndarray,
              first: np.ndarray, last: np.ndarray, n_nodes: int) -> pd.DataFrame:
    """One row per pair (a < b): evidence and events summed, first/last dates."""
    key = a * max(n_nodes, 1) + b
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = runs(key)
    if not len(starts):
        return pd.DataFrame({c: np.zeros(0) for c in (
            "a", "b", "evidence", "n_events", "first", "last")})
    return pd.DataFrame({
        "a": key[starts] // max(n_nodes, 1), "b": key[starts] % max(n_nodes, 1),
        "evidence": np.add.reduceat(evidence[order], starts),
        "n_events": np.add.reduceat(n_events[order], starts),
        "first": np.fmin.reduceat(first[order], starts),
        "last": np.fmax.reduceat(last[order], starts)})


def district_areas(postcodes: pd.Series, areas: pd.Series, *, min_records: int,
                   min_share: float) -> pd.Series:
    """Postcode district -> area, learnt from records: the area most records with that
    district sit in, kept only when it holds ``min_share`` of at least ``min_records``."""
    district = postcodes.astype("string").str.split(" ").str[0]
    frame = pd.DataFrame({"district": district.to_numpy(), "area": areas.to_numpy()}).dropna()
    counts = frame.groupby(["district", "area"]).size().rename("n").reset_index()
    total = counts.groupby("district")["n"].transform("sum")
    counts = counts[(total >= min_records) & (counts["n"] >= min_share * total)]
    return counts.set_index("district")["area"]


def _static_edges(persons: pd.DataFrame, people: pd.DataFrame,
                  locations: pd.DataFrame, objects: pd.DataFrame,
                  config: NetworkConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suspects' homes and people's phones: ties without an event (and new address nodes)."""
    suspects = set(people.loc[people["is_suspect"], "node_id"])
    rows = []
    homes = persons[persons["person_id"].isin(suspects)].copy()
    homes["key"] = address_key(homes["address"], homes["postcode"])
    homes = homes.dropna(subset=["key"]).drop_duplicates(["person_id", "key"])
    places = locations.dropna(subset=["address", "postcode"]).copy()
    places["key"] = address_key(places["address"], places["postcode"])
    place_of_key = places.dropna(subset=["key"]).sort_values("location_id").drop_duplicates(
        "key").set_index("key")["location_id"]
    homes["target"] = homes["key"].map(place_of_key)
    new_nodes = homes[homes["target"].isna()].drop_duplicates("key")
    homes["target"] = homes["target"].fillna("address:" + homes["key"])
    rows.append(pd.DataFrame({"source": homes["person_id"], "target": homes["target"],
                              "weight": config.tie.suspect_home}))
    address_nodes = pd.DataFrame({
        "node_id": "address:" + new_nodes["key"], "kind": "address",
        "label": new_nodes["address"].fillna("") + " " + new_nodes["postcode"].fillna(""),
        "areas": new_nodes["area"]})

    phones = persons[["person_id", "phones"]].dropna()
    phones = phones.assign(phone=phones["phones"].str.split(";")).explode("phone")
    phones["target"] = "phone:" + phones["phone"].str.strip()
    phones = phones[phones["target"].isin(set(objects["object_id"]))]
    phones = phones.drop_duplicates(["person_id", "target"])
    rows.append(pd.DataFrame({"source": phones["person_id"], "target": phones["target"],
                              "weight": config.tie.person_phone}))
    static = pd.concat(rows, ignore_index=True)
    static = static[static["weight"] > 0]
    # as evidence, so that it adds up with event ties on the same scale
    static["evidence"] = -np.log1p(-static["weight"].clip(upper=0.999)) * config.tie.saturation
    return static.drop(columns=["weight"]), address_nodes


def town_areas(addresses: pd.Series, area_names: pd.Series) -> np.ndarray:
    """The area whose name is an address's last part (its town), else None.

    Areas are named after their towns, so "140 Bramble St, Quillmere" places a person in the
    area called Quillmere even when the record has no postcode."""
    by_name = pd.Series(area_names.to_numpy(), index=area_names.index.str.strip().str.lower())
    by_name = by_name[~by_name.index.duplicated(keep=False)]
    town = addresses.astype("string").str.rsplit(",", n=1).str[-1].str.strip().str.lower()
    has_town = addresses.astype("string").str.contains(",", regex=False).fillna(False)
    area = town.where(has_town).map(by_name).astype(object)
    return area.where(area.notna(), None).to_numpy(dtype=object)


def _home_areas(persons: pd.DataFrame, locations: pd.DataFrame, person_codes: np.ndarray,
                config: NetworkConfig, area_names: pd.Series | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """(person code, area) pairs: record areas plus, when enabled, the area of each
    postcode and of each address's town."""
    codes, areas = person_codes, persons["area"].to_numpy(dtype=object)
    if config.areas.from_towns and area_names is not None and len(area_names):
        codes = np.r_[codes, person_codes]
        areas = np.r_[areas, town_areas(persons["address"], area_names)]
    if not config.areas.from_postcodes:
        return codes, areas
    known = pd.concat([persons[["postcode", "area"]], locations[["postcode", "area"]]])
    mapping = district_areas(known["postcode"], known["area"],
                             min_records=config.areas.min_records,
                             min_share=config.areas.min_share)
    postcode_codes, postcodes = pd.factorize(persons["postcode"])
    district = pd.Series(postcodes, dtype="string").str.split(" ").str[0]
    lived = np.r_[district.map(mapping).to_numpy(dtype=object), None][postcode_codes]
    return np.r_[codes, person_codes], np.r_[areas, lived]


def _entity_nodes(objects: pd.DataFrame, locations: pd.DataFrame, codes: np.ndarray,
                  areas: np.ndarray) -> pd.DataFrame:
    parts = []
    for frame, key, kind in ((objects, "object_id", None), (locations, "location_id",
                                                            "place")):
        first = frame.sort_values(key, kind="stable").drop_duplicates(key)
        row_codes = codes[: len(objects)] if kind is None else codes[len(objects):]
        code_of = pd.Series(row_codes, index=frame.index)
        parts.append(pd.DataFrame({
            "node_id": first[key], "kind": first["kind"] if kind is None else kind,
            "label": first["label"], "areas": areas[code_of[first.index].to_numpy()]}))
    return pd.concat(parts, ignore_index=True)


def build_network(inputs: NetworkInputs, config: NetworkConfig) -> Network:
    """The whole network: nodes, weighted ties with their time span, and the incidence."""
    persons = _select(inputs.persons, PERSON_COLUMNS).reset_index(drop=True)
    objects = _select(inputs.objects, OBJECT_COLUMNS).reset_index(drop=True)
    locations = _select(inputs.locations, LOCATION_COLUMNS).reset_index(drop=True)
    events = _select(inputs.events, EVENT_COLUMNS).reset_index(drop=True)
    events["occurred_on"] = pd.to_datetime(events["occurred_on"])
    events["event_weight"] = event_weights(events, config).to_numpy()
    links = _select(inputs.links, LINK_COLUMNS)
    # a provisional code per entity id; the final codes are the sorted node table's rows
    (p_code, o_code, l_code), names = joint_codes(
        persons["person_id"], objects["object_id"], locations["location_id"])
    n = len(names)
    inc = _incidence(links, events, persons, objects, locations, (p_code, o_code, l_code),
                     config)
    inc["is_child_at"] = _ages(inc, events, persons, p_code, n) < ADULT_AGE

    home_codes, home_areas = _home_areas(persons, locations, p_code, config,
                                         inputs.area_names)
    people = _person_nodes(inc, events, persons, p_code, names,
                           join_per_key(home_codes, home_areas, n), config)
    entity_codes = np.r_[o_code, l_code]
    entity_areas = join_per_key(entity_codes, np.r_[objects["area"].to_numpy(dtype=object),
                                                    locations["area"].to_numpy(dtype=object)],
                                n)
    entities = _entity_nodes(objects, locations, entity_codes, entity_areas)
    static, address_nodes = _static_edges(persons, people, locations, objects, config)

    nodes = pd.concat([people, entities, address_nodes], ignore_index=True)
    nodes = nodes.drop_duplicates("node_id").sort_values("node_id").reset_index(drop=True)
    for flag in ("is_child", "is_suspect"):
        nodes[flag] = nodes[flag].astype("boolean").fillna(False).astype(bool)
    nodes["role"] = nodes["role"].fillna("")
    index = pd.Index(nodes["node_id"])
    final = index.get_indexer(names).astype(np.int64)

    a, b, evidence, date = _pair_ties(inc, events, config)
    a, b = np.minimum(final[a], final[b]), np.maximum(final[a], final[b])
    sa = index.get_indexer(static["source"]).astype(np.int64)
    sb = index.get_indexer(static["target"]).astype(np.int64)
    a, b = np.r_[a, np.minimum(sa, sb)], np.r_[b, np.maximum(sa, sb)]
    known = (a >= 0) & (b >= 0) & (a != b)
    dates = np.r_[date, np.full(len(static), np.nan)]
    ties = _sum_ties(a[known], b[known],
                     np.r_[evidence, static["evidence"].to_numpy(dtype=float)][known],
                     np.r_[np.ones(len(evidence)), np.zeros(len(static))][known],
                     dates[known], dates[known], len(nodes))
    ties["evidence"] = ties["evidence"] * _hub_factor(
        ties["a"].to_numpy(dtype=np.int64), ties["b"].to_numpy(dtype=np.int64),
        (nodes["kind"] == "person").to_numpy(), config.tie.hub_full_weight_up_to)
    ties["weight"] = 1.0 - np.exp(-ties["evidence"] / config.tie.saturation)
    ties = ties[ties["weight"] > 0].reset_index(drop=True)
    ends = ties[["a", "b"]].to_numpy(dtype=np.int64).reshape(-1, 2)
    ids = nodes["node_id"].to_numpy(dtype=object)
    edges = pd.DataFrame({
        "source": ids[ends[:, 0]], "target": ids[ends[:, 1]],
        "evidence": ties["evidence"].to_numpy(), "weight": ties["weight"].to_numpy(),
        "n_events": ties["n_events"].to_numpy().astype(int),
        "first_seen": from_days(ties["first"].to_numpy()),
        "last_seen": from_days(ties["last"].to_numpy())})
    inc["node"] = final[inc["node"].to_numpy()]
    inc = inc[inc["node"] >= 0].sort_values(["event", "node"], kind="stable")
    return Network(nodes=nodes, edges=edges, ends=ends, events=events,
                   incidence=inc.reset_index(drop=True))
