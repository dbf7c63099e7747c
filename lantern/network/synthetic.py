"""Planted-group worlds for testing and benchmarking the network stage (synthetic only).

A small, fast generator of record frames (the shape ``graph.build_network`` reads) with
known offender groups, children they exploit, their vehicles and houses, and noise:
children known to professionals, unrelated adults tied in pairs, weak ties between
groups and a few takeaways that many children pass through. It lets the pure core be
measured against the truth without the full simulator (``lantern simulate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd

from lantern.network.graph import NetworkInputs

GRADES = np.array(["1AP", "2BP", "2CP", "3CP", "1BP", "2AP"])


@dataclass(frozen=True)
class PlantedWorld:
    inputs: NetworkInputs
    truth: pd.DataFrame  # person_id, group, role (suspect|victim), cross_area (bool)


def _sizes(rng: np.random.Generator, n: int, low: int, high: int, median: float,
           sigma: float) -> np.ndarray:
    return np.clip(np.round(rng.lognormal(np.log(median), sigma, n)), low, high).astype(int)


def planted_world(*, n_groups: int = 40, seed: int = 0, n_areas: int = 6,
                  cross_area_share: float = 0.15, background_children: int = 400,
                  background_adults: int = 200, noise_ties: float = 0.1,
                  n_takeaways: int = 5, events_per_victim: int = 3) -> PlantedWorld:
    """Groups of 2-25 suspects (median 4) with 1-15 children (median 3), as in CEOP 2012."""
    rng = np.random.default_rng(seed)
    n_off = _sizes(rng, n_groups, 2, 25, 4.0, 0.6)
    n_vic = _sizes(rng, n_groups, 1, 15, 3.0, 0.7)
    home = rng.integers(0, n_areas, n_groups)
    other = (home + rng.integers(1, n_areas, n_groups)) % n_areas
    cross = rng.random(n_groups) < cross_area_share
    areas = np.array([f"A{i:02d}" for i in range(n_areas)])

    off_group = np.repeat(np.arange(n_groups), n_off)
    vic_group = np.repeat(np.arange(n_groups), n_vic)
    off_id = np.array([f"O{i:06d}" for i in range(len(off_group))])
    vic_id = np.array([f"C{i:06d}" for i in range(len(vic_group))])
    # a cross-area group has about half its members recorded in its second area
    off_area = np.where(cross[off_group] & (rng.random(len(off_group)) < 0.5),
                        other[off_group], home[off_group])
    vic_area = np.where(cross[vic_group] & (rng.random(len(vic_group)) < 0.5),
                        other[vic_group], home[vic_group])
    bg_child = np.array([f"K{i:06d}" for i in range(background_children)])
    bg_adult = np.array([f"B{i:06d}" for i in range(background_adults)])
    profs = np.array([f"W{i:04d}" for i in range(max(1, background_children // 50))])

    start = np.datetime64("2010-01-01")
    def dates(n: int) -> np.ndarray:
        return start + rng.integers(0, 5 * 365, n).astype("timedelta64[D]")

    persons = pd.concat([
        pd.DataFrame({"person_id": off_id, "area": areas[off_area],
                      "dob": (1965 + rng.integers(0, 30, len(off_id))).astype(str),
                      "role": "suspect"}),
        pd.DataFrame({"person_id": vic_id, "area": areas[vic_area],
                      "dob": (1997 + rng.integers(0, 3, len(vic_id))).astype(str) + "-05-10",
                      "role": "victim"}),
        pd.DataFrame({"person_id": bg_child, "area": areas[rng.integers(0, n_areas,
                                                                          len(bg_child))],
                      "dob": (1996 + rng.integers(0, 5, len(bg_child))).astype(str),
                      "role": ""}),
        pd.DataFrame({"person_id": bg_adult, "area": areas[rng.integers(0, n_areas,
                                                                          len(bg_adult))],
                      "dob": (1960 + rng.integers(0, 35, len(bg_adult))).astype(str),
                      "role": ""}),
        pd.DataFrame({"person_id": profs, "area": areas[0], "dob": "1975", "role": ""}),
    ], ignore_index=True)
    # one house per group, where its first suspect lives
    first_off = np.r_[0, np.cumsum(n_off)[:-1]]
    house_pc = np.array([f"S{g % 90 + 1} {g % 9 + 1}AB" for g in range(n_groups)])
    persons["address"] = None
    persons["postcode"] = None
    persons.loc[first_off, "address"] = [f"{g + 1} Mill Lane" for g in range(n_groups)]
    persons.loc[first_off, "postcode"] = house_pc
    persons["agency"] = "P" + persons["area"]
    persons["person_ref"] = persons["person_id"]
    persons["phones"] = None

    link_rows: list[pd.DataFrame] = []
    event_rows: list[pd.DataFrame] = []
    counter = [0]

    def add_events(kind: str, area: np.ndarray, when: np.ndarray,
                   location: np.ndarray | None = None,
                   grading: np.ndarray | None = None) -> np.ndarray:
        n = len(area)
        refs = np.array([f"E{counter[0] + i:08d}" for i in range(n)])
        counter[0] += n
        event_rows.append(pd.DataFrame({
            "agency": "P" + areas[area], "event_ref": refs, "kind": kind, "occurred_on": when,
            "location_ref": location if location is not None else None,
            "grading": grading if grading is not None else None, "grading_scheme": None,
            "area": areas[area]}))
        return refs

    def add_links(agency_area: np.ndarray, refs: np.ndarray, entity: str, ref: np.ndarray,
                  role: str) -> None:
        link_rows.append(pd.DataFrame({"agency": "P" + areas[agency_area], "event_ref": refs,
                                       "entity": entity, "ref": ref, "role": role}))

    # offenders: intelligence reports pairing each with another suspect of the group
    for _ in range(2):
        other_off = first_off[off_group] + (
            (np.arange(len(off_id)) - first_off[off_group] + rng.integers(
                1, np.maximum(n_off[off_group], 2))) % n_off[off_group])
        refs = add_events("intelligence_report", off_area, dates(len(off_id)),
                          grading=rng.choice(GRADES, len(off_id)))
        add_links(off_area, refs, "person", off_id, "suspect")
        add_links(off_area, refs, "person", off_id[other_off], "suspect")
    # children: stop checks with a suspect of the group in the group's vehicle
    vehicles = pd.DataFrame({"agency": "P" + areas[home], "object_ref": [
        f"V{g:06d}" for g in range(n_groups)], "object_id": [f"vehicle:V{g:06d}"
                                                           for g in range(n_groups)],
        "kind": "vehicle", "area": areas[home], "label": [f"V{g:06d}" for g in
                                                          range(n_groups)]})
    houses = pd.DataFrame({"agency": "P" + areas[home], "location_ref": [
        f"H{g:06d}" for g in range(n_groups)], "location_id": [
        f"place:H{g:06d}" for g in range(n_groups)], "area": areas[home],
        "label": "house", "address": [f"{g + 1} Mill Lane" for g in range(n_groups)],
        "postcode": house_pc})
    for k in range(events_per_victim):
        off = first_off[vic_group] + rng.integers(0, n_off[vic_group])
        kind = ("stop_check", "missing_episode", "crime_report")[k % 3]
        loc = (houses["location_ref"].to_numpy()[vic_group] if kind == "missing_episode"
               else None)
        refs = add_events(kind, vic_area, dates(len(vic_id)), location=loc)
        add_links(vic_area, refs, "person", vic_id, "victim" if kind == "crime_report"
                  else "subject")
        if kind != "missing_episode":
            add_links(vic_area, refs, "person", off_id[off], "suspect")
        if kind == "stop_check":
            vehicles_of = vehicles[["agency", "object_ref"]].to_numpy()[vic_group]
            link_rows.append(pd.DataFrame({"agency": "P" + areas[vic_area], "event_ref": refs,
                                           "entity": "object", "ref": vehicles_of[:, 1],
                                           "role": "present"}))
    # noise: children known to professionals, pairs of unrelated adults, ties across groups
    kids = np.r_[vic_id, bg_child]
    kid_area = np.r_[vic_area, rng.integers(0, n_areas, len(bg_child))]
    refs = add_events("assessment", kid_area, dates(len(kids)))
    add_links(kid_area, refs, "person", kids, "subject")
    add_links(kid_area, refs, "person", rng.choice(profs, len(kids)), "professional")
    half = len(bg_adult) // 2
    pair_area = rng.integers(0, n_areas, half)
    refs = add_events("intelligence_report", pair_area, dates(half),
                      grading=rng.choice(GRADES, half))
    add_links(pair_area, refs, "person", bg_adult[:half], "associate")
    add_links(pair_area, refs, "person", bg_adult[half:2 * half], "associate")
    n_noise = int(noise_ties * len(off_id))
    a, b = rng.integers(0, len(off_id), (2, n_noise))
    refs = add_events("intelligence_report", off_area[a], dates(n_noise),
                      grading=rng.choice(np.array(["3DP", "2CP", "3CP"]), n_noise))
    add_links(off_area[a], refs, "person", off_id[a], "suspect")
    add_links(off_area[a], refs, "person", off_id[b], "suspect")
    takeaways = pd.DataFrame({"agency": "P" + areas[0], "location_ref": [
        f"T{i:04d}" for i in range(n_takeaways)], "location_id": [
        f"place:T{i:04d}" for i in range(n_takeaways)], "area": areas[0], "label": "takeaway",
        "address": None, "postcode": None})
    if n_takeaways:
        visit = rng.random(len(vic_id)) < 0.3
        refs = add_events("welfare_concern", np.zeros(int(visit.sum()), dtype=int),
                          dates(int(visit.sum())),
                          location=rng.choice(takeaways["location_ref"].to_numpy(),
                                              int(visit.sum())))
        add_links(np.zeros(len(refs), dtype=int), refs, "person", vic_id[visit], "subject")

    persons_out = persons.copy()
    persons_out.loc[persons_out["person_id"].isin(vic_id), "person_ref"] = persons_out[
        "person_id"]
    # children are recorded by the police of their own area; the frames key on agency+ref
    links = pd.concat(link_rows, ignore_index=True)
    links = links.merge(persons_out[["person_ref", "agency"]].rename(
        columns={"agency": "person_agency"}), left_on="ref", right_on="person_ref", how="left")
    events = pd.concat(event_rows, ignore_index=True)
    # every record sits with one agency per area: re-home links to the event's agency and
    # give each person a record in every agency that links them
    person_records = links[links["entity"] == "person"][["agency", "ref"]].drop_duplicates()
    person_records = person_records.merge(
        persons_out.drop(columns=["agency", "person_ref"]), left_on="ref",
        right_on="person_id").rename(columns={"ref": "person_ref"})
    person_records["area"] = person_records["agency"].str[1:]
    objects = vehicles.merge(links[links["entity"] == "object"][["agency", "ref"]]
                             .drop_duplicates().rename(columns={"ref": "object_ref",
                                                                "agency": "link_agency"}),
                             on="object_ref").drop(columns=["agency"]).rename(
        columns={"link_agency": "agency"})
    objects["area"] = objects["agency"].str[1:]
    locations = pd.concat([houses, takeaways], ignore_index=True)
    loc_used = events.dropna(subset=["location_ref"])[["agency", "location_ref"]]
    locations = locations.drop(columns=["agency"]).merge(loc_used.drop_duplicates(),
                                                         on="location_ref")
    locations = pd.concat([locations, houses[~houses["location_ref"].isin(
        locations["location_ref"])]], ignore_index=True)
    locations["area"] = locations["agency"].str[1:]
    links = links.drop(columns=["person_ref", "person_agency"])

    truth = pd.concat([
        pd.DataFrame({"person_id": off_id, "group": off_group, "role": "suspect",
                      "cross_area": cross[off_group]}),
        pd.DataFrame({"person_id": vic_id, "group": vic_group, "role": "victim",
                      "cross_area": cross[vic_group]}),
    ], ignore_index=True)
    inputs = NetworkInputs(persons=person_records.drop(columns=["role"]), events=events,
                           links=links, objects=objects, locations=locations)
    return PlantedWorld(inputs=inputs, truth=truth)


def score_planted(world: PlantedWorld, members: pd.DataFrame) -> tuple[float, float, float]:
    """ARI over planted members (unplaced = alone), offender recall, cross-area recall."""
    truth = world.truth
    placed = members.drop_duplicates("person_id").set_index("person_id")["group_id"]
    pred = truth["person_id"].map(placed)
    labels = pred.fillna("alone:" + truth["person_id"])
    ari = ig.compare_communities(pd.factorize(truth["group"])[0].tolist(),
                                 pd.factorize(labels)[0].tolist(), method="ari")
    recall = float(pred[truth["role"] == "suspect"].notna().mean())
    areas = members.drop_duplicates("group_id").set_index("group_id")["areas"]
    cross = truth[truth["cross_area"]].assign(pred=pred)
    counts = cross.dropna(subset=["pred"]).groupby(["group", "pred"]).size().rename("n")
    best = counts.reset_index().sort_values(["group", "n"], ascending=[True, False]) \
        .drop_duplicates("group").set_index("group")["pred"].reindex(
        cross["group"].unique())
    spans = best.map(areas).fillna("").str.count(";") >= 1
    return ari, recall, float(spans.mean()) if len(spans) else 1.0
