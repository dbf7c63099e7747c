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


@dataclass(frozen=True)
class Network:
    """The built network.

    ``nodes``: node_id, kind (person|vehicle|phone|online_account|place|address), label,
    areas, is_child, is_suspect, role. ``edges``: source, target (source < target),
    evidence, weight, n_events, first_seen, last_seen. ``incidence``: one row per entity
    in an event (event_key, agency, event_ref, kind, occurred_on, area, grading,
    grading_scheme, node_id, node_kind, role, role_weight, event_weight, age,
    is_child_at).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    incidence: pd.DataFrame


def _select(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.reindex(columns=columns).copy()
    return out


def grading_factor(events: pd.DataFrame, config: NetworkConfig) -> pd.Series:
    """Source x intelligence factor of each event's grading (1 for ungraded records)."""
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
    return pd.Series(factor, index=events.index)


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


def _incidence(inputs: NetworkInputs, config: NetworkConfig) -> pd.DataFrame:
    events = _select(inputs.events, EVENT_COLUMNS).reset_index(drop=True)
    events["event_key"] = np.arange(len(events))  # the store's order: deterministic
    events["event_weight"] = event_weights(events, config)
    events["occurred_on"] = pd.to_datetime(events["occurred_on"])
    links = _select(inputs.links, LINK_COLUMNS)
    persons = inputs.persons.drop_duplicates(["agency", "person_ref"])
    objects = inputs.objects.drop_duplicates(["agency", "object_ref"])
    locations = inputs.locations.drop_duplicates(["agency", "location_ref"])

    parts = []
    person_links = links[links["entity"] == "person"].merge(
        persons[["agency", "person_ref", "person_id"]],
        left_on=["agency", "ref"], right_on=["agency", "person_ref"])
    parts.append(pd.DataFrame({"agency": person_links["agency"],
                               "event_ref": person_links["event_ref"],
                               "node_id": person_links["person_id"], "node_kind": "person",
                               "role": person_links["role"]}))
    object_links = links[links["entity"] == "object"].merge(
        objects[["agency", "object_ref", "object_id", "kind"]].rename(
            columns={"kind": "node_kind"}),
        left_on=["agency", "ref"], right_on=["agency", "object_ref"])
    parts.append(object_links.assign(node_id=object_links["object_id"]))
    location_links = links[links["entity"] == "location"].merge(
        locations[["agency", "location_ref", "location_id"]],
        left_on=["agency", "ref"], right_on=["agency", "location_ref"])
    parts.append(location_links.assign(node_id=location_links["location_id"],
                                       node_kind="place"))
    at_place = events.dropna(subset=["location_ref"]).merge(
        locations[["agency", "location_ref", "location_id"]],
        on=["agency", "location_ref"])
    parts.append(at_place[["agency", "event_ref", "location_id"]].assign(
        node_id=at_place["location_id"], node_kind="place", role="present"))

    columns = ["agency", "event_ref", "node_id", "node_kind", "role"]
    inc = pd.concat([p[columns] for p in parts], ignore_index=True)
    inc["role_weight"] = inc["role"].map(config.roles).fillna(config.default_role)
    inc = inc.merge(events.drop(columns=["location_ref"]), on=["agency", "event_ref"])
    # one row per entity and event: the role that counts most (a suspect also a driver)
    inc = inc.sort_values("role_weight", ascending=False, kind="stable")
    inc = inc.drop_duplicates(["event_key", "node_id"])

    dob = persons.dropna(subset=["dob"]).drop_duplicates("person_id").set_index(
        "person_id")["dob"]
    is_person = (inc["node_kind"] == "person").to_numpy()
    born = inc.loc[is_person, "node_id"].map(_dob_dates(dob))
    inc["age"] = np.nan
    inc.loc[is_person, "age"] = ((inc.loc[is_person, "occurred_on"] - born).dt.days
                                 / DAYS_PER_YEAR)
    inc["is_child_at"] = inc["age"] < ADULT_AGE
    return inc.sort_values("event_key", kind="stable").reset_index(drop=True)


