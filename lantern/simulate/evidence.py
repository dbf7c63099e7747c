"""Which group members the records tie to their group, and which cross-area groups show both areas.

A member whom no record connects to the rest of their group (a child known only from
referrals, absences and clinic visits that name nobody) cannot be placed in that group by any
method working from the records. The truth marks such members so that the evaluation can
score group detection over what the records show, alongside the score over every member.

A member is *evidenced* when a chain of recorded events joins them to another member of
their own group, passing only through vehicles, phones and places (never through other
people), as a network built from the records could see it. A cross-area group is
*evidenced* when its evidenced members' home areas, and the areas of the agencies that
recorded them, include both of the group's areas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lantern.simulate.population import Population
from lantern.simulate.records import Recorded


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _thing_links(rec: Recorded) -> pd.DataFrame:
    """(ev, thing) for every recorded vehicle, phone and place on an event."""
    events = rec.events[["submission_id", "event_ref", "ev", "agency"]]
    links = rec.links[rec.links.entity.isin(["object", "location"])].merge(
        events, on=["submission_id", "event_ref"]
    )
    parts = [pd.DataFrame({"ev": rec.events.ev[rec.events.lid >= 0],
                           "thing": "l" + rec.events.lid[rec.events.lid >= 0].astype(str)})]
    for entity, truth, ref, key in (
        ("object", rec.object_truth, "object_ref", "oid"),
        ("location", rec.location_truth, "location_ref", "lid"),
    ):
        found = links[links.entity == entity].merge(
            truth[["agency", ref, key]].rename(columns={ref: "ref"}), on=["agency", "ref"]
        )
        parts.append(pd.DataFrame({"ev": found.ev, "thing": entity[0] + found[key].astype(str)}))
    return pd.concat(parts, ignore_index=True)


def event_pieces(rec: Recorded) -> np.ndarray:
    """For each event id, its connected piece of the events-and-things graph (no people)."""
    n_ev = int(rec.events.ev.max()) + 1 if len(rec.events) else 0
    things = _thing_links(rec)
    codes, _ = pd.factorize(things.thing)
    n = n_ev + (int(codes.max()) + 1 if len(codes) else 0)
    piece = _components(n, things.ev.to_numpy(), n_ev + codes)
    return np.asarray(piece[:n_ev])


def evidenced_members(pop: Population, rec: Recorded) -> pd.Series:
    """Per group member's tid: whether the records join them to another member of their group."""
    p = pop.persons
    group_of = p.group.to_numpy()
    tl = rec.true_links
    mine = tl[group_of[tl.tid.to_numpy()] >= 0]
    piece = event_pieces(rec)[mine.ev.to_numpy()]
    member_group = group_of[mine.tid.to_numpy()]
    # Nodes: members (by tid), then (group, piece) pairs; a piece is shared only within a group.
    pair, _ = pd.factorize(pd.Series(member_group).astype(str) + ":" + pd.Series(piece).astype(str))
    n_people = len(p)
    comp = _components(n_people + int(pair.max() + 1 if len(pair) else 0),
                       mine.tid.to_numpy(), n_people + pair)
    members = p.tid[p.group >= 0].to_numpy()
    tied = pd.Series(comp[members], index=members)
    linked = tied[tied.index.isin(mine.tid.unique())]
    sizes = linked.value_counts()
    return pd.Series(linked.map(sizes).reindex(members).fillna(0).to_numpy() >= 2, index=members)


def evidenced_areas(pop: Population, rec: Recorded, evidenced: pd.Series) -> pd.Series:
    """Per group: the areas (codes) of its evidenced members' homes and recording agencies."""
    p = pop.persons
    who = evidenced.index[evidenced.to_numpy()]
    tl = rec.true_links[rec.true_links.tid.isin(who)]
    homes = pd.DataFrame({"tid": who, "area": p.area.to_numpy()[who]})
    rows = pd.concat([homes, tl[["tid", "area"]]], ignore_index=True)
    rows["group"] = p.group.to_numpy()[rows.tid.to_numpy()]
    return rows.groupby("group").area.agg(lambda a: frozenset(int(x) for x in a))