def _person_nodes(inc: pd.DataFrame, persons: pd.DataFrame, config: NetworkConfig,
                  home_areas: pd.DataFrame) -> pd.DataFrame:
    """Who is a child (under 18 at a linked event) and who a suspect (see ``suspects`` in
    config.yaml): a child is never a suspect, whatever role they were linked in."""
    people = inc[inc["node_kind"] == "person"]
    child = people.groupby("node_id")["is_child_at"].any()
    rules = config.suspects
    suspect_link = people["role"].isin(rules.roles) | (
        people["kind"].isin(rules.kinds) & people["role"].isin(rules.kind_roles))
    adult_suspect = people[suspect_link & ~people["is_child_at"]]
    frame = pd.DataFrame(index=pd.Index(sorted(set(persons["person_id"])), name="node_id"))
    frame["is_child"] = child.reindex(frame.index, fill_value=False).astype(bool)
    frame["is_suspect"] = frame.index.isin(adult_suspect["node_id"]) & ~frame["is_child"]
    linked_victim = frame.index.isin(people.loc[people["role"] == "victim", "node_id"])
    frame["role"] = np.where(frame["is_suspect"], "suspect",
                             np.where(frame["is_child"] | linked_victim, "victim", "other"))
    frame["kind"] = "person"
    frame["label"] = frame.index
    frame["areas"] = _join_areas(home_areas["person_id"], home_areas["area"]).reindex(
        frame.index)
    return frame.reset_index()


def _pair_edges(inc: pd.DataFrame, config: NetworkConfig) -> pd.DataFrame:
    """Co-occurrence ties: each pair of entities in an event, scaled down in big events."""
    inc = inc[(inc["role_weight"] > 0) & (inc["event_weight"] > 0)]
    size = inc.groupby("event_key")["node_id"].transform("size")
    inc = inc[(size >= 2) & (size <= config.tie.max_event_size)]
    size = size[inc.index]
    codes, uniques = pd.factorize(inc["node_id"], sort=True)
    left = pd.DataFrame({
        "event_key": inc["event_key"].to_numpy(),
        "code": codes,
        "rw": inc["role_weight"].to_numpy(),
        "share": (inc["event_weight"] * np.minimum(
            1.0, (config.tie.full_weight_up_to - 1) / (size - 1))).to_numpy(),
        "date": inc["occurred_on"].to_numpy(),
    })
    pairs = left.merge(left[["event_key", "code", "rw"]], on="event_key", suffixes=("", "_b"))
    pairs = pairs[pairs["code"] < pairs["code_b"]]
    pairs["evidence"] = pairs["share"] * pairs["rw"] * pairs["rw_b"]
    grouped = pairs.groupby(["code", "code_b"], sort=True).agg(
        evidence=("evidence", "sum"), n_events=("event_key", "size"),
        first_seen=("date", "min"), last_seen=("date", "max")).reset_index()
    labels = np.asarray(uniques, dtype=object)
    grouped["source"] = labels[grouped["code"].to_numpy()]
    grouped["target"] = labels[grouped["code_b"].to_numpy()]
    return grouped.drop(columns=["code", "code_b"])


def _static_edges(persons: pd.DataFrame, people: pd.DataFrame,
                  locations: pd.DataFrame, objects: pd.DataFrame,
                  config: NetworkConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suspects' homes and people's phones: ties without an event (and new address nodes)."""
    suspects = set(people.loc[people["is_suspect"], "node_id"])
    rows = []
    homes = persons[persons["person_id"].isin(suspects)].copy()
    homes["key"] = address_key(homes["address"], homes["postcode"])
    homes = homes.dropna(subset=["key"]).drop_duplicates(["person_id", "key"])
    places = locations.copy()
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


def _home_areas(persons: pd.DataFrame, locations: pd.DataFrame,
                config: NetworkConfig) -> pd.DataFrame:
    """person_id, area rows: record areas plus, when enabled, the area of each postcode."""
    rows = persons[["person_id", "area"]]
    if not config.areas.from_postcodes:
        return rows
    known = pd.concat([persons[["postcode", "area"]], locations[["postcode", "area"]]])
    mapping = district_areas(known["postcode"], known["area"],
                             min_records=config.areas.min_records,
                             min_share=config.areas.min_share)
    district = persons["postcode"].astype("string").str.split(" ").str[0]
    lived = pd.DataFrame({"person_id": persons["person_id"].to_numpy(),
                          "area": district.map(mapping).to_numpy()}).dropna()
    return pd.concat([rows, lived], ignore_index=True)


def _join_areas(keys: pd.Series, areas: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"key": keys.to_numpy(), "area": areas.to_numpy()}).dropna()
    frame = frame.drop_duplicates().sort_values(["key", "area"])
    return (frame["area"].astype(str) + ";").groupby(frame["key"], sort=True).sum().str[:-1]


def _entity_nodes(objects: pd.DataFrame, locations: pd.DataFrame) -> pd.DataFrame:
    def areas(frame: pd.DataFrame, key: str) -> pd.Series:
        return _join_areas(frame[key], frame["area"])

    obj = objects.sort_values("object_id").drop_duplicates("object_id")
    obj_nodes = pd.DataFrame({"node_id": obj["object_id"], "kind": obj["kind"],
                              "label": obj["label"]})
    obj_nodes["areas"] = obj_nodes["node_id"].map(areas(objects, "object_id"))
    loc = locations.sort_values("location_id").drop_duplicates("location_id")
    loc_nodes = pd.DataFrame({"node_id": loc["location_id"], "kind": "place",
                              "label": loc["label"]})
    loc_nodes["areas"] = loc_nodes["node_id"].map(areas(locations, "location_id"))
    return pd.concat([obj_nodes, loc_nodes], ignore_index=True)


def build_network(inputs: NetworkInputs, config: NetworkConfig) -> Network:
    """The whole network: nodes, weighted ties with their time span, and the incidence."""
    persons = _select(inputs.persons, PERSON_COLUMNS)
    objects = _select(inputs.objects, OBJECT_COLUMNS)
    locations = _select(inputs.locations, LOCATION_COLUMNS)
    clean = NetworkInputs(persons=persons, events=inputs.events, links=inputs.links,
                          objects=objects, locations=locations)
    inc = _incidence(clean, config)
    people = _person_nodes(inc, persons, config, _home_areas(persons, locations, config))
    pair = _pair_edges(inc, config)
    static, address_nodes = _static_edges(persons, people, locations, objects, config)
    edges = pd.concat([pair, static], ignore_index=True)
    flip = edges["source"] > edges["target"]
    edges.loc[flip, ["source", "target"]] = edges.loc[flip, ["target", "source"]].to_numpy()
    twice = edges.duplicated(["source", "target"], keep=False)
    merged = edges[twice].groupby(["source", "target"], sort=False).agg(
        evidence=("evidence", "sum"), n_events=("n_events", "sum"),
        first_seen=("first_seen", "min"), last_seen=("last_seen", "max")).reset_index()
    edges = pd.concat([edges[~twice], merged], ignore_index=True)
    edges["n_events"] = edges["n_events"].fillna(0).astype(int)
    edges["weight"] = 1.0 - np.exp(-edges["evidence"] / config.tie.saturation)
    edges = edges[edges["weight"] > 0].reset_index(drop=True)

    nodes = pd.concat([people, _entity_nodes(objects, locations), address_nodes],
                      ignore_index=True)
    nodes = nodes.drop_duplicates("node_id").sort_values("node_id").reset_index(drop=True)
    for flag in ("is_child", "is_suspect"):
        nodes[flag] = nodes[flag].astype("boolean").fillna(False).astype(bool)
    nodes["role"] = nodes["role"].fillna("")
    known = set(nodes["node_id"])
    edges = edges[edges["source"].isin(known) & edges["target"].isin(known)]
    return Network(nodes=nodes, edges=edges.reset_index(drop=True), incidence=inc)
